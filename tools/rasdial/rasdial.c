/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rasdial: dials, lists and hangs up RAS connections with the Windows
 * tool's syntax (ras-phonebook-and-rasdial.md Part B), through ras.h like
 * any RAS program. The connection stays up after rasdial exits, so it
 * needs tapixd: the service TAPIX_SERVICE or the configuration names,
 * else the system bus.
 *
 * Exit status (§B3): 0 success; n - 600 for RAS error n (601 to 853);
 * 254 another error (printed); 255 usage error.
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <ras.h>
#include <raserror.h>
#include <tapix/tapix.h>

#define EXIT_OTHER   254
#define EXIT_USAGE   255
#define TEARDOWN_S   10  /* §B3: waiting for ERROR_INVALID_HANDLE */
#define DIAL_LIMIT_S 600 /* a dial that never ends (bounded anyway) */

struct args {
	const char *pos[3]; /* entry, user, password */
	unsigned npos;
	const char *domain, *phone, *callback, *phonebook;
	bool prefixsuffix, disconnect, help;
};

static const char usage_text[] =
	"Usage:\n"
	"  rasdial ENTRY [USER [PASSWORD|*]] [/DOMAIN:DOMAIN] [/PHONE:NUMBER]\n"
	"          [/CALLBACK:NUMBER] [/PHONEBOOK:FILE] [/PREFIXSUFFIX]\n"
	"  rasdial [ENTRY] /DISCONNECT [/PHONEBOOK:FILE]\n"
	"  rasdial\n"
	"  rasdial /?\n"
	"\n"
	"Dials the phonebook entry ENTRY and leaves the connection up; hangs\n"
	"up a connection (/DISCONNECT); alone, lists the connections. A\n"
	"password * is asked for. Switches may also be written -NAME or\n"
	"--name, and /HELP is /?. A word that starts with / or - and is no\n"
	"switch is an error; after -- every word is an argument.\n"
	"\n"
	"The connections live in tapixd (TAPIX_SERVICE, else the\n"
	"configuration's service, else the system bus).\n"
	"\n"
	"Exit status: 0 done; N-600 for Remote Access error N (601-853);\n"
	"254 another error; 255 usage error.\n";

/* "rasdial: WHAT ARG" and the hint; the usage exit status. */
static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr,
	        "rasdial: %s%s%s\nTry 'rasdial /?' for more "
	        "information.\n",
	        what, arg ? " " : "", arg ? arg : "");
	return EXIT_USAGE;
}

/* The service rasdial works through (system, session or an address) and,
 * for the 711 explanation, where that is and who named it: "the system
 * bus (the default)", "the bus at ADDRESS (from TAPIX_SERVICE)". */
static char svc[512], service_where[600];

/* Remote Access error 711: which bus was tried, and what to do. */
static void explain_unreachable(void)
{
	fprintf(stderr, "rasdial: no tapixd answered on %s\n", service_where);
	if (strcmp(svc, "system") == 0)
		fprintf(stderr,
		        "rasdial: start it (systemctl start tapixd), or set "
		        "TAPIX_SERVICE=session (or a D-Bus address) if it runs "
		        "on your session bus\n");
	else if (strcmp(svc, "session") == 0)
		fprintf(stderr,
		        "rasdial: start it (tapixd --bus=session), or set "
		        "TAPIX_SERVICE=system (or a D-Bus address) if it runs "
		        "on the system bus\n");
	else
		fprintf(stderr,
		        "rasdial: start it there (tapixd --address=%s), or set "
		        "TAPIX_SERVICE=system or TAPIX_SERVICE=session\n",
		        svc);
}

/* "rasdial: unknown switch: /X" and the switches there are. */
static int unknown_switch(const char *tok)
{
	fprintf(stderr,
	        "rasdial: unknown switch: %s (the switches: /DOMAIN:, "
	        "/PHONE:, /CALLBACK:, /PHONEBOOK:, /PREFIXSUFFIX, "
	        "/DISCONNECT, /?)\nTry 'rasdial /?' for more information.\n",
	        tok);
	return EXIT_USAGE;
}

/* A switch @name given as @tok without the value it needs (@needed), or
 * with one it does not take. */
static int value_error(const char *name, const char *tok, bool needed)
{
	const char *what = strcmp(name, "PHONEBOOK") == 0 ? "FILE"
	                   : strcmp(name, "DOMAIN") == 0  ? "DOMAIN"
	                                                  : "NUMBER";

	if (needed)
		fprintf(stderr,
		        "rasdial: %s needs a value: /%s:%s\nTry 'rasdial /?' "
		        "for more information.\n",
		        tok, name, what);
	else
		fprintf(stderr,
		        "rasdial: %s takes no value: /%s\nTry 'rasdial /?' "
		        "for more information.\n",
		        tok, name);
	return EXIT_USAGE;
}

/* §B3 — the exit status for RAS result @r. */
static int status_of(DWORD r)
{
	if (!r)
		return 0;
	if (r >= 601 && r <= 853)
		return (int)(r - 600);
	return EXIT_OTHER;
}

/* "Remote Access error N - text" on stderr; the exit status. */
static int report(DWORD r)
{
	char text[512];

	if (RasGetErrorStringA((UINT)r, text, sizeof(text)) != 0)
		snprintf(text, sizeof(text), "(no description)");
	fprintf(stderr, "Remote Access error %lu - %s\n", (unsigned long)r,
	        text);
	if (r == ERROR_RASMAN_CANNOT_INITIALIZE)
		explain_unreachable();
	return status_of(r);
}

/* A switch of §B3 (/NAME, /NAME:value, -NAME, --name, --name=value)? */
static bool switch_of(const char *tok, const char **name, size_t *len,
                      const char **value)
{
	static const char *const names[] = {
		"DOMAIN",       "PHONE",      "CALLBACK", "PHONEBOOK",
		"PREFIXSUFFIX", "DISCONNECT", "?",        "HELP",
	};
	const char *p = tok, *end;
	size_t i, n;

	if (p[0] == '-' && p[1] == '-')
		p += 2;
	else if (p[0] == '/' || p[0] == '-')
		p++;
	else
		return false;
	end = p + strcspn(p, ":=");
	if (*end == '=' && tok[0] != '-')
		return false; /* "/NAME=" is not a switch form */
	n = (size_t)(end - p);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n == strlen(names[i]) && strncasecmp(p, names[i], n) == 0) {
			*name = names[i];
			*len = n;
			*value = *end ? end + 1 : NULL;
			return true;
		}
	return false;
}

/*
 * Every word that starts with / or - is a switch, and one that names none
 * is a usage error, never an argument: a typo such as /DISCONECT must not
 * dial with it as the user name. After "--" every word is an argument (a
 * password that starts with /).
 */
static int parse(int argc, char **argv, struct args *a)
{
	bool switches = true;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *name, *value, **slot = NULL;
		size_t len;

		if (switches && strcmp(argv[i], "--") == 0) {
			switches = false;
			continue;
		}
		if (!switches || (argv[i][0] != '/' && argv[i][0] != '-')) {
			if (a->npos == 3)
				return usage_error("too many arguments:",
				                   argv[i]);
			a->pos[a->npos++] = argv[i];
			continue;
		}
		if (!switch_of(argv[i], &name, &len, &value))
			return unknown_switch(argv[i]);
		if (strcmp(name, "DOMAIN") == 0)
			slot = &a->domain;
		else if (strcmp(name, "PHONE") == 0)
			slot = &a->phone;
		else if (strcmp(name, "CALLBACK") == 0)
			slot = &a->callback;
		else if (strcmp(name, "PHONEBOOK") == 0)
			slot = &a->phonebook;
		if (slot) {
			if (!value)
				return value_error(name, argv[i], true);
			*slot = value; /* the last one wins */
			continue;
		}
		if (value)
			return value_error(name, argv[i], false);
		if (strcmp(name, "PREFIXSUFFIX") == 0)
			a->prefixsuffix = true;
		else if (strcmp(name, "DISCONNECT") == 0)
			a->disconnect = true;
		else
			a->help = true;
	}
	if (a->disconnect && a->npos > 1)
		return usage_error("/DISCONNECT takes one entry name at "
		                   "most",
		                   NULL);
	return 0;
}

/* Copies @src into @dst (@n bytes); false if it does not fit. */
static bool fits(char *dst, size_t n, const char *src)
{
	if (!src)
		return true;
	if (strlen(src) >= n)
		return false;
	memcpy(dst, src, strlen(src) + 1);
	return true;
}

/* ---- the connections ---------------------------------------------------- */

/* RasEnumConnections with the buffer protocol; *@out to free. */
static DWORD list(RASCONNA **out, DWORD *n)
{
	RASCONNA *v = NULL;
	DWORD cb = sizeof(RASCONNA), r = 0;
	unsigned tries;

	*out = NULL;
	*n = 0;
	for (tries = 0; tries < 8; tries++) {
		RASCONNA *nv = realloc(v, cb);

		if (!nv) {
			free(v);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
		v = nv;
		memset(v, 0, cb);
		v[0].dwSize = sizeof(RASCONNA);
		r = RasEnumConnectionsA(v, &cb, n);
		if (r != ERROR_BUFFER_TOO_SMALL)
			break;
	}
	if (r) {
		free(v);
		*n = 0;
		return r;
	}
	*out = v;
	return 0;
}

/* Whether connection @c is @entry's (of @phonebook if given). */
static bool is_entry(const RASCONNA *c, const char *entry,
                     const char *phonebook)
{
	char real[PATH_MAX];

	if (strcasecmp(c->szEntryName, entry) != 0)
		return false;
	if (!phonebook)
		return true;
	if (!realpath(phonebook, real))
		snprintf(real, sizeof(real), "%s", phonebook);
	return strcmp(c->szPhonebook, real) == 0;
}

/* Waits (bounded) until @h is gone; 0, or ERROR_REQUEST_TIMEOUT. */
static DWORD wait_gone(HRASCONN h)
{
	unsigned i;

	for (i = 0; i < TEARDOWN_S * 50; i++) {
		RASCONNSTATUSA st;

		memset(&st, 0, sizeof(st));
		st.dwSize = sizeof(st);
		if (RasGetConnectStatusA(h, &st) == ERROR_INVALID_HANDLE)
			return 0;
		usleep(20000);
	}
	return ERROR_REQUEST_TIMEOUT;
}

/* §B3 — RasHangUp (forced: rasdial owns no reference) and the wait. */
static DWORD hang_up(HRASCONN h)
{
	DWORD r = RasHangUpA(h);

	if (r == ERROR_INVALID_HANDLE)
		return 0; /* gone meanwhile */
	return r ? r : wait_gone(h);
}

static int cmd_list(void)
{
	RASCONNA *v;
	DWORD n, i, r = list(&v, &n);

	if (r)
		return report(r);
	if (!n) {
		printf("No connections\n");
	} else {
		printf("Connected to\n");
		for (i = 0; i < n; i++)
			printf("%s\n", v[i].szEntryName);
	}
	printf("Command completed successfully.\n");
	free(v);
	return 0;
}

static int cmd_disconnect(const struct args *a)
{
	const char *entry = a->npos ? a->pos[0] : NULL;
	RASCONNA *v;
	DWORD n, i, r = list(&v, &n);
	HRASCONN h = NULL;
	unsigned found = 0;
	bool own = false;

	if (r)
		return report(r);
	/*
	 * root sees every user's connections (RASCF_OwnerMatch marks its
	 * own): of an entry, its own one is hung up first, another user's
	 * only when it has none
	 */
	for (i = 0; i < n; i++)
		if (!entry || is_entry(&v[i], entry, a->phonebook)) {
			if (!found++ || (entry && !own &&
			                 (v[i].dwFlags & RASCF_OwnerMatch))) {
				h = v[i].hrasconn;
				own = (v[i].dwFlags & RASCF_OwnerMatch) != 0;
			}
		}
	if (!found) {
		if (entry)
			printf("%s is not connected.\n", entry);
		else
			printf("No connections\n");
		free(v);
		return 0;
	}
	if (!entry && found > 1) {
		fprintf(stderr, "rasdial: several connections; name the one "
		                "to disconnect:\n");
		for (i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", v[i].szEntryName);
		free(v);
		return EXIT_USAGE;
	}
	free(v);
	r = hang_up(h);
	if (r)
		return report(r);
	printf("Command completed successfully.\n");
	return 0;
}

/* ---- dialling ----------------------------------------------------------- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const char *entry;
	bool quiet; /* up already: no progress lines */
	bool done;
	DWORD error;
} dial = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/* §B3 — progress lines as the states arrive (RASDIALFUNC1). */
static void WINAPI on_state(HRASCONN h, UINT msg, RASCONNSTATE st, DWORD err,
                            DWORD ext)
{
	(void)h;
	(void)msg;
	(void)ext;
	pthread_mutex_lock(&dial.lock);
	if (!err && !dial.quiet) {
		switch (st) {
		case RASCS_OpenPort:
			printf("Connecting to %s...\n", dial.entry);
			break;
		case RASCS_Authenticate:
			printf("Verifying username and password...\n");
			break;
		case RASCS_AuthProject:
			printf("Registering your computer on the network...\n");
			break;
		case RASCS_Connected:
			printf("Successfully connected to %s.\n", dial.entry);
			break;
		default:
			break;
		}
		fflush(stdout);
	}
	if (err || st == RASCS_Connected || st == RASCS_Disconnected) {
		dial.done = true;
		dial.error = err;
		pthread_cond_broadcast(&dial.cond);
	}
	pthread_mutex_unlock(&dial.lock);
}

/* §B3 — a password typed without echo, or a line of stdin. */
static int read_password(const char *user, const char *entry, char *out,
                         size_t n)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	size_t len;

	if (tty) {
		fprintf(stderr,
		        "Enter the password for %s to connect to %s: ", user,
		        entry);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	if (!fgets(out, (int)n, stdin))
		out[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	len = strcspn(out, "\r\n");
	if (out[len] == '\0' && len == n - 1 && !feof(stdin))
		return -1; /* longer than a password may be */
	out[len] = '\0';
	return 0;
}

/* Waits for the end of the dial, or a signal in @sigs (0: none). */
static int wait_dial(const sigset_t *sigs)
{
	struct timespec tick = {0, 100 * 1000 * 1000};
	unsigned i;

	for (i = 0; i < DIAL_LIMIT_S * 10; i++) {
		int sig;
		bool done;

		pthread_mutex_lock(&dial.lock);
		done = dial.done;
		pthread_mutex_unlock(&dial.lock);
		if (done)
			return 0;
		sig = sigtimedwait(sigs, NULL, &tick);
		if (sig > 0)
			return sig;
	}
	return -1;
}

static int cmd_dial(const struct args *a)
{
	const char *entry = a->pos[0];
	RASDIALEXTENSIONS x;
	RASDIALPARAMSA p;
	RASCONNA *v;
	HRASCONN h = NULL;
	sigset_t sigs;
	DWORD n, i, r;
	bool already = false;
	int sig;

	memset(&p, 0, sizeof(p));
	p.dwSize = sizeof(p);
	if (!fits(p.szEntryName, sizeof(p.szEntryName), entry) ||
	    !fits(p.szPhoneNumber, sizeof(p.szPhoneNumber), a->phone) ||
	    !fits(p.szCallbackNumber, sizeof(p.szCallbackNumber),
	          a->callback) ||
	    !fits(p.szDomain, sizeof(p.szDomain), a->domain) ||
	    (a->npos > 1 &&
	     !fits(p.szUserName, sizeof(p.szUserName), a->pos[1])) ||
	    (a->npos > 2 && strcmp(a->pos[2], "*") != 0 &&
	     !fits(p.szPassword, sizeof(p.szPassword), a->pos[2])))
		return usage_error("an argument is too long", NULL);
	if (a->npos > 2 && strcmp(a->pos[2], "*") == 0) {
		if (read_password(p.szUserName, entry, p.szPassword,
		                  sizeof(p.szPassword)) < 0)
			return usage_error("the password is too long", NULL);
	} else if (a->npos == 2) {
		/* §B3 — the saved password, if saved for this user */
		RASDIALPARAMSA saved;
		BOOL has_pw = FALSE;

		memset(&saved, 0, sizeof(saved));
		saved.dwSize = sizeof(saved);
		memcpy(saved.szEntryName, p.szEntryName,
		       sizeof(saved.szEntryName));
		if (RasGetEntryDialParamsA(a->phonebook, &saved, &has_pw) ==
		            0 &&
		    has_pw && strcmp(saved.szUserName, p.szUserName) == 0)
			memcpy(p.szPassword, saved.szPassword,
			       sizeof(p.szPassword));
		explicit_bzero(&saved, sizeof(saved));
	}
	/* tapixd reachable (711 if not), and is the entry up already? */
	r = list(&v, &n);
	if (r) {
		explicit_bzero(&p, sizeof(p));
		return report(r);
	}
	/* a dial joins only the caller's own connection (another user's,
	 * which root also sees, is not "already connected") */
	for (i = 0; i < n; i++)
		if (is_entry(&v[i], entry, a->phonebook) &&
		    (v[i].dwFlags & RASCF_OwnerMatch))
			already = true;
	free(v);
	memset(&x, 0, sizeof(x));
	x.dwSize = sizeof(x);
	x.dwfOptions = a->prefixsuffix ? RDEOPT_UsePrefixSuffix : 0;
	/* the signals wait for wait_dial (the notifier thread inherits the
	 * mask) */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	dial.entry = entry;
	dial.quiet = already;
	r = RasDialA(&x, a->phonebook, &p, 1, (LPVOID)on_state, &h);
	explicit_bzero(&p, sizeof(p));
	if (!r) {
		sig = wait_dial(&sigs);
		pthread_mutex_lock(&dial.lock);
		r = sig > 0   ? ERROR_USER_DISCONNECTION
		    : sig < 0 ? ERROR_REQUEST_TIMEOUT
		              : dial.error;
		pthread_mutex_unlock(&dial.lock);
	}
	if (r) {
		int st = report(r);

		if (h) {
			DWORD e = hang_up(h);

			if (e)
				fprintf(stderr,
				        "rasdial: the connection is "
				        "not gone yet (error %lu)\n",
				        (unsigned long)e);
		}
		return st;
	}
	if (already)
		printf("%s is already connected.\n", entry);
	printf("Command completed successfully.\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *env, *from;
	struct args a;
	int st;

	st = parse(argc, argv, &a);
	if (st)
		return st;
	if (a.help) {
		fputs(usage_text, stdout);
		return 0;
	}
	/* the connections must outlive rasdial: tapixd holds them */
	env = getenv("TAPIX_SERVICE");
	from = env && *env ? "TAPIX_SERVICE" : "the configuration's service";
	if (!tapix_service(svc, sizeof(svc))) {
		if (setenv("TAPIX_SERVICE", "system", 1) != 0)
			return report(ERROR_NOT_ENOUGH_MEMORY);
		snprintf(svc, sizeof(svc), "system");
		from = NULL;
	}
	if (strcmp(svc, "system") && strcmp(svc, "session") &&
	    !strchr(svc, ':') && !strchr(svc, '=')) {
		fprintf(stderr,
		        "rasdial: %s names no bus: '%s' is neither system, "
		        "session nor a D-Bus address (unix:path=FILE)\n",
		        from, svc);
		return EXIT_USAGE;
	}
	snprintf(service_where, sizeof(service_where), "%s%s%s%s%s",
	         strcmp(svc, "system") == 0    ? "the system bus"
	         : strcmp(svc, "session") == 0 ? "the session bus"
	                                       : "the bus at ",
	         strcmp(svc, "system") && strcmp(svc, "session") ? svc : "",
	         from ? " (from " : " (the default)", from ? from : "",
	         from ? ")" : "");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (a.disconnect)
		return cmd_disconnect(&a);
	if (!a.npos)
		return cmd_list();
	return cmd_dial(&a);
}
