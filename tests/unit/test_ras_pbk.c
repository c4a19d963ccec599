/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The phonebook reader (src/ras/pbk.c) against the rules of
 * ras-phonebook-and-rasdial.md §A1, §A3, §A4, and the TAPI → RAS error
 * tables of ras.md §11.2, §11.3 (src/ras/map.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ras/map.h"
#include "ras/pbk.h"
#include "util/mem.h"

static struct pbk parse_ok(const char *text)
{
	struct pbk pb;

	assert_int_equal(pbk_parse(text, strlen(text), &pb), 0);
	return pb;
}

/* §A4 — CR LF or LF, a BOM, comments, keys before the first entry */
static void test_pbk_reader_crlf_lf_bom(void **s)
{
	struct pbk pb;

	(void)s;
	pb = parse_ok("\xEF\xBB\xBFKey=ignored\r\n; comment\r\n[A]\r\n"
	              "Type=1\r\nMEDIA=rastapi\r\nDevice=line a  \r\n"
	              "DEVICE=modem\r\nPhoneNumber=123\r\n\r\n[B]\n"
	              "media=x\n");
	assert_int_equal(pb.n, 2);
	assert_string_equal(pb.v[0].name, "A");
	assert_int_equal(pb.v[0].type, 1);
	assert_string_equal(pb.v[0].device, "line a");
	assert_string_equal(pb.v[0].devtype, "modem");
	assert_string_equal(pb.v[0].number, "123");
	/* "media" is not the MEDIA marker (markers are upper case) */
	assert_null(pb.v[1].media);
	assert_ptr_equal(pbk_find(&pb, "B"), &pb.v[1]);
	assert_null(pbk_find(&pb, "b"));
	pbk_free(&pb);
}

/* §A1, §A3 — only the first MEDIA, its first DEVICE, the first number */
static void test_pbk_subsection_boundaries(void **s)
{
	struct pbk pb;

	(void)s;
	pb = parse_ok("[M]\nTapixLink=emulated\nTapixDialTimeout=7\n"
	              "MEDIA=rastapi\nPort=p1\nDevice=d1\nDEVICE=modem\n"
	              "PhoneNumber=1\nAreaCode=30\nCountryCode=49\n"
	              "UseDialingRules=1\nPhoneNumber=2\nDEVICE=isdn\n"
	              "PhoneNumber=3\nMEDIA=rastapi\nPort=p2\nDEVICE=x25\n"
	              "PhoneNumber=4\n");
	assert_int_equal(pb.n, 1);
	assert_string_equal(pb.v[0].link, "emulated");
	assert_int_equal(pb.v[0].dial_timeout, 7);
	assert_string_equal(pb.v[0].port, "p1");
	assert_string_equal(pb.v[0].device, "d1");
	assert_string_equal(pb.v[0].devtype, "modem");
	assert_string_equal(pb.v[0].number, "1");
	assert_string_equal(pb.v[0].area, "30");
	assert_string_equal(pb.v[0].country, "49");
	assert_int_equal(pb.v[0].use_rules, 1);
	/* a number before any DEVICE does not count */
	pbk_free(&pb);
	pb = parse_ok("[N]\nPhoneNumber=9\nMEDIA=rastapi\n");
	assert_null(pb.v[0].number);
	pbk_free(&pb);
}

/* §A4 — values of any length, verbatim; names up to 256 bytes */
static void test_pbk_reader_long_lines(void **s)
{
	size_t n = 100000, i;
	char *text = malloc(n + 600);
	struct pbk pb;
	char name[300];

	(void)s;
	assert_non_null(text);
	snprintf(text, n, "[L]\nMEDIA=rastapi\nDEVICE=modem\nPhoneNumber=");
	i = strlen(text);
	memset(text + i, '7', n);
	snprintf(text + i + n, 600, " ; not a comment\n");
	pb = parse_ok(text);
	assert_int_equal(strlen(pb.v[0].number), n + 16);
	pbk_free(&pb);
	/* a name of 257 bytes is skipped, of 256 kept */
	memset(name, 'n', 257);
	name[257] = '\0';
	snprintf(text, n, "[%s]\n[%s]\nType=2\n", name, name + 1);
	pb = parse_ok(text);
	assert_int_equal(pb.n, 1);
	assert_int_equal(pb.skipped, 1);
	assert_int_equal(strlen(pb.v[0].name), 256);
	pbk_free(&pb);
	free(text);
}

/* §A4 — duplicates: the first wins; broken files */
static void test_pbk_duplicates_and_corruption(void **s)
{
	struct pbk pb;

	(void)s;
	pb = parse_ok("[D]\nType=1\n[D]\nType=2\n[]\n");
	assert_int_equal(pb.n, 1);
	assert_int_equal(pb.v[0].type, 1);
	assert_int_equal(pb.skipped, 2);
	pbk_free(&pb);
	assert_int_equal(pbk_parse("[open\n", 6, &pb), ERROR_CORRUPT_PHONEBOOK);
	pbk_free(&pb);
	assert_int_equal(pbk_parse("[a]x\n", 5, &pb), ERROR_CORRUPT_PHONEBOOK);
	pbk_free(&pb);
	assert_int_equal(pbk_parse("[a]\n\0x", 6, &pb),
	                 ERROR_CORRUPT_PHONEBOOK);
	pbk_free(&pb);
	assert_int_equal(pbk_parse("", 0, &pb), 0);
	assert_int_equal(pb.n, 0);
	pbk_free(&pb);
	assert_int_equal(pbk_load("/nonexistent/x.pbk", &pb),
	                 ERROR_CANNOT_OPEN_PHONEBOOK);
	pbk_free(&pb);
}

/*
 * ras-phonebook §A1, §A4 — entry names are unique, the first of a
 * duplicate wins: a phonebook of 200 000 entries (well within the 16 MiB
 * a phonebook may have) is read, every entry counted once and a duplicate
 * of the first still found. Before, each entry was compared with every
 * one before it: hours for the largest phonebooks, minutes for this one.
 */
static void test_pbk_many_entries(void **s)
{
	enum {
		N = 200000
	};
	size_t cap = (size_t)N * 16 + 64, len = 0;
	char *text = malloc(cap);
	const struct pbk_entry *e;
	struct pbk pb;
	unsigned i;

	(void)s;
	assert_non_null(text);
	for (i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len, "[entry %u]\n",
		                        i);
	len += (size_t)snprintf(text + len, cap - len,
	                        "[entry 0]\nType=2\n[entry %u]\nType=3\n",
	                        N - 1);
	assert_int_equal(pbk_parse(text, len, &pb), 0);
	free(text);
	assert_int_equal(pb.n, N);
	assert_int_equal(pb.skipped, 2);
	e = pbk_find(&pb, "entry 0");
	assert_ptr_equal(e, &pb.v[0]);
	assert_int_equal(e->type, 0);
	assert_string_equal(pb.v[N - 1].name, "entry 199999");
	assert_int_equal(pb.v[N - 1].type, 0);
	pbk_free(&pb);
}

/*
 * Issue 19 item 12 — a phonebook path that is not a regular file (a
 * device that never ends, a FIFO nobody writes, a directory) cannot be
 * opened as a phonebook, at once: no hang, nothing kept.
 */
static void test_pbk_only_regular_files(void **s)
{
	char fifo[256], dir[256];
	const char *d = getenv("TMPDIR");
	const char *bad[] = {"/dev/zero", "/dev/urandom", fifo, dir};
	struct pbk pb;
	size_t i;

	(void)s;
	snprintf(fifo, sizeof(fifo), "%s/pbk-fifo", d && *d ? d : "/tmp");
	snprintf(dir, sizeof(dir), "%s/pbk-dir", d && *d ? d : "/tmp");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(pbk_load(bad[i], &pb),
		                 ERROR_CANNOT_OPEN_PHONEBOOK);
		assert_int_equal(pb.n, 0);
		pbk_free(&pb);
	}
	assert_int_equal(mem_live(), 0);
	unlink(fifo);
	rmdir(dir);
}

/* ras.md §11.2 */
static void test_ras_map_lineerr(void **s)
{
	(void)s;
	assert_int_equal(ras_map_lineerr(LINEERR_INUSE),
	                 ERROR_PORT_NOT_AVAILABLE);
	assert_int_equal(ras_map_lineerr(LINEERR_RESOURCEUNAVAIL),
	                 ERROR_PORT_NOT_AVAILABLE);
	assert_int_equal(ras_map_lineerr(LINEERR_NODEVICE),
	                 ERROR_DEVICE_DOES_NOT_EXIST);
	assert_int_equal(ras_map_lineerr(LINEERR_DIALDIALTONE),
	                 ERROR_BAD_PHONE_NUMBER);
	assert_int_equal(ras_map_lineerr(LINEERR_INVALADDRESS),
	                 ERROR_BAD_PHONE_NUMBER);
	assert_int_equal(ras_map_lineerr(LINEERR_INVALMEDIAMODE),
	                 ERROR_PORT_NOT_CONFIGURED);
	assert_int_equal(ras_map_lineerr(LINEERR_NOMEM),
	                 ERROR_NOT_ENOUGH_MEMORY);
	assert_int_equal(ras_map_lineerr(LINEERR_REINIT),
	                 ERROR_TAPI_CONFIGURATION);
	assert_int_equal(ras_map_lineerr(LINEERR_OPERATIONFAILED),
	                 ERROR_FROM_DEVICE);
}

/* ras.md §11.3, before and after RASCS_Connected */
static void test_ras_map_disconnect(void **s)
{
	static const struct {
		DWORD mode, before, after;
	} rows[] = {
		{LINEDISCONNECTMODE_NORMAL, ERROR_NO_CARRIER,
	         ERROR_REMOTE_DISCONNECTION},
		{LINEDISCONNECTMODE_BUSY, ERROR_LINE_BUSY,
	         ERROR_REMOTE_DISCONNECTION},
		{LINEDISCONNECTMODE_NOANSWER, ERROR_NO_ANSWER,
	         ERROR_REMOTE_DISCONNECTION},
		{LINEDISCONNECTMODE_REJECT, ERROR_REMOTE_DISCONNECTION,
	         ERROR_REMOTE_DISCONNECTION},
		{LINEDISCONNECTMODE_BADADDRESS, ERROR_BAD_PHONE_NUMBER,
	         ERROR_REMOTE_DISCONNECTION},
		{LINEDISCONNECTMODE_NODIALTONE, ERROR_NO_DIALTONE,
	         ERROR_DISCONNECTION},
		{LINEDISCONNECTMODE_CONGESTION, ERROR_LINE_BUSY,
	         ERROR_DISCONNECTION},
		{LINEDISCONNECTMODE_UNAVAIL, ERROR_NO_CARRIER,
	         ERROR_DISCONNECTION},
		{LINEDISCONNECTMODE_OUTOFORDER, ERROR_HARDWARE_FAILURE,
	         ERROR_HARDWARE_FAILURE},
		{LINEDISCONNECTMODE_CANCELLED, ERROR_USER_DISCONNECTION,
	         ERROR_USER_DISCONNECTION},
		{LINEDISCONNECTMODE_UNKNOWN, ERROR_DISCONNECTION,
	         ERROR_DISCONNECTION},
		{LINEDISCONNECTMODE_FORWARDED, ERROR_DISCONNECTION,
	         ERROR_DISCONNECTION},
	};
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(ras_map_disconnect(rows[i].mode, false),
		                 rows[i].before);
		assert_int_equal(ras_map_disconnect(rows[i].mode, true),
		                 rows[i].after);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pbk_only_regular_files),
		cmocka_unit_test(test_pbk_reader_crlf_lf_bom),
		cmocka_unit_test(test_pbk_subsection_boundaries),
		cmocka_unit_test(test_pbk_reader_long_lines),
		cmocka_unit_test(test_pbk_duplicates_and_corruption),
		cmocka_unit_test(test_pbk_many_entries),
		cmocka_unit_test(test_ras_map_lineerr),
		cmocka_unit_test(test_ras_map_disconnect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
