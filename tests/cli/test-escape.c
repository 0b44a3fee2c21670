/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for src/escape.c: hostile bytes in table, raw and JSON output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "escape-check.h"

/*
 * Escape the LEN bytes at IN from an exactly sized heap copy (so that ASan
 * sees a read past LEN) and compare with WANT.
 */
enum which { TABLE, RAW, JSON };

static char *run(enum which w, const char *in, size_t len)
{
	char *copy = malloc(len ? len : 1);
	char *out;

	assert_non_null(copy);
	memcpy(copy, in, len);
	switch (w) {
	case RAW:
		out = escape_text(copy, len, ESCAPE_BLANK);
		break;
	case JSON:
		out = escape_json(copy, len);
		break;
	default:
		out = escape_text(copy, len, 0);
		break;
	}
	free(copy);
	assert_non_null(out);
	return out;
}

static void expect_n(enum which w, const char *in, size_t len, const char *want)
{
	char *out = run(w, in, len);

	assert_string_equal(out, want);
	assert_true(check_roundtrip(out, in, len));
	if (w == JSON)
		assert_true(check_utf8(out));
	else
		assert_true(check_clean_utf8(out, w == RAW));
	free(out);
}

#define expect(w, in, want) expect_n(w, in, sizeof(in) - 1, want)

static void test_plain(void **state)
{
	expect(TABLE, "/usr/bin/sleep", "/usr/bin/sleep");
	expect(RAW, "/usr/bin/sleep", "/usr/bin/sleep");
	expect(JSON, "/usr/bin/sleep", "/usr/bin/sleep");
	expect(TABLE, "", "");
	expect(JSON, "", "");
}

static void test_empty_null(void **state)
{
	char *a = escape_text(NULL, 0, 0), *b = escape_json(NULL, 0);

	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, "");
	assert_string_equal(b, "");
	free(a);
	free(b);
}

static void test_csi_sequence(void **state)
{
	expect(TABLE, "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
	expect(RAW, "\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m");
	/* JSON leaves controls to the JSON writer (\u001b). */
	expect(JSON, "\x1b[31m", "\x1b[31m");
	/* OSC: set the window title, terminated by BEL. */
	expect(TABLE, "\x1b]0;pwned\a", "\\x1b]0;pwned\\x07");
}

static void test_newline_and_c0(void **state)
{
	expect(TABLE, "a\nb", "a\\x0ab");
	expect(TABLE, "\r\t\b\x01\x1f", "\\x0d\\x09\\x08\\x01\\x1f");
	expect(TABLE, "del\x7f", "del\\x7f");
	expect(JSON, "a\nb\x7f", "a\nb\\x7f");
}

static void test_embedded_nul(void **state)
{
	expect(TABLE, "a\0b", "a\\x00b");
	expect(JSON, "a\0b", "a\\x00b");
}

static void test_c1_lone_byte(void **state)
{
	/* 0x9b alone is 8-bit CSI to some terminals, and invalid UTF-8. */
	expect(TABLE, "\x9b" "31m", "\\x9b31m");
	expect(JSON, "\x9b" "31m", "\\x9b31m");
}

static void test_c1_utf8(void **state)
{
	/* U+009B encoded in UTF-8: valid, but a control. */
	expect(TABLE, "\xc2\x9b" "31m", "\\xc2\\x9b31m");
	expect(RAW, "\xc2\x9b", "\\xc2\\x9b");
	expect(TABLE, "\xc2\x80", "\\xc2\\x80");
	expect(TABLE, "\xc2\x9f", "\\xc2\\x9f");
	/* U+00A0 is the first code point after the C1 block. */
	expect(TABLE, "\xc2\xa0", "\xc2\xa0");
	/* JSON writes its bytes as \\xHH: no raw C1 in the JSON text. */
	expect(JSON, "\xc2\x9b", "\\xc2\\x9b");
}

static void test_invalid_utf8(void **state)
{
	expect(TABLE, "\xff\xfe", "\\xff\\xfe");
	expect(JSON, "\xff\xfe", "\\xff\\xfe");
	/* overlong '/' and overlong NUL */
	expect(TABLE, "\xc0\xaf", "\\xc0\\xaf");
	expect(TABLE, "\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	expect(JSON, "\xc0\x80", "\\xc0\\x80");
	/* surrogate U+D800 */
	expect(TABLE, "\xed\xa0\x80", "\\xed\\xa0\\x80");
	expect(JSON, "\xed\xa0\x80", "\\xed\\xa0\\x80");
	/* above U+10FFFF; and U+10FFFF itself is fine */
	expect(TABLE, "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	expect(TABLE, "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
	expect(TABLE, "\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
	/* truncated sequences, at the end and before ASCII */
	expect(TABLE, "\xe2\x82", "\\xe2\\x82");
	expect(TABLE, "\xe2\x82" "A", "\\xe2\\x82A");
	expect(JSON, "x\xe2\x82", "x\\xe2\\x82");
	/* a valid character right after an invalid byte survives */
	expect(TABLE, "\xff\xc3\xa9", "\\xff\xc3\xa9");
}

static void test_valid_utf8(void **state)
{
	expect(TABLE, "caf\xc3\xa9", "caf\xc3\xa9");              /* é */
	expect(RAW, "caf\xc3\xa9", "caf\xc3\xa9");
	expect(JSON, "caf\xc3\xa9", "caf\xc3\xa9");
	expect(TABLE, "\xe4\xb8\xad\xe6\x96\x87", "\xe4\xb8\xad\xe6\x96\x87");
	expect(TABLE, "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");    /* emoji */
}

static void test_backslash(void **state)
{
	expect(TABLE, "a\\b", "a\\\\b");
	expect(RAW, "a\\b", "a\\\\b");
	expect(JSON, "a\\b", "a\\\\b");
	/* a literal "\x41" must not read back as "A" */
	expect(TABLE, "\\x41", "\\\\x41");
	expect(JSON, "\\x41", "\\\\x41");
	expect(TABLE, "\\", "\\\\");
	expect(TABLE, "\\\\", "\\\\\\\\");
}

static void test_space(void **state)
{
	expect(TABLE, "a b", "a b");
	expect(RAW, "a b", "a\\x20b");
	expect(RAW, "a\tb", "a\\x09b");
	expect(JSON, "a b", "a b");
}

/*
 * Any byte string survives the round trip and never yields a control,
 * whatever its content: a deterministic sweep over biased random input.
 */
static void test_random_roundtrip(void **state)
{
	static const unsigned char alphabet[] = {
		0x00, 0x07, 0x0a, 0x1b, ' ', '\\', 'x', 'a', '0', '[', 0x7f,
		0x80, 0x9b, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xc3, 0xe0, 0xe2,
		0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff,
	};
	uint32_t seed = 12345;
	unsigned char buf[24];

	for (int iter = 0; iter < 20000; iter++) {
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % sizeof(buf);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alphabet[(seed >> 16) % sizeof(alphabet)];
		}
		for (int w = TABLE; w <= JSON; w++) {
			char *out = run(w, (const char *)buf, len);

			assert_true(check_roundtrip(out, buf, len));
			if (w == JSON)
				assert_true(check_utf8(out));
			else
				assert_true(check_clean_utf8(out, w == RAW));
			free(out);
		}
	}
}

/* The locale-dependent second pass of table output. */
static char *unprintable(const char *in)
{
	char *out = escape_unprintable(in);

	assert_non_null(out);
	return out;
}

static void test_unprintable_c_locale(void **state)
{
	char *out;

	assert_non_null(setlocale(LC_CTYPE, "C"));
	out = unprintable("caf\xc3\xa9 \\\\ \\x1b");
	/* every non-ASCII byte becomes \xHH; backslashes stay as they are */
	assert_string_equal(out, "caf\\xc3\\xa9 \\\\ \\x1b");
	assert_true(check_ascii(out));
	assert_true(check_roundtrip(out, "caf\xc3\xa9 \\ \x1b",
				    sizeof("caf\xc3\xa9 \\ \x1b") - 1));
	free(out);
}

static void test_unprintable_utf8_locale(void **state)
{
	char *out;

	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		skip();
		return;
	}
	out = unprintable("caf\xc3\xa9 \xe4\xb8\xad");
	assert_string_equal(out, "caf\xc3\xa9 \xe4\xb8\xad");
	free(out);
	/* U+0378 is unassigned: no width, so it must not reach libsmartcols */
	out = unprintable("a\xcd\xb8" "b");
	assert_string_equal(out, "a\\xcd\\xb8b");
	free(out);
	out = unprintable("\\\\x41");
	assert_string_equal(out, "\\\\x41");
	free(out);
	setlocale(LC_CTYPE, "C");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_empty_null),
		cmocka_unit_test(test_csi_sequence),
		cmocka_unit_test(test_newline_and_c0),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_c1_lone_byte),
		cmocka_unit_test(test_c1_utf8),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_backslash),
		cmocka_unit_test(test_space),
		cmocka_unit_test(test_random_roundtrip),
		cmocka_unit_test(test_unprintable_c_locale),
		cmocka_unit_test(test_unprintable_utf8_locale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
