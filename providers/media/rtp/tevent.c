/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RFC 4733 telephone-events: payload, sender and receiver.
 */
#include <errno.h>
#include <string.h>

#include "tevent.h"

static const char digits[] = "0123456789*#ABCD";

int tevent_from_digit(char digit)
{
	const char *p;

	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	if (digit == '\0')
		return -1;
	p = strchr(digits, digit);
	return p ? (int)(p - digits) : -1;
}

char tevent_to_digit(unsigned event)
{
	return event < 16 ? digits[event] : '\0';
}

int tevent_parse(const uint8_t *buf, size_t len, struct tevent_payload *out)
{
	if (len != TEVENT_SIZE)
		return -EINVAL;
	out->event = buf[0];
	out->end = buf[1] >> 7;
	/* §2.3: R is reserved, ignored by the receiver */
	out->volume = buf[1] & 0x3F;
	out->duration = (uint16_t)(buf[2] << 8 | buf[3]);
	return 0;
}

void tevent_write(const struct tevent_payload *p, uint8_t *buf)
{
	buf[0] = p->event;
	buf[1] = (uint8_t)((p->end ? 0x80 : 0) | (p->volume & 0x3F));
	buf[2] = (uint8_t)(p->duration >> 8);
	buf[3] = (uint8_t)p->duration;
}

int tevent_tx_start(struct tevent_tx *t, uint8_t event, uint8_t volume,
                    uint32_t ts, uint32_t length)
{
	if (volume > TEVENT_MAX_VOLUME || length == 0 || length > 0xFFFF)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->active = true;
	t->event = event;
	t->volume = volume;
	t->ts = ts;
	t->length = length;
	return 0;
}

void tevent_tx_stop(struct tevent_tx *t)
{
	if (t->active)
		t->stopping = true;
}

int tevent_tx_next(struct tevent_tx *t, uint32_t step, struct tevent_pkt *out)
{
	struct tevent_payload p;

	if (!t->active)
		return 0;
	if (t->ends_sent == 0) {
		uint32_t d = t->duration + step;

		if (d >= t->length)
			d = t->length;
		t->duration = d;
		if (d == t->length)
			t->stopping = true;
	}
	if (t->ends_sent >= TEVENT_END_PACKETS) {
		t->active = false;
		return 0;
	}
	p.event = t->event;
	p.volume = t->volume;
	p.duration = (uint16_t)t->duration;
	p.end = t->stopping;
	if (p.end)
		t->ends_sent++;
	out->marker = !t->sent_first;
	out->ts = t->ts;
	tevent_write(&p, out->payload);
	t->sent_first = true;
	return 1;
}

static void note(struct tevent_notes *notes, enum tevent_kind kind,
                 const struct tevent_rx *r)
{
	struct tevent_note *n = &notes->note[notes->n++];

	n->kind = kind;
	n->event = r->event;
	n->volume = r->volume;
	n->duration = kind == TEVENT_END ? r->duration : 0;
}

/* The event lasted @dur in its current segment: the whole grows with it
 * (a reordered packet with a shorter duration does not shrink it). */
static void lasted(struct tevent_rx *r, uint16_t dur)
{
	if (dur > r->seg_dur) {
		r->duration += dur - r->seg_dur;
		r->seg_dur = dur;
	}
}

int tevent_rx_input(struct tevent_rx *r, bool marker, uint32_t ts,
                    const uint8_t *payload, size_t len,
                    struct tevent_notes *notes)
{
	struct tevent_payload p;

	if (tevent_parse(payload, len, &p) != 0)
		return -EINVAL;
	notes->n = 0;
	if (r->have_ts && ts == r->ts) {
		/* the current event: an update, its end, or a repeated end
		 * (§2.5.2.2: ignored); another code at its timestamp is
		 * not an event of this sender's, also ignored */
		if (r->ended || p.event != r->event)
			return 0;
		lasted(r, p.duration);
		if (p.end) {
			r->ended = true;
			note(notes, TEVENT_END, r);
		}
		return 0;
	}
	if (r->have_ts && (int32_t)(ts - r->ts) < 0)
		return 0; /* a late packet of an earlier event */
	if (r->have_ts && !r->ended && !marker && p.event == r->event &&
	    ts == r->ts + r->seg_dur) {
		/* §2.5.1.3: the next segment of a long event */
		r->ts = ts;
		r->seg_dur = 0;
		lasted(r, p.duration);
		if (p.end) {
			r->ended = true;
			note(notes, TEVENT_END, r);
		}
		return 0;
	}
	if (r->have_ts && !r->ended)
		note(notes, TEVENT_END, r); /* its end packets were lost */
	r->have_ts = true;
	r->ended = false;
	r->event = p.event;
	r->volume = p.volume;
	r->ts = ts;
	r->seg_dur = 0;
	r->duration = 0;
	lasted(r, p.duration);
	note(notes, TEVENT_START, r);
	if (p.end) {
		r->ended = true;
		note(notes, TEVENT_END, r);
	}
	return 0;
}

void tevent_rx_flush(struct tevent_rx *r, struct tevent_notes *notes)
{
	notes->n = 0;
	if (r->have_ts && !r->ended) {
		r->ended = true;
		note(notes, TEVENT_END, r);
	}
}
