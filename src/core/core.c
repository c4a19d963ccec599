/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The core's global state: the lock, the provider session (spec: tspi.md §2,
 * started by the first registration and ended after the last), the device
 * table, and the worker that performs provider calls decided inside
 * provider callbacks (TAPI never calls a provider from its callbacks).
 */
#define LOG_MODULE "core"
#include "core/core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "util/log.h"
#include "util/mem.h"

/* Handle bits: 21 index bits (2M objects), 11 generation bits. */
#define HANDLE_IDX_BITS 21
/* Request ids: 31 bits keep them positive; 18 index bits, 13 generation. */
#define REQ_IDX_BITS   18
#define HANDLE_RESERVE 4096u

/* freed objects of each kind kept for reuse */
#define POOL_MAX 1024

/* (the tables and pools need no set-up: the lock needs no first-use check) */
struct core core = {
	.lock = ULOCK_INIT,
	.ctl = PTHREAD_MUTEX_INITIALIZER,
	.handles = HTAB_INIT(HANDLE_IDX_BITS, 32, HANDLE_RESERVE),
	.reqs = HTAB_INIT(REQ_IDX_BITS, 31, HANDLE_RESERVE),
	.call_pool = POOL_INIT(sizeof(struct call), POOL_MAX),
	.callh_pool = POOL_INIT(sizeof(struct callh), POOL_MAX),
	.req_pool = POOL_INIT(sizeof(struct req), POOL_MAX),
	.early_pool = POOL_INIT(sizeof(struct early_event), POOL_MAX),
	.apps = LIST_HEAD_INIT(core.apps),
	.cond = UCOND_INIT,
	.worker_cond = UCOND_INIT,
	.work = LIST_HEAD_INIT(core.work),
	.line_work = LIST_HEAD_INIT(core.line_work),
	.creations = LIST_HEAD_INIT(core.creations),
};

#ifdef TAPIX_LOCK_CHECK
/*
 * Whether this thread holds core.lock. Per thread, so that a condition
 * wait (which releases and retakes the lock on the same thread) needs no
 * bookkeeping: while it waits, the thread runs nothing that could ask.
 */
static _Thread_local bool lock_held;

bool core_lock_held(void)
{
	return lock_held;
}

_Noreturn void core_lock_violation(const char *fn, const char *what)
{
	/* as assert(): our own invariant broke, not the caller's input */
	fprintf(stderr, "tapix: lock check failed: %s %s\n", fn, what);
	abort();
}
#endif

#ifdef TAPIX_LOCK_CHECK
void core_lock(void)
{
	/* a second core_lock on one thread would deadlock: say where */
	core_assert_unlocked();
	ulock_lock(&core.lock);
	lock_held = true;
	log_hold();
}

void core_unlock(void)
{
	core_assert_locked();
	lock_held = false;
	ulock_unlock(&core.lock);
	log_release();
}
#endif

uint64_t core_now_ms(void)
{
	struct timespec ts;

	/* media messages' tick counts (LINE_GENERATE...): ms is plenty */
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

const char *tapix_version(void)
{
	return "0.1.0";
}

void core_live_get(struct tapix_live *out)
{
	memset(out, 0, sizeof(*out));
	core_lock();
	out->apps = core.napps;
	out->opens = core.n_opens;
	out->lines = core.n_tlines;
	out->calls = core.n_calls;
	out->call_handles = core.n_callhs;
	out->requests = core.reqs.live;
	out->providers = core.session ? core.nprovs : 0;
	core_unlock();
	/*
	 * The handle tables outlive sessions (their generations keep old
	 * handles stale forever), so their slot arrays are not counted.
	 */
	core_lock();
	out->allocations = mem_live() - (core.handles.slots ? 1 : 0) -
	                   (core.reqs.slots ? 1 : 0) - core.call_pool.n -
	                   core.callh_pool.n - core.req_pool.n -
	                   core.early_pool.n;
	core_unlock();
	out->provider_objects = provider_live_objects();
}

LONG core_check_init_locked(void)
{
	core_assert_locked();
	return core.napps == 0 ? LINEERR_UNINITIALIZED : 0;
}

struct device *core_device_locked(uint32_t id, LONG *err)
{
	core_assert_locked();
	if (id >= core.ndevs) {
		*err = LINEERR_BADDEVICEID;
		return NULL;
	}
	if (core.devs[id]->removed) {
		*err = LINEERR_NODEVICE;
		return NULL;
	}
	return core.devs[id];
}

/* ---- worker ---------------------------------------------------------------
 */

void core_worker_kick_locked(void)
{
	core_assert_locked();
	/* its own condition: the hot paths' broadcasts must not wake it */
	ucond_signal(&core.worker_cond);
}

static void read_caps(struct device *d);

/*
 * spec: tspi.md "Dynamic devices" — a device a provider announced:
 * TSPI_providerCreateLineDevice with the next free device id, its TSPI
 * version and capabilities; then it is a device like the others and every
 * registration hears LINE_CREATE (tapi-messages-and-states.md, all of them
 * speak 1.4 or later). A provider that refuses adds nothing. core.lock
 * held, released around the provider's calls.
 */
static void create_device_locked(struct creation *cr)
{
	struct provider *p = cr->prov;
	struct device *dev, **devs;
	struct list_node *it;
	uint32_t id = (uint32_t)core.ndevs;
	DWORD v = 0;
	LONG r;

	core_assert_locked();
	core_unlock();
	dev = mem_zalloc(sizeof(*dev));
	if (!dev)
		r = LINEERR_NOMEM;
	else if (!p->fn.providerCreateLineDevice)
		r = LINEERR_OPERATIONUNAVAIL;
	else
		r = 0;
	if (r == 0) {
		provider_enter(p);
		r = p->fn.providerCreateLineDevice(cr->temp_id, id);
		if (r == 0)
			r = p->fn.lineNegotiateTSPIVersion(id, VER_LOW,
			                                   VER_HIGH, &v);
		provider_leave(p);
		if (r == 0 && (v < VER_LOW || v > VER_HIGH))
			r = LINEERR_INCOMPATIBLEAPIVERSION;
	}
	if (r == 0) {
		dev->id = id;
		dev->prov = p;
		dev->version = v;
		read_caps(dev);
	}
	core_lock();
	if (r != 0) {
		log_warn("provider %s: line %lu not created (%08x)", p->name,
		         (unsigned long)cr->temp_id, (unsigned)r);
		mem_free(dev);
		return;
	}
	devs = mem_realloc(core.devs, (core.ndevs + 1) * sizeof(*devs));
	if (!devs) {
		/* the provider has the id; TAPI never uses it */
		log_err("line %u: out of memory, not added", id);
		mem_free(dev);
		return;
	}
	core.devs = devs;
	core.devs[core.ndevs++] = dev;
	list_foreach(it, &core.apps) {
		struct app *app = list_entry(it, struct app, link);

		app_post_locked(app, 0, 0, LINE_CREATE, 0, id, 0, 0);
	}
	log_info("line %u: created by %s", id, p->name);
}

static void *worker_main(void *arg)
{
	(void)arg;
	core_lock();
	for (;;) {
		if (!list_empty(&core.line_work)) {
			struct tline *tl = list_entry(core.line_work.next,
			                              struct tline, work);

			list_del(&tl->work);
			core.worker_busy = true;
			close_tline_forced_locked(tl, false);
			tline_unref_locked(tl); /* the queue's reference */
			core.worker_busy = false;
			core_wake_locked();
			continue;
		}
		if (!list_empty(&core.creations)) {
			struct creation *cr = list_entry(core.creations.next,
			                                 struct creation, link);

			list_del(&cr->link);
			core.worker_busy = true;
			create_device_locked(cr);
			mem_free(cr);
			core.worker_busy = false;
			core_wake_locked();
			continue;
		}
		if (core.removals) {
			size_t i;

			core.removals = false;
			core.worker_busy = true;
			for (i = 0; i < core.ndevs; i++)
				if (core.devs[i]->remove_pending)
					close_device_removed_locked(
						core.devs[i]);
			core.worker_busy = false;
			core_wake_locked();
			continue;
		}
		if (!list_empty(&core.work)) {
			struct call *call =
				list_entry(core.work.next, struct call, work);

			list_del(&call->work);
			core.worker_busy = true;
			core_unlock();
			call_close_now(call); /* consumes the queue's ref */
			core_lock();
			core.worker_busy = false;
			core_wake_locked();
			continue;
		}
		if (core.worker_stop)
			break;
		ucond_wait(&core.worker_cond, &core.lock);
	}
	core_unlock();
	return NULL;
}

void core_force_close_later_locked(struct tline *tl)
{
	core_assert_locked();
	if (tl->force_close || tl->life != LIFE_ALIVE)
		return;
	tl->force_close = true;
	tline_ref_locked(tl);
	list_add_tail(&core.line_work, &tl->work);
	core_worker_kick_locked();
}

void core_worker_flush(void)
{
	core_lock();
	while (!list_empty(&core.work) || !list_empty(&core.line_work) ||
	       core.removals || core.worker_busy)
		core_wait_locked();
	core_unlock();
}

/* ---- session --------------------------------------------------------------
 */

static void read_caps(struct device *d)
{
	union {
		LINEDEVCAPS caps;
		uint8_t buf[1024];
	} u;
	LONG r;

	memset(&u, 0, sizeof(u));
	u.caps.dwTotalSize = sizeof(u);
	u.caps.dwNeededSize = u.caps.dwUsedSize = 268;
	provider_enter(d->prov);
	r = d->prov->fn.lineGetDevCaps(d->id, d->version, 0, &u.caps);
	provider_leave(d->prov);
	if (r != 0) {
		log_warn("line %u: TSPI_lineGetDevCaps failed (%08x)", d->id,
		         (unsigned)r);
		return;
	}
	d->caps.num_addresses = u.caps.dwNumAddresses;
	d->caps.bearer_modes = u.caps.dwBearerModes;
	d->caps.media_modes = u.caps.dwMediaModes;
	d->caps.max_rate = u.caps.dwMaxRate;
	d->caps.dev_cap_flags = u.caps.dwDevCapFlags;
	d->caps.uui_accept = u.caps.dwUUIAcceptSize;
	d->caps.uui_answer = u.caps.dwUUIAnswerSize;
	d->caps.uui_make = u.caps.dwUUIMakeCallSize;
	d->caps.uui_drop = u.caps.dwUUIDropSize;
	d->caps.uui_send = u.caps.dwUUISendUserUserInfoSize;
}

static void providers_shutdown(void)
{
	size_t i;

	for (i = 0; i < core.nprovs; i++) {
		struct provider *p = &core.provs[i];

		if (p->inited) {
			provider_enter(p);
			p->fn.providerShutdown(p->version, p->perm_id);
			provider_leave(p);
			p->inited = false;
		}
		provider_unload(p);
	}
	mem_free(core.provs);
	core.provs = NULL;
	core.nprovs = 0;
	for (i = 0; i < core.ndevs; i++)
		mem_free(core.devs[i]);
	mem_free(core.devs);
	core.devs = NULL;
	core.ndevs = 0;
}

/* The entry of key @key (without its SUB. prefix) in @keys, or NULL. */
static const struct tspix_config_key *
key_entry(const struct tspix_config_key *keys, const char *key, bool sub)
{
	for (; keys && keys->lpszKey; keys++)
		if (strcmp(keys->lpszKey, key) == 0 &&
		    (keys->dwFlags &
		     (sub ? TSPIXCONFIGKEY_SUB : TSPIXCONFIGKEY_MAIN)))
			return keys;
	return NULL;
}

/* "module, a, b" (module only in [NAME]) of @keys into @buf. */
static void known_keys(char *buf, size_t size,
                       const struct tspix_config_key *keys, bool sub)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!sub)
		n = (size_t)snprintf(buf, size, "module");
	for (; keys->lpszKey && n < size; keys++)
		if (keys->dwFlags &
		    (sub ? TSPIXCONFIGKEY_SUB : TSPIXCONFIGKEY_MAIN))
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
			                      n ? ", " : "", keys->lpszKey);
}

/*
 * Reports why @p refused key @kv of section @s (@r its answer, spec:
 * tspi.h TSPIX_providerConfig): an unknown key, with the keys it knows;
 * a bad value, with what the key expects (a secret never shown).
 */
static void report_refusal(struct conf *c, const struct provider *p,
                           const struct conf_section *s,
                           const struct conf_kv *kv, LONG r)
{
	const struct tspix_config_key *keys = provider_config_keys(p);
	bool sub = strchr(s->name, '.') != NULL;
	const struct tspix_config_key *k = key_entry(keys, kv->key, sub);
	char known[512];

	if (keys &&
	    (r == LINEERR_INVALPARAM || (r == LINEERR_INIFILECORRUPT && !k))) {
		known_keys(known, sizeof(known), keys, sub);
		conf_report(c, true, kv->line,
		            "[%s] %s: unknown key (known: %s)", s->name,
		            kv->key, known);
	} else if (r == LINEERR_INVALPARAM) {
		conf_report(c, true, kv->line, "[%s] %s: unknown key", s->name,
		            kv->key);
	} else if (r == LINEERR_INIFILECORRUPT && k &&
	           (k->dwFlags & TSPIXCONFIGKEY_SECRET)) {
		conf_report(c, true, kv->line,
		            "[%s] %s: bad value, expected %s", s->name, kv->key,
		            k->lpszExpected);
	} else if (r == LINEERR_INIFILECORRUPT && k) {
		conf_report(c, true, kv->line,
		            "[%s] %s = %.64s: bad value, expected %s", s->name,
		            kv->key, kv->value, k->lpszExpected);
	} else if (r == LINEERR_INIFILECORRUPT) {
		/* a provider that lists no keys tells neither apart */
		conf_report(c, true, kv->line,
		            "[%s] %s: refused by provider %s (an unknown key "
		            "or a bad value)",
		            s->name, kv->key, p->name);
	} else {
		conf_report(c, true, kv->line,
		            "[%s] %s: refused by provider %s (%08x)", s->name,
		            kv->key, p->name, (unsigned)r);
	}
}

/*
 * Passes one section's keys to @p, each as @prefix KEY, and reports each
 * it refuses; all are passed. LINEERR_INIFILECORRUPT if any was refused.
 */
static LONG configure_section(struct conf *c, struct provider *p,
                              const struct conf_section *s, const char *prefix)
{
	char key[256];
	LONG ret = 0;
	size_t i;

	for (i = 0; i < s->nkv; i++) {
		LONG r;

		if (!*prefix && strcmp(s->kv[i].key, "module") == 0)
			continue;
		if ((size_t)snprintf(key, sizeof(key), "%s%s", prefix,
		                     s->kv[i].key) >= sizeof(key)) {
			conf_report(c, true, s->kv[i].line,
			            "[%s] %.64s...: key too long", s->name,
			            s->kv[i].key);
			ret = LINEERR_INIFILECORRUPT;
			continue;
		}
		r = p->fn.providerConfig(p->perm_id, key, s->kv[i].value);
		if (r != 0) {
			report_refusal(c, p, s, &s->kv[i], r);
			ret = LINEERR_INIFILECORRUPT;
		}
	}
	return ret;
}

/*
 * Passes the provider's own section [NAME] to it, then each [NAME.SUB]
 * section in file order with its keys named SUB.KEY (tapix extension).
 * Every refused key is reported; LINEERR_INIFILECORRUPT if any was.
 */
static LONG configure(struct provider *p, struct conf *c)
{
	const struct conf_section *s = conf_section(c, p->name);
	size_t i, n = strlen(p->name);
	LONG r = 0;

	if (!p->fn.providerConfig) {
		for (i = 0; s && i < s->nkv; i++) {
			if (strcmp(s->kv[i].key, "module") == 0)
				continue;
			conf_report(c, true, s->kv[i].line,
			            "[%s] %s: unknown key (provider %s takes "
			            "no keys)",
			            s->name, s->kv[i].key, p->name);
			r = LINEERR_INIFILECORRUPT;
		}
		return r;
	}
	/* back to the defaults first: nothing carries over between sessions */
	if (p->fn.providerConfig(p->perm_id, NULL, NULL) != 0) {
		conf_report(c, true, 0,
		            "provider %s: cannot reset its "
		            "configuration",
		            p->name);
		return LINEERR_INIFILECORRUPT;
	}
	if (s && configure_section(c, p, s, "") != 0)
		r = LINEERR_INIFILECORRUPT;
	for (i = 0; i < c->nsections; i++) {
		const char *name = c->sections[i].name;
		char prefix[128];

		if (strncmp(name, p->name, n) != 0 || name[n] != '.' ||
		    !name[n + 1])
			continue;
		if ((size_t)snprintf(prefix, sizeof(prefix), "%s.",
		                     name + n + 1) >= sizeof(prefix)) {
			conf_report(c, true, c->sections[i].line,
			            "[%s]: section name too long", name);
			r = LINEERR_INIFILECORRUPT;
			continue;
		}
		if (configure_section(c, p, &c->sections[i], prefix) != 0)
			r = LINEERR_INIFILECORRUPT;
	}
	return r;
}

/* The line of the last [tapix] providers key (0: none, the default). */
static int providers_line(const struct conf *c)
{
	const struct conf_section *s = conf_section(c, "tapix");
	int line = 0;
	size_t i;

	for (i = 0; s && i < s->nkv; i++)
		if (strcmp(s->kv[i].key, "providers") == 0)
			line = s->kv[i].line;
	return line;
}

static const struct conf_kv *module_kv(const struct conf *c, const char *name)
{
	const struct conf_section *s = conf_section(c, name);
	const struct conf_kv *kv = NULL;
	size_t i;

	for (i = 0; s && i < s->nkv; i++)
		if (strcmp(s->kv[i].key, "module") == 0)
			kv = &s->kv[i];
	return kv;
}

/*
 * Loads every provider of @c into @provs (*@n counts those tried, for
 * the caller to unload) and passes each its keys, reporting every
 * problem. LINEERR_NOMEM; LINEERR_INIFILECORRUPT if the file had errors
 * of its own (syntax, the core's keys: as before the modules were
 * tried); LINEERR_NODRIVER if a module could not be loaded;
 * LINEERR_INIFILECORRUPT if a provider refused a key; else 0.
 */
static LONG load_providers(struct conf *c, struct provider *provs, size_t *n)
{
	bool file_errors = c->errors != 0;
	LONG ret = 0, r;
	size_t i;

	for (i = 0; i < c->nproviders; i++) {
		struct provider *p = &provs[i];
		const struct conf_kv *mod = module_kv(c, c->providers[i]);

		r = provider_load(p, c->providers[i], mod ? mod->value : NULL,
		                  c->provider_path);
		*n = i + 1;
		if (r == LINEERR_NOMEM)
			return r;
		if (r != 0) {
			if (mod)
				conf_report(c, true, mod->line,
				            "[%s] module = %s: the provider "
				            "cannot be loaded",
				            c->providers[i], mod->value);
			else
				conf_report(
					c, true, providers_line(c),
					"[tapix] providers: %s: no provider "
					"module %s.so found, or it cannot be "
					"loaded",
					c->providers[i], c->providers[i]);
			ret = LINEERR_NODRIVER;
			continue;
		}
		p->perm_id = (uint32_t)i + 1;
		configure(p, c);
	}
	if (file_errors || (ret == 0 && c->errors))
		ret = LINEERR_INIFILECORRUPT;
	return ret;
}

static LONG start_providers(struct conf *c)
{
	uint32_t total = 0;
	size_t i;
	LONG r;

	core.provs = mem_zalloc((c->nproviders ? c->nproviders : 1) *
	                        sizeof(*core.provs));
	if (!core.provs)
		return LINEERR_NOMEM;
	/* every provider configured first: all the errors are told at once */
	r = load_providers(c, core.provs, &core.nprovs);
	if (r != 0)
		return r;
	for (i = 0; i < c->nproviders; i++) {
		struct provider *p = &core.provs[i];
		DWORD nlines = 0, nphones = 0, ver = 0;

		/* spec: tspi.md §2 step 1 — the overall negotiation */
		r = p->fn.lineNegotiateTSPIVersion(INITIALIZE_NEGOTIATION,
		                                   VER_LOW, VER_HIGH, &ver);
		if (r != 0 || ver < VER_LOW || ver > VER_HIGH) {
			log_err("provider %s: no common TSPI version", p->name);
			return LINEERR_NODRIVER;
		}
		p->version = ver;
		r = p->fn.providerEnumDevices(p->perm_id, &nlines, &nphones,
		                              (HPROVIDER)(uintptr_t)p->perm_id,
		                              core_line_event, NULL);
		if (r != 0) {
			log_err("provider %s: TSPI_providerEnumDevices failed",
			        p->name);
			return r;
		}
		if (nlines > 65536) {
			log_err("provider %s: %u lines is too many", p->name,
			        (unsigned)nlines);
			return LINEERR_NODRIVER;
		}
		p->first_dev = total;
		p->num_lines = nlines;
		total += nlines;
	}
	core.devs = mem_zalloc((total ? total : 1) * sizeof(*core.devs));
	if (!core.devs)
		return LINEERR_NOMEM;
	for (i = 0; i < total; i++) {
		core.devs[i] = mem_zalloc(sizeof(**core.devs));
		if (!core.devs[i])
			return LINEERR_NOMEM;
		core.ndevs = i + 1;
	}
	for (i = 0; i < core.nprovs; i++) {
		struct provider *p = &core.provs[i];
		DWORD opts = 0;
		uint32_t d;

		for (d = 0; d < p->num_lines; d++) {
			core.devs[p->first_dev + d]->id = p->first_dev + d;
			core.devs[p->first_dev + d]->prov = p;
		}
		r = p->fn.providerInit(p->version, p->perm_id, p->first_dev, 0,
		                       p->num_lines, 0, core_async_completion,
		                       &opts);
		if (r != 0) {
			log_err("provider %s: TSPI_providerInit failed (%08x)",
			        p->name, (unsigned)r);
			return r;
		}
		p->inited = true;
		p->nonreentrant = (opts & LINETSPIOPTION_NONREENTRANT) != 0;
		for (d = 0; d < p->num_lines; d++) {
			struct device *dev = core.devs[p->first_dev + d];
			DWORD v = 0;

			provider_enter(p);
			r = p->fn.lineNegotiateTSPIVersion(dev->id, VER_LOW,
			                                   VER_HIGH, &v);
			provider_leave(p);
			if (r != 0 || v < VER_LOW || v > VER_HIGH) {
				log_warn("line %u: no common TSPI version",
				         dev->id);
				dev->version = 0;
				continue;
			}
			dev->version = v;
			read_caps(dev);
		}
	}
	return 0;
}

int tapix_config_check(const char *path, unsigned flags,
                       tapix_config_report_cb *report, void *arg)
{
	struct provider *provs = NULL;
	size_t i, n = 0;
	struct conf c;
	int e;

	e = conf_load_report(&c, path, report, arg);
	if (e == -ENOMEM)
		return -ENOMEM;
	if (e)
		return 1; /* it cannot be read: reported */
	conf_check(&c, true);
	if (flags & TAPIX_CONFIG_PROVIDERS) {
		/* a provider's configuration is its session's: never while
		 * one runs here (spec: tspi.h TSPIX_providerConfig) */
		log_mutex_lock(&core.ctl);
		if (core.session) {
			e = -EBUSY;
			goto out;
		}
		provs = mem_zalloc((c.nproviders ? c.nproviders : 1) *
		                   sizeof(*provs));
		if (!provs) {
			e = -ENOMEM;
			goto out;
		}
		if (load_providers(&c, provs, &n) == LINEERR_NOMEM)
			e = -ENOMEM;
		for (i = 0; i < n; i++)
			provider_unload(&provs[i]);
		mem_free(provs);
	}
out:
	if (flags & TAPIX_CONFIG_PROVIDERS)
		log_mutex_unlock(&core.ctl);
	if (e == 0)
		e = (int)c.errors;
	conf_free(&c);
	return e;
}

LONG core_session_start_ctl(void)
{
	struct conf c;
	int err;
	LONG r;

	if (core.session)
		return 0;
	/* a file with errors is read on: its providers' keys are checked
	 * too, so that every error is reported at once */
	err = conf_load_report(&c, NULL, NULL, NULL);
	if (err == -ENOMEM)
		return LINEERR_NOMEM;
	if (err)
		return LINEERR_INIFILECORRUPT;
	conf_check(&c, false);
	r = start_providers(&c);
	conf_free(&c);
	if (r == 0) {
		core.worker_stop = false;
		if (pthread_create(&core.worker, NULL, worker_main, NULL) != 0)
			r = LINEERR_RESOURCEUNAVAIL;
	}
	if (r != 0) {
		providers_shutdown();
		return r;
	}
	core_lock();
	core.worker_running = true;
	core.session = true;
	core_unlock();
	log_info("session started: %zu providers, %zu lines", core.nprovs,
	         core.ndevs);
	return 0;
}

void core_session_stop_ctl(void)
{
	if (!core.session)
		return;
	core_lock();
	while (core.inflight)
		core_wait_locked();
	core.worker_stop = true;
	core_worker_kick_locked();
	core_unlock();
	pthread_join(core.worker, NULL);
	core_lock();
	core.worker_running = false;
	core.session = false;
	/* announced too late: the session that would add them is over */
	while (!list_empty(&core.creations)) {
		struct creation *cr =
			list_entry(core.creations.next, struct creation, link);

		list_del(&cr->link);
		mem_free(cr);
	}
	core_unlock();
	/* spec: termination.md §6 — last registration gone: providers stop */
	providers_shutdown();
	/* what a spike of calls left in the free lists goes back too (after
	 * the providers: their last completions free requests) */
	core_lock();
	pool_drain(&core.call_pool);
	pool_drain(&core.callh_pool);
	pool_drain(&core.req_pool);
	pool_drain(&core.early_pool);
	core_unlock();
	log_info("session ended");
}
