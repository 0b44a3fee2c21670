/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sorted sets of 64-bit ids: the mount ids of a mountinfo file. */
#include <stdlib.h>

#include "internal.h"
#include "parse.h"

int pe_idset_add(struct pe_idset *set, uint64_t id)
{
	if (pe_grow((void **)&set->ids, &set->cap, set->n + 1, sizeof(*set->ids)) < 0)
		return -ENOMEM;
	set->ids[set->n++] = id;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void pe_idset_sort(struct pe_idset *set)
{
	if (set->n > 1)
		qsort(set->ids, set->n, sizeof(*set->ids), cmp_u64);
}

bool pe_idset_has(const struct pe_idset *set, uint64_t id)
{
	return set->n && bsearch(&id, set->ids, set->n, sizeof(*set->ids), cmp_u64);
}

void pe_idset_clear(struct pe_idset *set)
{
	free(set->ids);
	*set = (struct pe_idset){ 0 };
}

static int add_id_cb(uint64_t id, void *userdata)
{
	return pe_idset_add(userdata, id);
}

int pe_idset_load_mountinfo(struct pe_idset *set, int dirfd, const char *path)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = pe_read_file_at(dirfd, path, 64u << 20, &buf, &len);
	if (r < 0)
		return r;
	r = pe_parse_mountinfo_ids(buf, len, add_id_cb, set);
	if (r < 0)
		return r;
	pe_idset_sort(set);
	return 0;
}
