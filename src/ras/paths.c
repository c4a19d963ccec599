/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where phonebooks are (ras-phonebook-and-rasdial.md §A2) and the saved
 * credentials (ras.md §9): a file of mode 0600 next to the phonebook's
 * owner, never the phonebook itself; one section "<phonebook>|<entry>"
 * per entry (the phonebook's full path) with UserName, Domain,
 * CallbackNumber and Password. Written whole to a temporary file of its
 * own (mkstemp), then renamed over the old one, by the process whose
 * credentials they are, with its own permissions (tapixd writes none).
 * A writer reads, changes and writes the file holding an flock on
 * "<file>.lock" beside it, so that writers (threads or processes) lose
 * none of each other's changes; a reader needs no lock, the rename
 * replaces the file at once. Nothing that could end a line or a section
 * name gets in.
 */
#define LOG_MODULE "ras"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "ras/ras.h"
#include "util/log.h"
#include "util/mem.h"

#define SYSTEM_DIR "/etc/tapix"

bool ras_full_path(const char *path, char *out, size_t size)
{
	char *full = realpath(path, NULL);
	bool ok = full && strlen(full) < size;

	if (ok)
		memcpy(out, full, strlen(full) + 1);
	else if (full)
		log_info("phonebook %s: its full path is longer than %zu bytes",
		         path, size - 1);
	else
		log_info("phonebook %s: %s", path, strerror(errno));
	free(full); /* (realpath's, not ours) */
	return ok;
}

/* @path (@size bytes) made its full path if it names a file: the one the
 * phonebooks found there are known by (ras.md §10.1). */
static void make_full(char *path, size_t size)
{
	char *full = realpath(path, NULL);

	if (full && strlen(full) < size)
		memcpy(path, full, strlen(full) + 1);
	free(full);
}

void ras_system_phonebook(char *path, size_t size)
{
	const struct conf_section *s;
	struct conf c;
	size_t i;

	snprintf(path, size, "%s/rasphone.pbk", SYSTEM_DIR);
	memset(&c, 0, sizeof(c));
	if (conf_load(&c) == 0) {
		s = conf_section(&c, "ras");
		for (i = 0; s && i < s->nkv; i++)
			if (strcmp(s->kv[i].key, "system_phonebook") == 0 &&
			    strlen(s->kv[i].value) < size)
				snprintf(path, size, "%s", s->kv[i].value);
	}
	conf_free(&c);
	make_full(path, size);
}

/* $XDG_CONFIG_HOME/tapix (default ~/.config/tapix) in @buf. */
static bool user_dir(char *buf, size_t size)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (x && *x)
		n = snprintf(buf, size, "%s/tapix", x);
	else if (home && *home)
		n = snprintf(buf, size, "%s/.config/tapix", home);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

bool ras_user_phonebook(char *buf, size_t size)
{
	char dir[MAX_PATH];
	int n;

	if (!user_dir(dir, sizeof(dir)))
		return false;
	n = snprintf(buf, size, "%s/rasphone.pbk", dir);
	if (n <= 0 || (size_t)n >= size)
		return false;
	make_full(buf, size);
	return true;
}

/* The credentials file for phonebook @pbk. */
static bool creds_path(const char *pbk, char *buf, size_t size)
{
	char dir[MAX_PATH], sys[MAX_PATH];
	int n;

	ras_system_phonebook(sys, sizeof(sys));
	if (strcmp(pbk, sys) == 0)
		n = snprintf(buf, size, "%s/ras-credentials", SYSTEM_DIR);
	else if (user_dir(dir, sizeof(dir)))
		n = snprintf(buf, size, "%s/ras-credentials", dir);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

/* One section of the credentials file. */
struct rec {
	char *section;
	char *user, *domain, *callback, *password; /* NULL: absent */
};

struct recs {
	struct rec *v;
	size_t n;
};

static void recs_free(struct recs *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		mem_free(r->v[i].section);
		mem_free(r->v[i].user);
		mem_free(r->v[i].domain);
		mem_free(r->v[i].callback);
		if (r->v[i].password) {
			explicit_bzero(r->v[i].password,
			               strlen(r->v[i].password));
			mem_free(r->v[i].password);
		}
	}
	mem_free(r->v);
	memset(r, 0, sizeof(*r));
}

static char *dup_n(const char *s, size_t n)
{
	char *d = mem_alloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Reads @path (missing: no records). -1 when memory ran out. */
static int recs_load(const char *path, struct recs *out)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct rec *cur = NULL;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!f)
		return 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *eq, **slot = NULL;

		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len >= 2 && line[0] == '[' && line[len - 1] == ']') {
			struct rec *v =
				mem_realloc(out->v, (out->n + 1) * sizeof(*v));

			if (!v) {
				r = -1;
				break;
			}
			out->v = v;
			cur = &v[out->n++];
			memset(cur, 0, sizeof(*cur));
			cur->section = dup_n(line + 1, (size_t)len - 2);
			if (!cur->section) {
				r = -1;
				break;
			}
			continue;
		}
		eq = strchr(line, '=');
		if (!cur || !eq)
			continue;
		*eq = '\0';
		if (strcmp(line, "UserName") == 0)
			slot = &cur->user;
		else if (strcmp(line, "Domain") == 0)
			slot = &cur->domain;
		else if (strcmp(line, "CallbackNumber") == 0)
			slot = &cur->callback;
		else if (strcmp(line, "Password") == 0)
			slot = &cur->password;
		if (slot && !*slot) {
			*slot = mem_strdup(eq + 1);
			if (!*slot) {
				r = -1;
				break;
			}
		}
	}
	if (line) {
		explicit_bzero(line, cap);
		free(line); /* (getline's, not ours) */
	}
	fclose(f);
	return r;
}

static void put(FILE *f, const char *key, const char *v)
{
	if (v)
		fprintf(f, "%s=%s\n", key, v);
}

/* Makes the directory of file @path if it is missing. */
static bool make_dir_of(const char *path)
{
	char dir[MAX_PATH];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return true;
	*slash = '\0';
	return mkdir(dir, 0700) == 0 || errno == EEXIST;
}

/*
 * Takes the writers' lock of credentials file @path (flock on
 * "<path>.lock", made with mode 0600 if missing; never removed, or two
 * writers could lock two files): its descriptor, or -1.
 */
static int creds_lock(const char *path)
{
	char lock[MAX_PATH + 8];
	int fd, n;

	n = snprintf(lock, sizeof(lock), "%s.lock", path);
	if (n < 0 || (size_t)n >= sizeof(lock))
		return -1;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_info("credentials lock %s: %s", lock, strerror(errno));
		return -1;
	}
	/* (one description per open: two threads exclude each other too) */
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			log_info("credentials lock %s: %s", lock,
			         strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void creds_unlock(int fd)
{
	close(fd); /* (lets go of the flock) */
}

/* Writes @r to @path with mode 0600 (its directory exists: the lock's). */
static DWORD recs_save(const char *path, const struct recs *r)
{
	char tmp[MAX_PATH + 16];
	size_t i;
	FILE *f;
	int fd, n;

	/* a name of its own: another writer's is not this one's */
	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return ERROR_CANNOT_WRITE_PHONEBOOK;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return ERROR_CANNOT_WRITE_PHONEBOOK;
	fchmod(fd, 0600); /* (mkstemp's already; whatever the umask) */
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return ERROR_CANNOT_WRITE_PHONEBOOK;
	}
	for (i = 0; i < r->n; i++) {
		fprintf(f, "[%s]\n", r->v[i].section);
		put(f, "UserName", r->v[i].user);
		put(f, "Domain", r->v[i].domain);
		put(f, "CallbackNumber", r->v[i].callback);
		put(f, "Password", r->v[i].password);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return ERROR_CANNOT_WRITE_PHONEBOOK;
	}
	return 0;
}

static char *section_name(const char *pbk, const char *entry)
{
	size_t n = strlen(pbk) + strlen(entry) + 2;
	char *s = mem_alloc(n);

	if (s)
		snprintf(s, n, "%s|%s", pbk, entry);
	return s;
}

/*
 * Whether "[@pbk|@entry]" is a section line of its own, never taken for
 * more lines, another section or a key: text, no brackets, no '=', and no
 * '|' in the entry (so the last '|' ends the path).
 */
static bool is_section(const char *pbk, const char *entry)
{
	return ras_is_text(pbk, SIZE_MAX) && ras_is_text(entry, SIZE_MAX) &&
	       !strpbrk(pbk, "[]=") && !strpbrk(entry, "[]=|");
}

/* Whether @v (NULL: not written) may be a value: one line of text. */
static bool is_value(const char *v)
{
	return !v || ras_is_text(v, SIZE_MAX);
}

static struct rec *find(struct recs *r, const char *section)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].section, section) == 0)
			return &r->v[i];
	return NULL;
}

static void copy_out(char *dst, const char *src, size_t n)
{
	snprintf(dst, n, "%s", src ? src : "");
}

bool ras_creds_get(const char *pbk, const char *entry, char *user, char *domain,
                   char *callback, char *password, size_t n, bool *has_password)
{
	char path[MAX_PATH];
	char *section;
	struct recs r;
	struct rec *e;
	bool found = false;

	*has_password = false;
	if (!is_section(pbk, entry) || !creds_path(pbk, path, sizeof(path)))
		return false; /* (none could be saved) */
	section = section_name(pbk, entry);
	if (!section || recs_load(path, &r) != 0) {
		mem_free(section);
		return false;
	}
	e = find(&r, section);
	if (e) {
		found = true;
		copy_out(user, e->user, n);
		copy_out(domain, e->domain, n);
		copy_out(callback, e->callback, n);
		if (password)
			copy_out(password, e->password, n);
		*has_password = e->password != NULL;
	}
	recs_free(&r);
	mem_free(section);
	return found;
}

/* Replaces *@slot by a copy of @v (NULL: unchanged). -1: no memory. */
static int replace(char **slot, const char *v)
{
	char *d;

	if (!v)
		return 0;
	d = mem_strdup(v);
	if (!d)
		return -1;
	if (*slot)
		explicit_bzero(*slot, strlen(*slot));
	mem_free(*slot);
	*slot = d;
	return 0;
}

DWORD ras_creds_set(const char *pbk, const char *entry, const char *user,
                    const char *domain, const char *callback,
                    const char *password, bool remove_password)
{
	char path[MAX_PATH];
	char *section;
	struct recs r;
	struct rec *e;
	DWORD rc;
	int lock;

	/* ras.md §9 — a value or a name with a line break would add lines
	 * and sections of the caller's choosing */
	if (!is_section(pbk, entry) || !is_value(user) || !is_value(domain) ||
	    !is_value(callback) || (!remove_password && !is_value(password)))
		return ERROR_INVALID_PARAMETER;
	if (!creds_path(pbk, path, sizeof(path)))
		return ERROR_CANNOT_WRITE_PHONEBOOK;
	section = section_name(pbk, entry);
	if (!section)
		return ERROR_NOT_ENOUGH_MEMORY;
	if (!make_dir_of(path)) {
		mem_free(section);
		return ERROR_CANNOT_WRITE_PHONEBOOK;
	}
	/* read, change, write: one writer at a time, or one's change would
	 * be lost under another's file */
	lock = creds_lock(path);
	if (lock < 0) {
		mem_free(section);
		return ERROR_CANNOT_WRITE_PHONEBOOK;
	}
	rc = ERROR_NOT_ENOUGH_MEMORY;
	if (recs_load(path, &r) != 0)
		goto out;
	e = find(&r, section);
	if (!e) {
		struct rec *v = mem_realloc(r.v, (r.n + 1) * sizeof(*v));

		if (!v)
			goto out;
		r.v = v;
		e = &v[r.n++];
		memset(e, 0, sizeof(*e));
		e->section = section;
		section = NULL;
	}
	if (replace(&e->user, user) || replace(&e->domain, domain) ||
	    replace(&e->callback, callback) ||
	    (!remove_password && replace(&e->password, password)))
		goto out;
	if (remove_password && e->password) {
		explicit_bzero(e->password, strlen(e->password));
		mem_free(e->password);
		e->password = NULL;
	}
	rc = recs_save(path, &r);
out:
	creds_unlock(lock);
	mem_free(section);
	recs_free(&r);
	return rc;
}
