/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tapix-tapi3-play: TAPI 3 file terminals in plain C on the embedded
 * emulated switch. Two TAPI objects of this program are the two ends of
 * a call from address 100 to 101: the caller plays a WAV file into the
 * call with a playback terminal, the called end records what it hears
 * with a recording terminal until the play list's end of file.
 *
 *   tapix-tapi3-play [PLAY.wav [RECORD.wav]]
 *
 * Without PLAY.wav it plays a second of a 1000 Hz tone it writes into a
 * temporary directory (removed at the end, with the recording, unless
 * RECORD.wav is given). Files are WAV, 16-bit PCM mono at the call's rate
 * (8000 Hz here). Exits 0 when the end of file came and something was
 * recorded, 1 otherwise.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tapi.h>
#include <tapix/tapi3.h>

#define WAIT_MS 5000
#define EVENTS  (TE_CALLNOTIFICATION | TE_CALLSTATE | TE_FILETERMINAL)

/* A second of 1000 Hz at 8000 Hz, 16-bit PCM mono. */
static bool write_tone(const char *path)
{
	uint8_t h[44] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0"
			"\x40\x1f\0\0\x80\x3e\0\0\x02\0\x10\0data";
	uint32_t bytes = 16000;
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	for (int i = 0; i < 4; i++) {
		h[4 + i] = (uint8_t)((36 + bytes) >> (8 * i));
		h[40 + i] = (uint8_t)(bytes >> (8 * i));
	}
	ok = fwrite(h, 1, sizeof(h), f) == sizeof(h);
	for (int i = 0; ok && i < 8000; i++) {
		int16_t v = (int16_t)(8000 * sin(2 * 3.14159265358979 * i / 8));
		uint8_t s[2] = {(uint8_t)v, (uint8_t)((uint16_t)v >> 8)};

		ok = fwrite(s, 1, 2, f) == 2;
	}
	return fclose(f) == 0 && ok;
}

/* Events of @t until one of @type about @call (any call if NULL) with
 * state @st (a CALL_STATE or TERMINAL_MEDIA_STATE); false on time-out. */
static bool wait_for(struct tapix_tapi *t, uint32_t type,
                     struct tapix_call **call, int st)
{
	for (;;) {
		struct tapix_event *ev;
		bool hit = false;

		if (tapix_tapi_get_event(t, &ev, WAIT_MS) != S_OK)
			return false;
		if (tapix_event_type(ev) == type &&
		    type == TE_CALLNOTIFICATION) {
			*call = tapix_event_call(ev);
			tapix_call_addref(*call);
			hit = true;
		} else if (tapix_event_type(ev) == type &&
		           type == TE_CALLSTATE) {
			CALL_STATE s;

			tapix_event_call_state(ev, &s, NULL);
			hit = tapix_event_call(ev) == *call && (int)s == st;
		} else if (tapix_event_type(ev) == type) {
			TERMINAL_MEDIA_STATE s;
			FT_STATE_EVENT_CAUSE why;

			tapix_event_file_terminal(ev, &s, &why, NULL);
			printf("file terminal: state %d, cause %d\n", (int)s,
			       (int)why);
			hit = (int)s == st;
		}
		tapix_event_release(ev);
		if (hit)
			return true;
	}
}

static struct tapix_tapi *up(const char *name, struct tapix_address **a,
                             size_t want)
{
	struct tapix_address **v;
	struct tapix_tapi *t;
	size_t n;

	if (tapix_tapi_initialize(&t, name) != S_OK)
		return NULL;
	if (tapix_tapi_enum_addresses(t, &v, &n) != S_OK || n <= want) {
		tapix_tapi_shutdown(t);
		return NULL;
	}
	*a = v[want];
	free(v);
	tapix_tapi_set_event_filter(t, EVENTS);
	return t;
}

int main(int argc, char **argv)
{
	char dir[256] = "", tone[300], rec[300];
	const char *play_path, *rec_path, *list[1];
	struct tapix_terminal *player = NULL, *recorder = NULL;
	struct tapix_call *out = NULL, *in = NULL;
	struct tapix_address *a0, *a1;
	struct tapix_tapi *x = NULL, *y = NULL;
	bool ok = false;
	struct stat st;
	int32_t cookie;

	if (argc < 3) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/tapix-play-XXXXXX",
		         tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir))
			return 1;
	}
	snprintf(tone, sizeof(tone), "%s/tone.wav", dir);
	snprintf(rec, sizeof(rec), "%s/rec.wav", dir);
	play_path = argc > 1 ? argv[1] : tone;
	rec_path = argc > 2 ? argv[2] : rec;
	if (argc < 2 && !write_tone(tone))
		goto out;
	x = up("player", &a0, 0);
	y = up("recorder", &a1, 1);
	if (!x || !y)
		goto down;
	/* the call: 100 → 101, answered by the recorder */
	if (tapix_tapi_register_call_notifications(y, a1, false, true,
	                                           TAPIMEDIATYPE_AUDIO, 0,
	                                           &cookie) != S_OK ||
	    tapix_address_create_call(a0, "101", LINEADDRESSTYPE_PHONENUMBER,
	                              TAPIMEDIATYPE_AUDIO, &out) != S_OK ||
	    tapix_call_connect(out, false) != S_OK ||
	    !wait_for(y, TE_CALLNOTIFICATION, &in, 0) ||
	    !wait_for(y, TE_CALLSTATE, &in, CS_OFFERING) ||
	    tapix_call_answer(in) != S_OK ||
	    !wait_for(x, TE_CALLSTATE, &out, CS_CONNECTED))
		goto down;
	/* ITTerminalSupport::CreateTerminal, put_FileName / put_PlayList,
	 * ITStream::SelectTerminal, ITMediaControl::Start */
	list[0] = play_path;
	if (tapix_address_create_terminal(
		    a1, CLSID_String_FileRecordingTerminal, TAPIMEDIATYPE_AUDIO,
		    TD_RENDER, &recorder) != S_OK ||
	    tapix_terminal_put_file_name(recorder, rec_path) != S_OK ||
	    tapix_call_select_terminal(in, recorder) != S_OK ||
	    tapix_terminal_start(recorder) != S_OK)
		goto down;
	if (tapix_address_create_terminal(a0, CLSID_String_FilePlaybackTerminal,
	                                  TAPIMEDIATYPE_AUDIO, TD_CAPTURE,
	                                  &player) != S_OK ||
	    tapix_terminal_put_play_list(player, list, 1) != S_OK ||
	    tapix_call_select_terminal(out, player) != S_OK ||
	    tapix_terminal_start(player) != S_OK)
		goto down;
	/* TMS_IDLE comes with FTEC_END_OF_FILE at the play list's end */
	if (!wait_for(x, TE_FILETERMINAL, NULL, TMS_IDLE))
		goto down;
	tapix_terminal_stop(recorder); /* the file is complete now */
	ok = stat(rec_path, &st) == 0 && st.st_size > 44;
	printf("recorded %s: %lld bytes of audio\n", rec_path,
	       ok ? (long long)st.st_size - 44 : 0LL);
down:
	tapix_terminal_release(player);
	tapix_terminal_release(recorder);
	if (out)
		tapix_call_disconnect(out, DC_NORMAL);
	tapix_call_release(out);
	tapix_call_release(in);
	tapix_tapi_shutdown(x);
	tapix_tapi_shutdown(y);
out:
	if (*dir) {
		unlink(tone);
		unlink(rec);
		rmdir(dir);
	}
	return ok ? 0 : 1;
}
