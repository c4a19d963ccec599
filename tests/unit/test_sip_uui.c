/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SIP provider's stack-free parts (providers/sip/uui.c): RFC 7433
 * User-to-User coding, and the documented map from SIP status to TAPI
 * call state and mode (tapix-sip(7), "How calls end").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "uui.h"

#define V14 0x00010004
#define V20 0x00020000

static void test_encode(void **s)
{
	char out[300];

	(void)s;
	assert_int_equal(
		sip_uui_encode(out, sizeof(out), (const uint8_t *)"Hello", 5),
		23);
	assert_string_equal(out, "48656C6C6F;encoding=hex");
	assert_int_equal(sip_uui_encode(out, sizeof(out), NULL, 0), 0);
	/* too long for a UUI, or for the buffer: nothing */
	assert_int_equal(sip_uui_encode(out, sizeof(out), (const uint8_t *)out,
	                                SIP_UUI_MAX + 1),
	                 0);
	assert_int_equal(sip_uui_encode(out, 10, (const uint8_t *)"Hello", 5),
	                 0);
}

static void assert_decodes(const char *value, const char *want, int len)
{
	uint8_t out[SIP_UUI_MAX];
	int n = sip_uui_decode(value, out, sizeof(out));

	if (n != len)
		print_error("\"%s\" decoded to %d bytes, wanted %d\n", value, n,
		            len);
	assert_int_equal(n, len);
	if (len > 0)
		assert_memory_equal(out, want, (size_t)len);
}

static void test_decode(void **s)
{
	char big[2 * SIP_UUI_MAX + 32];

	(void)s;
	assert_decodes("48656C6C6F;encoding=hex", "Hello", 5);
	assert_decodes("48656c6c6f ; encoding = HEX", "Hello", 5);
	assert_decodes("4F4B;encoding=hex;purpose=isdn-uui;content=isdn-uui",
	               "OK", 2);
	/* no encoding: hex if it is hex (common practice), else the bytes */
	assert_decodes("4F4B", "OK", 2);
	assert_decodes("abc", "abc", 3);
	assert_decodes("\"a \\\"b\\\"\"", "a \"b\"", 5);
	/* the first usable value of a list */
	assert_decodes("ZZ;encoding=hex, 4F4B;encoding=hex", "OK", 2);
	assert_decodes("\"x,y\";purpose=other, 4F4B", "OK", 2);
	/* unusable */
	assert_decodes("ZZ;encoding=hex", NULL, -1);
	assert_decodes("4F4;encoding=hex", NULL, -1);
	assert_decodes("4F4B;encoding=base64", NULL, -1);
	assert_decodes("4F4B;purpose=other", NULL, -1);
	assert_decodes("\"unterminated", NULL, -1);
	assert_decodes("", NULL, -1);
	assert_decodes(";encoding=hex", NULL, -1);
	assert_decodes("4F4B;=x", NULL, -1);
	assert_int_equal(sip_uui_decode(NULL, (uint8_t *)big, 4), -1);
	/* longer than the caller's buffer */
	memset(big, 'A', 2 * SIP_UUI_MAX + 2);
	memcpy(big + 2 * SIP_UUI_MAX + 2, ";encoding=hex", 14);
	assert_decodes(big, NULL, -1);
}

struct row {
	int status;
	DWORD state, mode14, mode20;
};

/* tapix-sip(7), "How calls end" */
static const struct row rows[] = {
	{486, LINECALLSTATE_BUSY, LINEBUSYMODE_STATION, LINEBUSYMODE_STATION},
	{600, LINECALLSTATE_BUSY, LINEBUSYMODE_STATION, LINEBUSYMODE_STATION},
	{404, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_BADADDRESS,
         LINEDISCONNECTMODE_BADADDRESS},
	{484, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_BADADDRESS,
         LINEDISCONNECTMODE_BADADDRESS},
	{604, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_BADADDRESS,
         LINEDISCONNECTMODE_BADADDRESS},
	{410, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_UNAVAIL,
         LINEDISCONNECTMODE_NUMBERCHANGED},
	{480, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_UNAVAIL,
         LINEDISCONNECTMODE_UNAVAIL},
	{408, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_NOANSWER,
         LINEDISCONNECTMODE_NOANSWER},
	{487, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_NOANSWER,
         LINEDISCONNECTMODE_NOANSWER},
	{403, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_UNAVAIL,
         LINEDISCONNECTMODE_BLOCKED},
	{904, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_UNAVAIL,
         LINEDISCONNECTMODE_BLOCKED},
	{603, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_REJECT,
         LINEDISCONNECTMODE_REJECT},
	{488, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_INCOMPATIBLE,
         LINEDISCONNECTMODE_INCOMPATIBLE},
	{606, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_INCOMPATIBLE,
         LINEDISCONNECTMODE_INCOMPATIBLE},
	{503, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_CONGESTION,
         LINEDISCONNECTMODE_CONGESTION},
	{500, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_UNAVAIL,
         LINEDISCONNECTMODE_TEMPFAILURE},
	{504, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_UNREACHABLE,
         LINEDISCONNECTMODE_UNREACHABLE},
	{302, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_FORWARDED,
         LINEDISCONNECTMODE_FORWARDED},
	{699, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_REJECT,
         LINEDISCONNECTMODE_REJECT},
	{418, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_UNKNOWN,
         LINEDISCONNECTMODE_UNKNOWN},
	{903, LINECALLSTATE_DISCONNECTED, LINEDISCONNECTMODE_UNREACHABLE,
         LINEDISCONNECTMODE_UNREACHABLE},
};

static void test_status_outcome(void **s)
{
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sip_outcome a = sip_status_outcome(rows[i].status, V14);
		struct sip_outcome b = sip_status_outcome(rows[i].status, V20);

		if (a.mode != rows[i].mode14 || b.mode != rows[i].mode20)
			print_error("status %d\n", rows[i].status);
		assert_int_equal(a.state, rows[i].state);
		assert_int_equal(b.state, rows[i].state);
		assert_int_equal(a.mode, rows[i].mode14);
		assert_int_equal(b.mode, rows[i].mode20);
	}
}

static void test_lost_mode(void **s)
{
	(void)s;
	assert_int_equal(sip_lost_mode(0, V20), LINEDISCONNECTMODE_NORMAL);
	assert_int_equal(sip_lost_mode(200, V20), LINEDISCONNECTMODE_NORMAL);
	assert_int_equal(sip_lost_mode(408, V20),
	                 LINEDISCONNECTMODE_UNREACHABLE);
	assert_int_equal(sip_lost_mode(503, V20),
	                 LINEDISCONNECTMODE_UNREACHABLE);
	assert_int_equal(sip_lost_mode(481, V20), LINEDISCONNECTMODE_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_status_outcome),
		cmocka_unit_test(test_lost_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
