/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * File terminals of the TAPI 3 layer (ITTerminal, ITMediaControl,
 * ITMediaPlayback, ITMediaRecord; ITStream::SelectTerminal) and the media
 * thread that moves their audio between WAV files and a call's wave
 * descriptors (lineGetID "wave/out", "wave/in": 16-bit PCM mono, tapi.h's
 * TAPIXWAVEID).
 *
 * Threads: one media thread per tapix_tapi, started by the first Start
 * and joined at shutdown, polls the running terminals' descriptors and
 * an eventfd. What it reads and writes (term->io) is its own while the
 * terminal is in t->media (in_media); the rest of a terminal is guarded by
 * the session's lock, which the thread takes to look at states and stop
 * requests, never around file or socket I/O. Sends are non-blocking: the
 * call's wave/out (a small socket buffer the provider empties 20 ms every
 * 20 ms) paces playback, and neither the engine thread nor the methods
 * ever wait for I/O. Stop waits for the media thread to end the terminal
 * (a recording's header is written then); a call's end only asks it to.
 */
#define LOG_MODULE "tapi3"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tapi3/map.h"
#include "tapi3/t3.h"
#include "tapi3/wav.h"
#include "util/log.h"
#include "util/mem.h"

/* ---- WAV files (tapi3/wav.h) ------------------------------------------------
 */

/* An errno of open() or read() as the HRESULT Windows would give. */
static HRESULT hr_from_errno(int e)
{
	switch (e) {
	case ENOENT:
		return TAPIX_E_FILE_NOT_FOUND;
	case ENOTDIR:
		return TAPIX_E_PATH_NOT_FOUND;
	case EACCES:
	case EPERM:
	case EROFS:
	case EISDIR:
		return E_ACCESSDENIED;
	case ENOMEM:
		return E_OUTOFMEMORY;
	default:
		return E_FAIL;
	}
}

static bool write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(fd, (const uint8_t *)buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		done += (size_t)r;
	}
	return true;
}

/*
 * Opens WAV file @path for playback (tapi3/wav.h says which): on S_OK
 * *@fd is positioned at the samples, *@rate and *@bytes (even, within
 * the file) say what they are. TAPI_E_INVALIDMEDIATYPE for anything
 * else, or a file that is not a regular one; an open() error mapped.
 */
static HRESULT wav_open(const char *path, int *fd, uint32_t *rate,
                        uint64_t *bytes)
{
	struct stat sb;
	int f;

	/* (O_NONBLOCK: a FIFO given for a file must not hang the caller) */
	f = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (f < 0)
		return hr_from_errno(errno);
	if (fstat(f, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    wav_read(f, rate, bytes) != 0) {
		close(f);
		return TAPI_E_INVALIDMEDIATYPE;
	}
	*fd = f;
	return S_OK;
}

/* ---- lifetime --------------------------------------------------------------
 */

static void term_free_locked(struct tapix_terminal *term)
{
	struct tapix_tapi *t = term->t;
	size_t i;

	for (i = 0; i < term->nfiles; i++)
		mem_free(term->files[i]);
	mem_free(term->files);
	mem_free(term->path);
	mem_free(term);
	session_unref_locked(t);
}

static void media_wake(struct tapix_tapi *t)
{
	uint64_t one = 1;

	if (t->media_wake >= 0 &&
	    write(t->media_wake, &one, sizeof(one)) != sizeof(one))
		log_warn("media thread not woken: %s", strerror(errno));
}

/* Asks the media thread to end @term (running) with @cause. */
static void request_stop_locked(struct tapix_terminal *term,
                                FT_STATE_EVENT_CAUSE cause)
{
	if (!term->in_media || term->stop_req)
		return;
	term->stop_req = true;
	term->stop_cause = cause;
	term->stop_error = S_OK;
	media_wake(term->t);
}

void term_unref_locked(struct tapix_terminal *term)
{
	if (!term->refs) {
		log_warn("a terminal was released once too often");
		return;
	}
	if (--term->refs)
		return;
	/* running: the media thread ends it, then it goes */
	if (term->in_media) {
		request_stop_locked(term, FTEC_NORMAL);
		return;
	}
	if (!term->busy)
		term_free_locked(term);
}

/* A TE_FILETERMINAL event about @term, if anyone may still see it. */
static void post_locked(struct tapix_terminal *term, TERMINAL_MEDIA_STATE st,
                        FT_STATE_EVENT_CAUSE cause, HRESULT error)
{
	struct tapix_tapi *t = term->t;
	struct tapix_call *c = term->call;
	struct tapix_event *ev;

	if (!term->refs || t->down || !(t->filter & TE_FILETERMINAL))
		return;
	if (c && !c->released)
		ev = session_event_new_locked(c, TE_FILETERMINAL);
	else
		ev = session_event_alloc_locked(t, TE_FILETERMINAL);
	if (!ev) {
		log_err("out of memory: a file terminal event lost");
		return;
	}
	ev->term = term;
	term->refs++;
	ev->tms = st;
	ev->ftec = cause;
	ev->error = error;
	if (c)
		ev->cbinst = c->cbinst;
	session_post_locked(t, ev);
}

/* ---- the media thread ------------------------------------------------------
 */

enum io_end {
	IO_GOES,     /* nothing happened that ends it */
	IO_EOF,      /* the play list is done */
	IO_CALL_END, /* the call's media ended (end of file, broken pipe) */
	IO_READ_ERR,
	IO_WRITE_ERR,
};

/* Opens play list item io->item (no lock: the list does not change while
 * the terminal runs). */
static enum io_end play_open_item(struct tapix_terminal *term)
{
	struct term_io *io = &term->io;
	uint32_t rate = 0;

	if (io->file >= 0) {
		close(io->file);
		io->file = -1;
	}
	if (io->item >= term->nfiles)
		return IO_EOF;
	if (wav_open(term->files[io->item], &io->file, &rate, &io->left) !=
	            S_OK ||
	    rate != io->rate) {
		if (io->file >= 0)
			close(io->file);
		io->file = -1;
		return IO_READ_ERR;
	}
	return IO_GOES;
}

/* Playback: sends what wave/out takes now, reading on from the files. */
static enum io_end play_io(struct tapix_terminal *term)
{
	struct term_io *io = &term->io;

	for (;;) {
		ssize_t n;

		while (io->off == io->len) {
			size_t want = sizeof(io->buf);
			ssize_t r;

			if (!io->left) {
				enum io_end e;

				io->item++;
				e = play_open_item(term);
				if (e != IO_GOES)
					return e;
				continue;
			}
			if (want > io->left)
				want = (size_t)io->left;
			r = read(io->file, io->buf, want);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 1)
				return IO_READ_ERR;
			if (r & 1) { /* whole samples only */
				r--;
				if (lseek(io->file, -1, SEEK_CUR) < 0)
					return IO_READ_ERR;
			}
			io->left -= (uint64_t)r;
			io->off = 0;
			io->len = (size_t)r;
		}
		n = send(io->fd, io->buf + io->off, io->len - io->off,
		         MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return IO_GOES;
		if (n <= 0)
			return IO_CALL_END;
		io->off += (size_t)n;
	}
}

/* Recording: what wave/in has now goes to the file (or, paused, away). */
static enum io_end record_io(struct tapix_terminal *term, bool paused)
{
	struct term_io *io = &term->io;
	uint8_t buf[2048 + 1];

	for (;;) {
		size_t have = 0;
		ssize_t n;

		if (io->has_carry && !paused)
			buf[have++] = io->carry;
		n = recv(io->fd, buf + have, sizeof(buf) - 1 - have,
		         MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return IO_GOES;
		if (n <= 0)
			return IO_CALL_END;
		if (paused)
			continue;
		have += (size_t)n;
		io->has_carry = have & 1;
		if (io->has_carry)
			io->carry = buf[--have];
		if (io->written + have > 0xFFFFFFFFull - 36 - WAV_HEADER)
			return IO_WRITE_ERR; /* a RIFF file's limit */
		if (!write_full(io->file, buf, have))
			return IO_WRITE_ERR;
		io->written += have;
	}
}

/* Ends @term's I/O (no lock): files closed, a recording's header written.
 * Returns false when that failed. */
static bool io_finish(struct tapix_terminal *term)
{
	struct term_io *io = &term->io;
	bool ok = true;

	if (term->kind == TERM_RECORD && io->file >= 0) {
		uint8_t h[WAV_HEADER];

		wav_header(h, io->rate, (uint32_t)io->written);
		ok = pwrite(io->file, h, sizeof(h), 0) == (ssize_t)sizeof(h);
	}
	if (io->file >= 0 && close(io->file) != 0)
		ok = false;
	io->file = -1;
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	return ok;
}

static FT_STATE_EVENT_CAUSE cause_of(enum io_end e)
{
	switch (e) {
	case IO_EOF:
		return FTEC_END_OF_FILE;
	case IO_READ_ERR:
		return FTEC_READ_ERROR;
	case IO_WRITE_ERR:
		return FTEC_WRITE_ERROR;
	default:
		return FTEC_NORMAL;
	}
}

/* What the media thread looks at in one round. */
struct round {
	struct pollfd *pfd; /* [0]: the wake eventfd */
	struct tapix_terminal **who;
	bool *paused;
	enum io_end *end;
	size_t cap;
};

static bool round_fit(struct round *r, size_t n)
{
	struct pollfd *p;
	struct tapix_terminal **w;
	enum io_end *e;
	bool *z;

	if (n <= r->cap)
		return true;
	p = mem_realloc(r->pfd, n * sizeof(*p));
	if (p)
		r->pfd = p;
	w = mem_realloc(r->who, n * sizeof(*w));
	if (w)
		r->who = w;
	z = mem_realloc(r->paused, n * sizeof(*z));
	if (z)
		r->paused = z;
	e = mem_realloc(r->end, n * sizeof(*e));
	if (e)
		r->end = e;
	if (!p || !w || !z || !e)
		return false;
	r->cap = n;
	return true;
}

/* Ends a terminal the media thread has (@term->stop_req): no lock for the
 * I/O, then its state and event under the lock. */
static void end_locked(struct tapix_tapi *t, struct tapix_terminal *term)
{
	FT_STATE_EVENT_CAUSE cause;
	HRESULT error;
	bool ok;

	apprt_unlock(&t->rt);
	ok = io_finish(term);
	apprt_lock(&t->rt);
	cause = term->stop_cause;
	error = term->stop_error;
	if (!ok && term->kind == TERM_RECORD && cause == FTEC_NORMAL) {
		cause = FTEC_WRITE_ERROR;
		error = E_FAIL;
	}
	list_del(&term->mlink);
	term->in_media = false;
	term->stop_req = false;
	term->state = TMS_IDLE;
	post_locked(term, TMS_IDLE, cause, error);
	pthread_cond_broadcast(&t->cond); /* Stop waits for this */
	if (!term->refs && !term->busy)
		term_free_locked(term);
}

static void *media_main(void *arg)
{
	struct tapix_tapi *t = arg;
	struct round r = {0};
	uint64_t v;

	apprt_lock(&t->rt);
	for (;;) {
		struct list_node *it;
		size_t n = 1, i;
		bool ended = false;

		/* terminals to end first, one at a time (the lock is let go
		 * meanwhile: look again after each) */
		list_foreach(it, &t->media) {
			struct tapix_terminal *term =
				list_entry(it, struct tapix_terminal, mlink);

			if (term->stop_req) {
				end_locked(t, term);
				ended = true;
				break;
			}
		}
		if (ended)
			continue;
		if (t->media_quit && list_empty(&t->media))
			break;
		list_foreach(it, &t->media)
			n++;
		if (!round_fit(&r, n))
			n = r.cap; /* out of memory: the first ones only */
		if (!n) {
			/* not even the wake descriptor: try again soon */
			apprt_unlock(&t->rt);
			(void)poll(NULL, 0, 20);
			apprt_lock(&t->rt);
			continue;
		}
		r.pfd[0].fd = t->media_wake;
		r.pfd[0].events = POLLIN;
		i = 1;
		list_foreach(it, &t->media) {
			struct tapix_terminal *term =
				list_entry(it, struct tapix_terminal, mlink);

			if (i == n)
				break;
			r.who[i] = term;
			r.paused[i] = term->state == TMS_PAUSED;
			r.pfd[i].fd = term->io.fd;
			/* paused playback sends nothing (hang-ups are still
			 * told); recording reads on, paused or not */
			r.pfd[i].events = term->kind == TERM_RECORD ? POLLIN
			                  : r.paused[i]             ? 0
			                                            : POLLOUT;
			i++;
		}
		/* the terminals in the round stay: only this thread takes
		 * them out of t->media */
		apprt_unlock(&t->rt);
		if (poll(r.pfd, n, -1) < 0 && errno != EINTR)
			log_warn("media poll: %s", strerror(errno));
		if ((r.pfd[0].revents & POLLIN) &&
		    read(t->media_wake, &v, sizeof(v)) < 0 && errno != EAGAIN)
			log_warn("media wake: %s", strerror(errno));
		for (i = 1; i < n; i++) {
			struct tapix_terminal *term = r.who[i];
			short re = r.pfd[i].revents;

			r.end[i] = IO_GOES;
			if (!re)
				continue;
			if (term->kind == TERM_RECORD)
				r.end[i] = record_io(term, r.paused[i]);
			else if (re & (POLLERR | POLLHUP | POLLNVAL))
				r.end[i] = IO_CALL_END;
			else if (re & POLLOUT)
				r.end[i] = play_io(term);
		}
		apprt_lock(&t->rt);
		for (i = 1; i < n; i++) {
			struct tapix_terminal *term = r.who[i];

			if (r.end[i] == IO_GOES || term->stop_req)
				continue;
			term->stop_req = true;
			term->stop_cause = cause_of(r.end[i]);
			term->stop_error =
				r.end[i] == IO_READ_ERR ||
						r.end[i] == IO_WRITE_ERR
					? E_FAIL
					: S_OK;
		}
	}
	apprt_unlock(&t->rt);
	mem_free(r.pfd);
	mem_free(r.who);
	mem_free(r.paused);
	mem_free(r.end);
	return NULL;
}

/* Starts the media thread if it does not run; false when it cannot. */
static bool media_start_locked(struct tapix_tapi *t)
{
	if (t->media_on)
		return true;
	if (t->media_wake < 0) {
		t->media_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (t->media_wake < 0)
			return false;
	}
	if (pthread_create(&t->media_thread, NULL, media_main, t) != 0)
		return false;
	t->media_on = true;
	return true;
}

void term_shutdown(struct tapix_tapi *t)
{
	struct list_node *it;
	bool join;

	apprt_lock(&t->rt);
	list_foreach(it, &t->media) {
		struct tapix_terminal *term =
			list_entry(it, struct tapix_terminal, mlink);

		request_stop_locked(term, FTEC_NORMAL);
	}
	t->media_quit = true;
	join = t->media_on;
	t->media_on = false;
	media_wake(t);
	apprt_unlock(&t->rt);
	if (join)
		pthread_join(t->media_thread, NULL);
}

/* ---- calls and their terminals ---------------------------------------------
 */

void term_call_ended_locked(struct tapix_call *c)
{
	unsigned i;

	for (i = 0; i < 2; i++)
		if (c->term[i])
			request_stop_locked(c->term[i], FTEC_NORMAL);
}

void term_unselect_all_locked(struct tapix_call *c)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct tapix_terminal *term = c->term[i];

		if (!term)
			continue;
		c->term[i] = NULL;
		term->call = NULL;
		request_stop_locked(term, FTEC_NORMAL);
		term_unref_locked(term); /* the selection's */
	}
}

/* ---- entry points ----------------------------------------------------------
 */

HRESULT tapix_address_create_terminal(struct tapix_address *a,
                                      const char *terminal_class,
                                      uint32_t media_type,
                                      TERMINAL_DIRECTION direction,
                                      struct tapix_terminal **out)
{
	struct tapix_terminal *term;
	enum term_kind kind;
	struct tapix_tapi *t;

	if (!a || !terminal_class || !out)
		return E_POINTER;
	/* Microsoft's CreateTerminal: E_INVALIDARG for a class or media
	 * type it cannot make; a file terminal goes one way */
	if (!strcasecmp(terminal_class, CLSID_String_FilePlaybackTerminal) &&
	    direction == TD_CAPTURE)
		kind = TERM_PLAY;
	else if (!strcasecmp(terminal_class,
	                     CLSID_String_FileRecordingTerminal) &&
	         direction == TD_RENDER)
		kind = TERM_RECORD;
	else
		return E_INVALIDARG;
	if (media_type != TAPIMEDIATYPE_AUDIO)
		return E_INVALIDARG;
	t = a->t;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	if (!session_own_address(t, a)) {
		session_unlock(t);
		return E_INVALIDARG;
	}
	term = mem_zalloc(sizeof(*term));
	if (!term) {
		session_unlock(t);
		return E_OUTOFMEMORY;
	}
	list_init(&term->mlink);
	term->t = t;
	term->kind = kind;
	term->refs = 1;
	term->state = TMS_IDLE;
	term->io.fd = -1;
	term->io.file = -1;
	t->refs++;
	*out = term;
	session_unlock(t);
	return S_OK;
}

void tapix_terminal_addref(struct tapix_terminal *term)
{
	if (!term)
		return;
	apprt_lock(&term->t->rt);
	term->refs++;
	apprt_unlock(&term->t->rt);
}

void tapix_terminal_release(struct tapix_terminal *term)
{
	struct tapix_tapi *t;

	if (!term)
		return;
	t = term->t;
	apprt_lock(&t->rt);
	term_unref_locked(term);
	session_unlock(t);
}

TERMINAL_DIRECTION
tapix_terminal_get_direction(const struct tapix_terminal *term)
{
	if (!term)
		return TD_NONE;
	return term->kind == TERM_PLAY ? TD_CAPTURE : TD_RENDER;
}

/* Locks @term's session for a method: S_OK, E_POINTER, NOT_INITIALIZED. */
static HRESULT term_enter(struct tapix_terminal *term)
{
	if (!term)
		return E_POINTER;
	if (!session_enter(term->t))
		return TAPI_E_NOT_INITIALIZED;
	return S_OK;
}

static HRESULT term_leave(struct tapix_terminal *term, HRESULT hr)
{
	return session_leave(term->t, hr);
}

/* Waits until no Start opens @term's media. */
static void wait_idle_start_locked(struct tapix_terminal *term)
{
	while (term->busy)
		pthread_cond_wait(&term->t->cond, &term->t->lock);
}

HRESULT tapix_terminal_put_play_list(struct tapix_terminal *term,
                                     const char *const *files, size_t n)
{
	char **v = NULL;
	HRESULT hr = S_OK;
	size_t i, k;

	if (!term || !files)
		return E_POINTER;
	if (term->kind != TERM_PLAY)
		return E_NOINTERFACE; /* no ITMediaPlayback on a recorder */
	if (!n || n > SIZE_MAX / sizeof(char *))
		return E_INVALIDARG;
	for (i = 0; i < n; i++)
		if (!files[i])
			return E_POINTER;
	/* each file exists and is a WAV file this layer plays (no lock:
	 * nothing of the terminal's is used) */
	for (i = 0; i < n && hr == S_OK; i++) {
		uint64_t bytes;
		uint32_t rate;
		int fd = -1;

		hr = wav_open(files[i], &fd, &rate, &bytes);
		if (hr == S_OK)
			close(fd);
	}
	if (hr != S_OK)
		return hr;
	v = mem_zalloc(n * sizeof(*v));
	if (!v)
		return E_OUTOFMEMORY;
	for (i = 0; i < n; i++) {
		v[i] = mem_strdup(files[i]);
		if (!v[i]) {
			for (k = 0; k < i; k++)
				mem_free(v[k]);
			mem_free(v);
			return E_OUTOFMEMORY;
		}
	}
	if ((hr = term_enter(term)) != S_OK) {
		for (k = 0; k < n; k++)
			mem_free(v[k]);
		mem_free(v);
		return hr;
	}
	wait_idle_start_locked(term);
	if (term->state != TMS_IDLE) {
		hr = TAPI_E_WRONG_STATE;
	} else {
		char **old = term->files;
		size_t nold = term->nfiles;

		term->files = v;
		term->nfiles = n;
		v = old;
		n = nold;
	}
	for (k = 0; k < n; k++)
		mem_free(v[k]);
	mem_free(v);
	return term_leave(term, hr);
}

HRESULT tapix_terminal_put_file_name(struct tapix_terminal *term,
                                     const char *path)
{
	HRESULT hr;
	char *p;

	if (!term || !path)
		return E_POINTER;
	if (term->kind != TERM_RECORD)
		return E_NOINTERFACE; /* no ITMediaRecord on a player */
	if (!*path)
		return E_INVALIDARG;
	p = mem_strdup(path);
	if (!p)
		return E_OUTOFMEMORY;
	if ((hr = term_enter(term)) != S_OK) {
		mem_free(p);
		return hr;
	}
	wait_idle_start_locked(term);
	if (term->state != TMS_IDLE) {
		mem_free(p);
		return term_leave(term, TAPI_E_WRONG_STATE);
	}
	mem_free(term->path);
	term->path = p;
	return term_leave(term, S_OK);
}

HRESULT tapix_call_select_terminal(struct tapix_call *c,
                                   struct tapix_terminal *term)
{
	struct tapix_tapi *t;
	unsigned dir;

	if (!c || !term)
		return E_POINTER;
	t = c->t;
	if (term->t != t)
		return E_INVALIDARG;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	dir = term->kind == TERM_PLAY ? TD_CAPTURE : TD_RENDER;
	/* Microsoft's SelectTerminal: a terminal goes on one stream only;
	 * one terminal per stream here (no mixing: TAPI_E_MAXTERMINALS) */
	if (c->hidden || c->released || c->state == CS_DISCONNECTED) {
		session_unlock(t);
		return TAPI_E_INVALCALLSTATE;
	}
	if (term->call) {
		session_unlock(t);
		return TAPI_E_INVALIDTERMINAL;
	}
	if (c->term[dir]) {
		session_unlock(t);
		return TAPI_E_MAXTERMINALS;
	}
	c->term[dir] = term;
	term->call = c;
	term->refs++; /* the selection's */
	session_unlock(t);
	return S_OK;
}

/* Stops @term and waits until the media thread let go of it. */
static void stop_wait_locked(struct tapix_terminal *term)
{
	request_stop_locked(term, FTEC_NORMAL);
	while (term->in_media)
		pthread_cond_wait(&term->t->cond, &term->t->lock);
}

HRESULT tapix_call_unselect_terminal(struct tapix_call *c,
                                     struct tapix_terminal *term)
{
	struct tapix_tapi *t;
	unsigned dir;

	if (!c || !term)
		return E_POINTER;
	t = c->t;
	if (term->t != t)
		return E_INVALIDARG;
	if (!session_enter(t))
		return TAPI_E_NOT_INITIALIZED;
	dir = term->kind == TERM_PLAY ? TD_CAPTURE : TD_RENDER;
	if (term->call != c || c->term[dir] != term) {
		session_unlock(t);
		return TAPI_E_INVALIDTERMINAL;
	}
	term->refs++; /* (kept while waiting) */
	wait_idle_start_locked(term);
	stop_wait_locked(term);
	if (term->call == c) {
		c->term[dir] = NULL;
		term->call = NULL;
		term_unref_locked(term); /* the selection's */
	}
	term_unref_locked(term);
	session_unlock(t);
	return S_OK;
}

/*
 * Opens what Start from TMS_IDLE needs, with no lock held: the call's
 * wave descriptor (lineGetID on @h) and the file(s). S_OK with @io
 * filled, else nothing left open.
 */
static HRESULT open_media(struct tapix_terminal *term, HCALL h,
                          struct term_io *io)
{
	union {
		VARSTRING vs;
		uint8_t buf[sizeof(VARSTRING) + sizeof(TAPIXWAVEID)];
	} u;
	TAPIXWAVEID w;
	HRESULT hr = S_OK;
	size_t i;
	LONG r;

	memset(&u, 0, sizeof(u));
	u.vs.dwTotalSize = sizeof(u);
	r = lineGetID(0, 0, h, LINECALLSELECT_CALL, &u.vs,
	              term->kind == TERM_PLAY ? "wave/out" : "wave/in");
	if (r == LINEERR_INVALCALLHANDLE || r == LINEERR_INVALDEVICECLASS)
		return TAPI_E_INVALCALLSTATE; /* no media on it (now) */
	if (r != 0)
		return map_lineerr(r, false);
	if (u.vs.dwStringSize != sizeof(w) ||
	    u.vs.dwStringOffset > sizeof(u) - sizeof(w))
		return TAPI_E_OPERATIONFAILED;
	memcpy(&w, u.buf + u.vs.dwStringOffset, sizeof(w));
	io->fd = term->kind == TERM_PLAY ? w.fdOut : w.fdIn;
	if (term->kind == TERM_PLAY && w.fdIn >= 0)
		close(w.fdIn);
	if (term->kind == TERM_RECORD && w.fdOut >= 0)
		close(w.fdOut);
	io->rate = w.dwRate;
	if (io->fd < 0 || w.dwFormat != TAPIXWAVE_S16LE) {
		hr = TAPI_E_OPERATIONFAILED;
		goto out;
	}
	if (term->kind == TERM_PLAY) {
		/* every file of the list at the call's rate (no resampling);
		 * the first one stays open */
		for (i = 0; i < term->nfiles && hr == S_OK; i++) {
			uint64_t bytes = 0;
			uint32_t rate = 0;
			int fd = -1;

			hr = wav_open(term->files[i], &fd, &rate, &bytes);
			if (hr == S_OK && rate != io->rate)
				hr = TAPI_E_INVALIDMEDIATYPE;
			if (hr == S_OK && i == 0) {
				io->file = fd;
				io->left = bytes;
			} else if (fd >= 0) {
				close(fd);
			}
		}
	} else {
		uint8_t hd[WAV_HEADER];
		struct stat sb;

		/* a regular file only (O_NONBLOCK: a FIFO must not hang) */
		io->file = open(term->path,
		                O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		                        O_NONBLOCK,
		                0644);
		if (io->file < 0) {
			/* O_CREAT: ENOENT is a directory missing */
			hr = errno == ENOENT ? TAPIX_E_PATH_NOT_FOUND
			                     : hr_from_errno(errno);
		} else if (fstat(io->file, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			hr = E_ACCESSDENIED;
		} else {
			wav_header(hd, io->rate, 0);
			if (!write_full(io->file, hd, sizeof(hd)))
				hr = hr_from_errno(errno);
		}
	}
out:
	if (hr != S_OK) {
		if (io->file >= 0)
			close(io->file);
		io->file = -1;
		close(io->fd);
		io->fd = -1;
	}
	return hr;
}

HRESULT tapix_terminal_start(struct tapix_terminal *term)
{
	struct tapix_call *c;
	struct tapix_tapi *t;
	struct term_io io;
	HRESULT hr;
	HCALL h;

	if ((hr = term_enter(term)) != S_OK)
		return hr;
	t = term->t;
	wait_idle_start_locked(term);
	if (term->stop_req) {
		/* ending (the call's end, a release): Start anew after it */
		term->refs++;
		stop_wait_locked(term);
		term_unref_locked(term);
		wait_idle_start_locked(term);
	}
	if (!term->call)
		return term_leave(term, TAPI_E_NOTERMINALSELECTED);
	if (term->state == TMS_ACTIVE)
		return term_leave(term, S_OK);
	if (term->state == TMS_PAUSED) {
		term->state = TMS_ACTIVE;
		post_locked(term, TMS_ACTIVE, FTEC_NORMAL, S_OK);
		media_wake(t);
		return term_leave(term, S_OK);
	}
	if (term->kind == TERM_PLAY ? !term->nfiles : !term->path)
		return term_leave(term, TAPI_E_NOITEMS);
	c = term->call;
	if (!c->hcall || c->state == CS_DISCONNECTED || c->state == CS_IDLE)
		return term_leave(term, TAPI_E_INVALCALLSTATE);
	h = c->hcall;
	memset(&io, 0, sizeof(io));
	io.fd = -1;
	io.file = -1;
	/* the play list and file name do not change while busy */
	term->busy = true;
	term->refs++;
	session_out(t);
	hr = open_media(term, h, &io);
	session_in(t);
	term->busy = false;
	pthread_cond_broadcast(&t->cond);
	/* looked at again: shut down, unselected, or the call ended */
	if (hr == S_OK &&
	    (t->down || term->call != c || c->state == CS_DISCONNECTED))
		hr = t->down ? TAPI_E_NOT_INITIALIZED : TAPI_E_INVALCALLSTATE;
	if (hr == S_OK && !media_start_locked(t))
		hr = E_OUTOFMEMORY;
	if (hr != S_OK) {
		if (io.file >= 0)
			close(io.file);
		if (io.fd >= 0)
			close(io.fd);
		if (hr == TAPI_E_INVALCALLSTATE || hr == TAPI_E_NOT_INITIALIZED)
			log_info("call %08x: terminal not started",
			         (unsigned)h);
		term_unref_locked(term);
		return term_leave(term, hr);
	}
	term->io = io;
	term->state = TMS_ACTIVE;
	term->in_media = true;
	term->stop_req = false;
	list_add_tail(&t->media, &term->mlink);
	post_locked(term, TMS_ACTIVE, FTEC_NORMAL, S_OK);
	media_wake(t);
	term_unref_locked(term);
	return term_leave(term, S_OK);
}

HRESULT tapix_terminal_stop(struct tapix_terminal *term)
{
	HRESULT hr;

	if ((hr = term_enter(term)) != S_OK)
		return hr;
	wait_idle_start_locked(term);
	if (term->in_media) {
		term->refs++;
		stop_wait_locked(term);
		term_unref_locked(term);
	}
	return term_leave(term, S_OK);
}

HRESULT tapix_terminal_pause(struct tapix_terminal *term)
{
	HRESULT hr;

	if ((hr = term_enter(term)) != S_OK)
		return hr;
	wait_idle_start_locked(term);
	if (term->state == TMS_IDLE || term->stop_req)
		return term_leave(term, TAPI_E_WRONG_STATE);
	if (term->state == TMS_ACTIVE) {
		term->state = TMS_PAUSED;
		post_locked(term, TMS_PAUSED, FTEC_NORMAL, S_OK);
		media_wake(term->t);
	}
	return term_leave(term, S_OK);
}

HRESULT tapix_terminal_get_media_state(struct tapix_terminal *term,
                                       TERMINAL_MEDIA_STATE *state)
{
	HRESULT hr;

	if (!state)
		return E_POINTER;
	if ((hr = term_enter(term)) != S_OK)
		return hr;
	*state = term->state;
	return term_leave(term, S_OK);
}
