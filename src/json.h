/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one JSON writer of procexe (schema v1, docs/schema-v1.json).
 *
 * A writer prints to a FILE as it goes: pretty (two-space indentation,
 * for -J) or compact (one line per top-level value, for --jsonl).  Keys
 * are trusted ASCII; string values are either trusted ASCII (json_str) or
 * untrusted bytes (json_bytes), which pass through escape_json() first.
 * KEY is NULL for an element of an array or a top-level value, and must
 * not be NULL inside an object.  Write errors are left on the FILE
 * (ferror); out of memory ends the program like the other x* helpers.
 */
#ifndef PROCEXE_JSON_H
#define PROCEXE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The schema version every document and every --jsonl line carries. */
#define JSON_SCHEMA_VERSION 1

struct json;

/* A writer on OUT (not owned).  Never NULL. */
struct json *json_new(FILE *out, bool pretty);
void json_free(struct json *j);

void json_open(struct json *j, const char *key);        /* { */
void json_close(struct json *j);                        /* } */
void json_open_array(struct json *j, const char *key);  /* [ */
void json_close_array(struct json *j);                  /* ] */

/* Ends a top-level value: a newline, and a flush in compact mode. */
void json_end_line(struct json *j);

void json_str(struct json *j, const char *key, const char *s);   /* NULL: null */
void json_bytes(struct json *j, const char *key, const void *buf, size_t len); /* NULL: null */
void json_int(struct json *j, const char *key, int64_t v);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* NS nanoseconds since the epoch as RFC 3339 UTC, nanoseconds always shown. */
void json_time(struct json *j, const char *key, uint64_t ns);
/* Permission bits of MODE as four octal digits, e.g. "0755". */
void json_mode(struct json *j, const char *key, mode_t mode);
/* "MAJOR:MINOR". */
void json_dev(struct json *j, const char *key, dev_t dev);

/* The start of a schema v1 document or --jsonl line: opens the top-level
 * object and writes "schema" and "command" (and "record" when not NULL). */
void json_begin_document(struct json *j, const char *command, const char *record);


#endif /* PROCEXE_JSON_H */
