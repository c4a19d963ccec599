/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The jitter buffer: packets held sorted by timestamp in a small array
 * (JBUF_SLOTS), a frame out per tick.
 */
#include <errno.h>
#include <string.h>

#include "jbuf.h"

#define MARGIN_MIN_US 1000 /* ticks come at least this long after */

int jbuf_init(struct jbuf *jb, const struct jbuf_config *cfg)
{
	uint64_t units;

	if (cfg->rate == 0 || cfg->rate > 192000 || cfg->frame_us < 1000 ||
	    cfg->frame_us > 200000 || cfg->min_frames == 0 ||
	    cfg->max_frames < cfg->min_frames ||
	    cfg->max_frames > JBUF_SLOTS / 2)
		return -EINVAL;
	units = (uint64_t)cfg->rate * cfg->frame_us;
	if (units % 1000000)
		return -EINVAL;
	memset(jb, 0, sizeof(*jb));
	for (unsigned i = 0; i < JBUF_SLOTS; i++)
		jb->order[i] = (uint8_t)i;
	jb->cfg = *cfg;
	jb->frame_ts = (uint32_t)(units / 1000000);
	jb->target = cfg->min_frames;
	return 0;
}

static struct jbuf_entry *entry(struct jbuf *jb, unsigned i)
{
	return &jb->slot[jb->order[i]];
}

/* Removes order[i], keeping its slot for reuse at the end. */
static void remove_at(struct jbuf *jb, unsigned i)
{
	uint8_t s = jb->order[i];

	memmove(jb->order + i, jb->order + i + 1, jb->n - i - 1);
	jb->n--;
	jb->order[jb->n] = s;
}

static void restart(struct jbuf *jb, uint32_t ts)
{
	jb->n = 0;
	jb->playing = true;
	jb->filling = true;
	jb->next_ts = ts;
	jb->empties = 0;
	jb->above = 0;
}

/* Frames from next_ts to the newest held, inclusive: the depth. */
static unsigned depth(const struct jbuf *jb)
{
	const struct jbuf_entry *e;
	int32_t d;

	if (!jb->n)
		return 0;
	e = &jb->slot[jb->order[jb->n - 1]];
	d = (int32_t)(e->ts - jb->next_ts);
	return d < 0 ? 0 : (unsigned)d / jb->frame_ts + 1;
}

/* The arrival jitter (as RFC 3550 A.8's D, in µs) as a peak that decays
 * by 1/32 per packet, and the least transit time, which creeps up by
 * 1/500 of a frame per packet to follow a drifting clock. A talk spurt's
 * first packet, or a difference beyond what the buffer could absorb, is
 * a pause or a jump of the sender's, not jitter. */
static void time_packet(struct jbuf *jb, uint32_t ts, bool marker,
                        uint64_t now_us)
{
	int64_t media_us, transit, d;
	int32_t step;
	bool jump = false;

	if (jb->has_last) {
		step = (int32_t)(ts - jb->last_ts);
		d = (int64_t)(now_us - jb->last_us) -
		    (int64_t)step * 1000000 / jb->cfg.rate;
		if (d < 0)
			d = -d;
		jump = d > (int64_t)(jb->cfg.max_frames + 1) * jb->cfg.frame_us;
		jb->peak_us -= jb->peak_us / 32;
		if (!marker && !jump && (uint64_t)d > jb->peak_us)
			jb->peak_us = (uint32_t)d;
		jb->ext_ts += step;
	}
	media_us = jb->ext_ts * 1000000 / jb->cfg.rate;
	transit = (int64_t)now_us - media_us;
	if (jb->has_last)
		jb->min_transit_us += jb->cfg.frame_us / 500;
	/* after a jump the transit is measured again from this packet: a
	 * timestamp far off (a sender that jumped, or a stray packet) must
	 * not leave the playout phase off for the creep to mend */
	if (!jb->has_last || jump || transit < jb->min_transit_us)
		jb->min_transit_us = transit;
	jb->has_last = true;
	jb->last_ts = ts;
	jb->last_us = now_us;
	/* the depth wanted: a frame more per frame interval of jitter */
	jb->target = jb->cfg.min_frames + jb->peak_us / jb->cfg.frame_us;
	if (jb->target > jb->cfg.max_frames)
		jb->target = jb->cfg.max_frames;
}

enum jbuf_put_result jbuf_put(struct jbuf *jb, uint16_t seq, uint32_t ts,
                              bool marker, const uint8_t *data, size_t len,
                              uint64_t now_us)
{
	struct jbuf_entry *e;
	unsigned i;
	int32_t d;

	if (len > JBUF_MAX_PAYLOAD) {
		jb->stats.toobig++;
		return JBUF_PUT_TOOBIG;
	}
	time_packet(jb, ts, marker, now_us);
	if (!jb->playing)
		restart(jb, ts);
	d = (int32_t)(ts - jb->next_ts);
	if (d < 0 && jb->next_ts - ts >= JBUF_SLOTS * jb->frame_ts) {
		/* far behind: the sender jumped back (or the packet is a
		 * stray); start again from it, as for a jump ahead, rather
		 * than drop the stream as late, or (filling) move the start
		 * so far back that what is held lies beyond any depth */
		jb->stats.resync++;
		restart(jb, ts);
	} else if (d < 0) {
		if (!jb->filling) {
			jb->stats.late++;
			return JBUF_PUT_LATE;
		}
		/* reordered before playing began: start earlier */
		jb->next_ts = ts;
	} else if ((uint32_t)d >= JBUF_SLOTS * jb->frame_ts) {
		/* far ahead: the sender jumped; start again from it */
		jb->stats.resync++;
		restart(jb, ts);
	}
	for (i = 0; i < jb->n; i++) {
		e = entry(jb, i);
		if (e->ts == ts || e->seq == seq) {
			jb->stats.dup++;
			return JBUF_PUT_DUP;
		}
	}
	if (jb->n == JBUF_SLOTS) {
		jb->stats.overflow++;
		return JBUF_PUT_OVERFLOW;
	}
	/* sorted by timestamp: after every older one */
	for (i = jb->n; i > 0; i--)
		if ((int32_t)(entry(jb, i - 1)->ts - ts) < 0)
			break;
	{
		uint8_t s = jb->order[jb->n];

		memmove(jb->order + i + 1, jb->order + i, jb->n - i);
		jb->order[i] = s;
		jb->n++;
	}
	e = entry(jb, i);
	e->ts = ts;
	e->seq = seq;
	e->marker = marker;
	e->len = (uint16_t)len;
	if (len)
		memcpy(e->data, data, len);
	jb->stats.put++;
	return JBUF_PUT_OK;
}

static enum jbuf_get_result play_head(struct jbuf *jb, struct jbuf_frame *out)
{
	struct jbuf_entry *e = entry(jb, 0);

	memcpy(jb->out, e->data, e->len);
	out->ts = e->ts;
	out->seq = e->seq;
	out->data = jb->out;
	out->len = e->len;
	jb->next_ts = e->ts + jb->frame_ts;
	remove_at(jb, 0);
	jb->stats.played++;
	return JBUF_FRAME;
}

enum jbuf_get_result jbuf_get(struct jbuf *jb, struct jbuf_frame *out)
{
	unsigned level;
	int32_t d;

	if (!jb->playing)
		return JBUF_EMPTY;
	/* what the last tick passed by is late now */
	while (jb->n && (int32_t)(entry(jb, 0)->ts - jb->next_ts) < 0) {
		remove_at(jb, 0);
		jb->stats.late++;
	}
	level = depth(jb);
	if (jb->filling) {
		if (level < jb->target)
			return JBUF_EMPTY;
		jb->filling = false;
	}
	if (!jb->n) {
		/* nothing held: wait a frame for it (the depth grows by
		 * one), up to max_frames; then the sender has stopped */
		if (++jb->empties > jb->cfg.max_frames) {
			jb->playing = false;
			return JBUF_EMPTY;
		}
		jb->stats.lost++;
		return JBUF_LOST;
	}
	jb->empties = 0;
	/* deeper than wanted for a while, or than allowed: drop a frame;
	 * the deeper, the sooner (JBUF_SHRINK_AFTER ticks a frame too deep,
	 * half that two too deep...): a starved playout that grew by several
	 * frames at once comes back in about that many ticks in all */
	jb->above = level > jb->target ? jb->above + 1 : 0;
	if (level > jb->cfg.max_frames ||
	    (level > jb->target &&
	     jb->above * (level - jb->target) >= JBUF_SHRINK_AFTER)) {
		jb->above = 0;
		jb->stats.shrunk++;
		jb->next_ts += jb->frame_ts;
		while (jb->n && (int32_t)(entry(jb, 0)->ts - jb->next_ts) < 0)
			remove_at(jb, 0);
		if (!jb->n) {
			jb->stats.lost++;
			return JBUF_LOST;
		}
	}
	d = (int32_t)(entry(jb, 0)->ts - jb->next_ts);
	if ((uint32_t)d < jb->frame_ts)
		return play_head(jb, out);
	if (entry(jb, 0)->marker) {
		/* a talk spurt after silence: the gap was not loss */
		return play_head(jb, out);
	}
	jb->next_ts += jb->frame_ts;
	jb->stats.lost++;
	return JBUF_LOST;
}

uint32_t jbuf_phase_us(const struct jbuf *jb)
{
	int64_t media_us, margin, p;

	if (!jb->has_last)
		return 0;
	media_us = jb->ext_ts * 1000000 / jb->cfg.rate;
	margin = jb->peak_us > MARGIN_MIN_US ? jb->peak_us : MARGIN_MIN_US;
	if (margin > jb->cfg.frame_us)
		margin = jb->cfg.frame_us;
	p = (media_us + jb->min_transit_us + margin) % jb->cfg.frame_us;
	return (uint32_t)(p < 0 ? p + jb->cfg.frame_us : p);
}

bool jbuf_due(const struct jbuf *jb)
{
	const struct jbuf_entry *e;

	if (!jb->playing || !jb->n)
		return false;
	if (depth(jb) < jb->target)
		return false;
	e = &jb->slot[jb->order[0]];
	return (uint32_t)(e->ts - jb->next_ts) < jb->frame_ts;
}

unsigned jbuf_target(const struct jbuf *jb)
{
	return jb->target;
}

const struct jbuf_stats *jbuf_stats(const struct jbuf *jb)
{
	return &jb->stats;
}
