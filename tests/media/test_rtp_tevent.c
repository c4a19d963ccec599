/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tsp_rtp's RFC 4733 telephone-events (providers/media/rtp/tevent.h): the
 * packets a digit is sent in, and what a receiver makes of them when they
 * come in order, repeated, reordered or partly lost.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tevent.h"

/* RFC 4733 §3.2, table 7: the DTMF events. */
static void test_tevent_digit_codes(void **state)
{
	static const char all[] = "0123456789*#ABCD";
	unsigned i;

	(void)state;
	for (i = 0; i < 16; i++) {
		assert_int_equal(tevent_from_digit(all[i]), (int)i);
		assert_int_equal(tevent_to_digit(i), all[i]);
	}
	assert_int_equal(tevent_from_digit('c'), 14);
	assert_int_equal(tevent_from_digit('E'), -1);
	assert_int_equal(tevent_from_digit('\0'), -1);
	assert_int_equal(tevent_to_digit(16), '\0');
}

/* RFC 4733 §2.3: the payload is four bytes, no more, no less. */
static void test_tevent_payload(void **state)
{
	static const uint8_t pkt[4] = {11, 0x80 | 0x40 | 10, 0x03, 0x20};
	struct tevent_payload p;
	uint8_t back[4];

	(void)state;
	assert_int_equal(tevent_parse(pkt, 4, &p), 0);
	assert_int_equal(p.event, 11);
	assert_true(p.end);
	assert_int_equal(p.volume, 10); /* R ignored */
	assert_int_equal(p.duration, 800);
	tevent_write(&p, back);
	assert_int_equal(back[1], 0x80 | 10);
	assert_memory_equal(back + 2, pkt + 2, 2);
	assert_int_equal(tevent_parse(pkt, 3, &p), -EINVAL);
	assert_int_equal(tevent_parse(pkt, 5, &p), -EINVAL);
	assert_int_equal(tevent_parse(pkt, 8, &p), -EINVAL);
}

static void expect_pkt(struct tevent_tx *t, bool marker, bool end,
                       uint16_t duration)
{
	struct tevent_pkt pkt;
	struct tevent_payload p;

	assert_int_equal(tevent_tx_next(t, 160, &pkt), 1);
	assert_int_equal(pkt.marker, marker);
	assert_int_equal(pkt.ts, 8000);
	assert_int_equal(tevent_parse(pkt.payload, 4, &p), 0);
	assert_int_equal(p.event, 5);
	assert_int_equal(p.volume, 10);
	assert_int_equal(p.end, end);
	assert_int_equal(p.duration, duration);
}

/* RFC 4733 §2.5.1.2 - §2.5.1.4: a digit of 100 ms at 8 kHz in 20 ms
 * packets: the first with the marker, the duration growing by 160, the
 * end three times with the final duration, all at the start's timestamp. */
static void test_tevent_send_digit(void **state)
{
	struct tevent_tx t;
	struct tevent_pkt pkt;

	(void)state;
	assert_int_equal(tevent_tx_start(&t, 5, 10, 8000, 800), 0);
	expect_pkt(&t, true, false, 160);
	expect_pkt(&t, false, false, 320);
	expect_pkt(&t, false, false, 480);
	expect_pkt(&t, false, false, 640);
	expect_pkt(&t, false, true, 800);
	expect_pkt(&t, false, true, 800);
	expect_pkt(&t, false, true, 800);
	assert_int_equal(tevent_tx_next(&t, 160, &pkt), 0);
	assert_int_equal(tevent_tx_next(&t, 160, &pkt), 0);
	/* out of range */
	assert_int_equal(tevent_tx_start(&t, 5, 64, 0, 800), -EINVAL);
	assert_int_equal(tevent_tx_start(&t, 5, 0, 0, 0), -EINVAL);
	assert_int_equal(tevent_tx_start(&t, 5, 0, 0, 0x10000), -EINVAL);
}

/* A digit stopped early (a generation cancelled): ended at once, three
 * times, with the duration reached. */
static void test_tevent_send_stopped(void **state)
{
	struct tevent_tx t;
	struct tevent_pkt pkt;

	(void)state;
	assert_int_equal(tevent_tx_start(&t, 5, 10, 8000, 8000), 0);
	expect_pkt(&t, true, false, 160);
	tevent_tx_stop(&t);
	expect_pkt(&t, false, true, 320);
	expect_pkt(&t, false, true, 320);
	expect_pkt(&t, false, true, 320);
	assert_int_equal(tevent_tx_next(&t, 160, &pkt), 0);
}

static void input(struct tevent_rx *r, bool marker, uint32_t ts, uint8_t event,
                  bool end, uint16_t duration, struct tevent_notes *n)
{
	struct tevent_payload p = {
		.event = event, .end = end, .volume = 7, .duration = duration};
	uint8_t buf[4];

	tevent_write(&p, buf);
	memset(n, 0xA5, sizeof(*n));
	assert_int_equal(tevent_rx_input(r, marker, ts, buf, 4, n), 0);
}

static void expect_note(const struct tevent_notes *n, unsigned i,
                        enum tevent_kind kind, uint8_t event, uint32_t duration)
{
	assert_true(i < n->n);
	assert_int_equal(n->note[i].kind, kind);
	assert_int_equal(n->note[i].event, event);
	if (kind == TEVENT_END)
		assert_int_equal(n->note[i].duration, duration);
}

/* RFC 4733 §2.5.2.1, §2.5.2.2: what the sender sends is one start and one
 * end; the repeated ends are not digits again. */
static void test_tevent_receive_sent_digit(void **state)
{
	struct tevent_tx t;
	struct tevent_rx r;
	struct tevent_pkt pkt;
	struct tevent_notes n;
	unsigned starts = 0, ends = 0, i;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(tevent_tx_start(&t, 11, 10, 1000, 800), 0);
	while (tevent_tx_next(&t, 160, &pkt) == 1) {
		assert_int_equal(tevent_rx_input(&r, pkt.marker, pkt.ts,
		                                 pkt.payload, 4, &n),
		                 0);
		for (i = 0; i < n.n; i++) {
			assert_int_equal(n.note[i].event, 11);
			if (n.note[i].kind == TEVENT_START) {
				assert_int_equal(starts + ends, 0);
				starts++;
			} else {
				assert_int_equal(n.note[i].duration, 800);
				ends++;
			}
		}
	}
	assert_int_equal(starts, 1);
	assert_int_equal(ends, 1);
	/* the same digit again is a new event: a new timestamp */
	input(&r, true, 3000, 11, false, 160, &n);
	assert_int_equal(n.n, 1);
	expect_note(&n, 0, TEVENT_START, 11, 0);
}

/* RFC 4733 §2.5.2.1: the first packets lost, the event is recognised by
 * its new timestamp; the end of one whose end packets were all lost comes
 * with the start of the next; an end packet alone is a whole digit. */
static void test_tevent_receive_losses(void **state)
{
	struct tevent_rx r;
	struct tevent_notes n;

	(void)state;
	memset(&r, 0, sizeof(r));
	input(&r, false, 1000, 1, false, 480, &n);
	assert_int_equal(n.n, 1);
	expect_note(&n, 0, TEVENT_START, 1, 0);
	input(&r, false, 1000, 1, false, 640, &n);
	assert_int_equal(n.n, 0);
	/* a reordered update does not shorten it */
	input(&r, false, 1000, 1, false, 320, &n);
	assert_int_equal(n.n, 0);
	/* digit 2 begins: 1 ended, 640 long */
	input(&r, true, 2000, 2, false, 160, &n);
	assert_int_equal(n.n, 2);
	expect_note(&n, 0, TEVENT_END, 1, 640);
	expect_note(&n, 1, TEVENT_START, 2, 0);
	/* a late end of digit 1: ignored */
	input(&r, false, 1000, 1, true, 800, &n);
	assert_int_equal(n.n, 0);
	/* only an end of digit 3 arrives: 2 ends, 3 starts and ends */
	input(&r, false, 3000, 3, true, 800, &n);
	assert_int_equal(n.n, 3);
	expect_note(&n, 0, TEVENT_END, 2, 160);
	expect_note(&n, 1, TEVENT_START, 3, 0);
	expect_note(&n, 2, TEVENT_END, 3, 800);
	/* its repeats are suppressed */
	input(&r, false, 3000, 3, true, 800, &n);
	assert_int_equal(n.n, 0);
	/* a flush after an ended event tells nothing */
	tevent_rx_flush(&r, &n);
	assert_int_equal(n.n, 0);
	/* one that never ends is ended by the caller's time-out */
	input(&r, true, 4000, 4, false, 160, &n);
	tevent_rx_flush(&r, &n);
	assert_int_equal(n.n, 1);
	expect_note(&n, 0, TEVENT_END, 4, 160);
	/* not an event: nothing changes */
	memset(&n, 0xA5, sizeof(n));
	assert_int_equal(
		tevent_rx_input(&r, true, 5000, (const uint8_t *)"ab", 2, &n),
		-EINVAL);
	assert_int_equal(r.ts, 4000);
}

/* RFC 4733 §2.5.1.3: a long event goes on in a new segment whose
 * timestamp is the old one plus its duration, without the marker: one
 * event, its durations added. */
static void test_tevent_receive_long_event(void **state)
{
	struct tevent_rx r;
	struct tevent_notes n;

	(void)state;
	memset(&r, 0, sizeof(r));
	input(&r, true, 100, 0, false, 0xFFFF, &n);
	assert_int_equal(n.n, 1);
	input(&r, false, 100 + 0xFFFF, 0, false, 800, &n);
	assert_int_equal(n.n, 0);
	input(&r, false, 100 + 0xFFFF, 0, true, 1600, &n);
	assert_int_equal(n.n, 1);
	expect_note(&n, 0, TEVENT_END, 0, 0xFFFF + 1600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tevent_digit_codes),
		cmocka_unit_test(test_tevent_payload),
		cmocka_unit_test(test_tevent_send_digit),
		cmocka_unit_test(test_tevent_send_stopped),
		cmocka_unit_test(test_tevent_receive_sent_digit),
		cmocka_unit_test(test_tevent_receive_losses),
		cmocka_unit_test(test_tevent_receive_long_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
