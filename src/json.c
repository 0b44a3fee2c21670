/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON writer of procexe: see json.h for the contract. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "cli.h"
#include "escape.h"
#include "json.h"

/* Deeper nesting is a programming error: no document of ours needs it. */
#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	bool pretty;
	unsigned depth;
	size_t count[JSON_MAX_DEPTH];   /* values written so far at each level */
};

struct json *json_new(FILE *out, bool pretty)
{
	struct json *j = xmalloc(sizeof(*j));

	*j = (struct json){ .out = out, .pretty = pretty };
	return j;
}

void json_free(struct json *j)
{
	free(j);
}

static void indent(struct json *j)
{
	fputc('\n', j->out);
	for (unsigned i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

/*
 * Write the quoted form of S, which escape_json() made valid UTF-8.  The
 * line and paragraph separators U+2028 and U+2029 are written as \u2028
 * and \u2029 (same value): readers that split --jsonl output at every
 * Unicode line break (Python's str.splitlines(), JavaScript before ES2019)
 * must not see one inside a record.
 */
static void quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(out, "\\u%04x", *p);
		} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			fprintf(out, "\\u%04x", 0x2000u + (p[2] - 0xa8u) + 0x28u);
			p += 2;
		} else {
			fputc(*p, out);
		}
	}
	fputc('"', out);
}

/* The separator, indentation and key before a value. */
static void prefix(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (j->count[j->depth - 1]++ > 0)
			fputc(',', j->out);
		if (j->pretty)
			indent(j);
	}
	if (key) {
		quoted(j->out, key);
		fputs(j->pretty ? ": " : ":", j->out);
	}
}

static void open_(struct json *j, const char *key, char c)
{
	prefix(j, key);
	fputc(c, j->out);
	if (j->depth >= JSON_MAX_DEPTH)
		errx_("internal error: JSON nested too deep");
	j->count[j->depth++] = 0;
}

static void close_(struct json *j, char c)
{
	if (j->depth == 0)
		errx_("internal error: unbalanced JSON");
	if (j->count[--j->depth] > 0 && j->pretty)
		indent(j);
	fputc(c, j->out);
}

void json_open(struct json *j, const char *key) { open_(j, key, '{'); }
void json_close(struct json *j) { close_(j, '}'); }
void json_open_array(struct json *j, const char *key) { open_(j, key, '['); }
void json_close_array(struct json *j) { close_(j, ']'); }

void json_end_line(struct json *j)
{
	fputc('\n', j->out);
	if (!j->pretty)
		fflush(j->out);
}

void json_str(struct json *j, const char *key, const char *s)
{
	if (!s) {
		json_null(j, key);
		return;
	}
	json_bytes(j, key, s, strlen(s));
}

void json_bytes(struct json *j, const char *key, const void *buf, size_t len)
{
	char *s;

	if (!buf) {
		json_null(j, key);
		return;
	}
	s = xcheck(escape_json(buf, len));
	prefix(j, key);
	quoted(j->out, s);
	free(s);
}

void json_int(struct json *j, const char *key, int64_t v)
{
	prefix(j, key);
	fprintf(j->out, "%" PRId64, v);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	prefix(j, key);
	fprintf(j->out, "%" PRIu64, v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	prefix(j, key);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	prefix(j, key);
	fputs("null", j->out);
}

/* Written into BUF: RFC 3339 UTC text of NS. */
static char *rfc3339_utc(uint64_t ns, char *buf, size_t size)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	char date[32];

	if (!gmtime_r(&secs, &tm) || !strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(date, sizeof(date), "1970-01-01T00:00:00");
	snprintf(buf, size, "%s.%09" PRIu64 "Z", date, ns % 1000000000u);
	return buf;
}

void json_time(struct json *j, const char *key, uint64_t ns)
{
	char buf[64];

	json_str(j, key, rfc3339_utc(ns, buf, sizeof(buf)));
}

void json_mode(struct json *j, const char *key, mode_t mode)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%04o", (unsigned)(mode & 07777));
	json_str(j, key, buf);
}

void json_dev(struct json *j, const char *key, dev_t dev)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%u:%u", major(dev), minor(dev));
	json_str(j, key, buf);
}

void json_begin_document(struct json *j, const char *command, const char *record)
{
	json_open(j, NULL);
	json_int(j, "schema", JSON_SCHEMA_VERSION);
	json_str(j, "command", command);
	if (record)
		json_str(j, "record", record);
}
