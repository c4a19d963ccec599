/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Registrations: their creation (lineInitialize(Ex)), their end
 * (lineShutdown's rules, spec: termination.md §6, beside lineClose's in
 * close.c) and their messages, queued and delivered by util/msgq.
 */
#define LOG_MODULE "core"
#include "core/core.h"

#include <errno.h>
#include <string.h>

#include "util/log.h"
#include "util/mem.h"

static void lock(void)
{
	core_lock();
}

static void unlock(void)
{
	core_unlock();
}

/*
 * spec: tapi-messages-and-states.md §2 — nothing is delivered for a
 * handle that died after the message was queued.
 */
static bool deliverable(const struct msgq_item *it)
{
	return app_msg_deliverable_locked(it);
}

static void thread_done(struct msgq *q)
{
	app_unref_locked(container_of(q, struct app, q));
}

static const struct msgq_ops app_msgq_ops = {
	.lock = lock,
	.unlock = unlock,
	.deliverable = deliverable,
	.thread_done = thread_done,
};

/* A new app of @reg (*@err 0), or NULL with the LINEERR_ in *@err. */
static struct app *app_alloc(const struct app_reg *reg, LONG *err)
{
	struct app *app = mem_zalloc(sizeof(*app));
	const char *module = reg->module, *name = reg->name;
	int e = -ENOMEM;

	*err = LINEERR_NOMEM;
	if (!app)
		return NULL;
	app->mode = reg->mode;
	app->api_version = reg->api_version;
	app->refs = 1; /* the handle table's */
	list_init(&app->opens);
	list_init(&app->reqs);
	list_init(&app->link);
	app->module =
		mem_strdup(module ? module : program_invocation_short_name);
	app->name = rcstr_new(name ? name : program_invocation_short_name);
	if (app->module && app->name)
		e = msgq_init(&app->q, &app_msgq_ops, reg->mode, reg->cb,
		              reg->portfd, reg->port_key);
	if (e) {
		/* no descriptor or thread: the system's limits, not memory */
		if (e != -ENOMEM)
			*err = LINEERR_RESOURCEUNAVAIL;
		mem_free(app->module);
		rcstr_unref(app->name);
		mem_free(app);
		return NULL;
	}
	*err = 0;
	return app;
}

LONG app_register(const struct app_reg *reg, HLINEAPP *out, DWORD *num_devs,
                  int *evfd)
{
	struct app *app;
	LONG r;

	log_mutex_lock(&core.ctl);
	r = core_session_start_ctl();
	if (r)
		goto out;
	app = app_alloc(reg, &r);
	if (!app)
		goto stop;
	core_lock();
	if (htab_add(&core.handles, app, OBJ_APP, &app->h) != 0) {
		app_unref_locked(app);
		core_unlock();
		r = LINEERR_NOMEM;
		goto stop;
	}
	app->q.h = app->h;
	app->refs++; /* the delivery thread's, if it has one */
	if (msgq_start_locked(&app->q) != 0) {
		app->refs--; /* no thread */
		htab_del(&core.handles, app->h);
		app_unref_locked(app);
		core_unlock();
		r = LINEERR_RESOURCEUNAVAIL;
		goto stop;
	}
	if (!app->q.has_thread)
		app->refs--;
	list_add_tail(&core.apps, &app->link);
	core.napps++;
	*out = app->h;
	*num_devs = (DWORD)core.ndevs;
	*evfd = app->q.evfd;
	core_unlock();
	log_info("app %08x: registered (%s)", app->h, app->name);
	goto out;
stop:
	core_lock();
	if (core.napps == 0) {
		core_unlock();
		core_session_stop_ctl();
	} else {
		core_unlock();
	}
out:
	log_mutex_unlock(&core.ctl);
	return r;
}

LONG app_shutdown(HLINEAPP h)
{
	struct app *app;
	struct list_node *it, *tmp;
	bool last;
	LONG r;

	core_lock();
	r = core_check_init_locked();
	if (r)
		goto fail;
	app = app_get_locked(h);
	if (!app) {
		r = LINEERR_INVALAPPHANDLE;
		goto fail;
	}
	/*
	 * spec: termination.md §6 — invalid at once, nothing more delivered
	 * (not even what is queued: the closes below let go of the lock),
	 * then lineClose of each open
	 */
	htab_del(&core.handles, app->h);
	app_kill_locked(app);
	while (!list_empty(&app->opens))
		close_open_locked(
			list_entry(app->opens.next, struct open, app_link));
	/* another thread's lineOpen or lineClose of the app is over before
	 * this returns: nothing of the app is left */
	while (app->nopening || app->nclosing)
		core_wait_locked();
	list_foreach_safe(it, tmp, &app->reqs) {
		req_cancel_locked(list_entry(it, struct req, app_link));
	}
	list_del(&app->link);
	core.napps--;
	last = core.napps == 0;
	core_unlock();
	/*
	 * The closes above ran without core.ctl, which orders only the
	 * session's start and stop: a registration that came meanwhile
	 * keeps it.
	 */
	if (last) {
		log_mutex_lock(&core.ctl);
		core_lock();
		last = core.napps == 0;
		core_unlock();
		if (last) {
			core_worker_flush();
			core_session_stop_ctl();
		}
		log_mutex_unlock(&core.ctl);
	}
	/* spec: termination.md §6 — no callback runs after it returns */
	msgq_stop(&app->q);
	core_lock();
	log_info("app %08x: shut down", app->h);
	app_unref_locked(app); /* the handle table's reference */
	core_unlock();
	return 0;
fail:
	core_unlock();
	return r;
}

void app_ref_locked(struct app *app)
{
	core_assert_locked();
	app->refs++;
}

void app_unref_locked(struct app *app)
{
	core_assert_locked();
	if (--app->refs > 0)
		return;
	msgq_fini(&app->q);
	rcstr_unref(app->name);
	mem_free(app->module);
	mem_free(app);
}

void app_post_lost_locked(struct app *app, uint32_t msg)
{
	core_assert_locked();
	log_err("app %08x: out of memory, message %u lost", app->h,
	        (unsigned)msg);
}

bool app_pop_locked(struct app *app, LINEMESSAGE *out)
{
	core_assert_locked();
	return msgq_pop_locked(&app->q, out, NULL);
}

bool app_pop_guarded_locked(struct app *app, LINEMESSAGE *out, uint32_t *guard)
{
	core_assert_locked();
	return msgq_pop_locked(&app->q, out, guard);
}

void app_quiet_locked(struct app *app, bool quiet)
{
	core_assert_locked();
	msgq_quiet_locked(&app->q, quiet);
}

void app_kill_locked(struct app *app)
{
	core_assert_locked();
	app->life = LIFE_DEAD;
	msgq_kill_locked(&app->q);
}
