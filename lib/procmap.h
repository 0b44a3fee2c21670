/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PROCMAP_QUERY (Linux 6.11, <linux/fs.h>): an ioctl on an open maps file
 * that returns one mapping at a time, filtered by the kernel: asking only
 * for file-backed (executable) mappings skips generating the text of every
 * other line, which is most of the cost of reading maps.  Names come raw
 * (no "\012" escaping), " (deleted)" appended as in maps; with
 * vma_name_size 0 none is asked for.  Without the ioctl the kernel answers
 * ENOTTY (EINVAL from some older kernels' ioctl dispatch).  Declared here
 * because older uapi headers lack it.
 */
#ifndef PE_PROCMAP_H
#define PE_PROCMAP_H

#include <stdint.h>
#include <sys/ioctl.h>

struct pe_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset;
	uint64_t inode;
	uint32_t dev_major, dev_minor;
	uint32_t vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PE_PROCMAP_QUERY _IOWR('f', 17, struct pe_procmap_query)
#define PE_QUERY_VMA_READABLE   0x01u
#define PE_QUERY_VMA_WRITABLE   0x02u
#define PE_QUERY_VMA_EXECUTABLE 0x04u
#define PE_QUERY_VMA_SHARED     0x08u
#define PE_QUERY_COVERING_OR_NEXT 0x10u
#define PE_QUERY_FILE_BACKED    0x20u

#endif
