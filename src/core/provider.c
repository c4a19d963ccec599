/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loading providers: dlopen the module, resolve the TSPI_* entry points by
 * name (spec: tspi.md §1), and serialize calls into providers that asked
 * for LINETSPIOPTION_NONREENTRANT.
 */
#define LOG_MODULE "core"
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/config.h"
#include "core/core.h"
#include "util/log.h"
#include "util/mem.h"

/*
 * Modules stay loaded for the life of the process (a provider may have
 * threads or atexit handlers; a TSP DLL is not unloaded mid-process either),
 * so a module is opened once and found again here by path.
 */
#define MAX_MODULES 32
static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char path[PATH_MAX];
	void *dl;
} modules[MAX_MODULES];
static unsigned nmodules;

static void *module_open(const char *path)
{
	void *dl = NULL;
	unsigned i;

	log_mutex_lock(&modules_lock);
	for (i = 0; i < nmodules; i++) {
		if (strcmp(modules[i].path, path) == 0) {
			dl = modules[i].dl;
			goto out;
		}
	}
	if (nmodules == MAX_MODULES) {
		log_err("provider %s: too many provider modules", path);
		goto out;
	}
	dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		log_err("provider %s: %s", path, dlerror());
		goto out;
	}
	snprintf(modules[nmodules].path, sizeof(modules[0].path), "%s", path);
	modules[nmodules].dl = dl;
	nmodules++;
out:
	log_mutex_unlock(&modules_lock);
	return dl;
}

/* Sum of TSPIX_providerLiveObjects() over every module ever loaded. */
size_t provider_live_objects(void)
{
	size_t n = 0;
	unsigned i;

	log_mutex_lock(&modules_lock);
	for (i = 0; i < nmodules; i++) {
		DWORD (*fn)(void);

		*(void **)&fn =
			dlsym(modules[i].dl, "TSPIX_providerLiveObjects");
		if (fn)
			n += fn();
	}
	log_mutex_unlock(&modules_lock);
	return n;
}

const struct tspix_config_key *provider_config_keys(const struct provider *p)
{
	const struct tspix_config_key *(*fn)(void);

	if (!p->dl)
		return NULL;
	/* optional (spec: tspi.h): older providers list no keys */
	*(void **)&fn = dlsym(p->dl, "TSPIX_providerConfigKeys");
	return fn ? fn() : NULL;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Directory of the installed providers, next to this library. */
static bool default_dir(char *out, size_t len)
{
	Dl_info info;
	char *slash;

	if (!dladdr((void *)default_dir, &info) || !info.dli_fname)
		return false;
	if ((size_t)snprintf(out, len, "%s", info.dli_fname) >= len)
		return false;
	slash = strrchr(out, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return (size_t)snprintf(out + strlen(out), len - strlen(out),
	                        "/tapix/providers") < len - strlen(out);
}

static bool try_dir(const char *dir, size_t dirlen, const char *name, char *out,
                    size_t len)
{
	if (dirlen == 0)
		return false;
	if ((size_t)snprintf(out, len, "%.*s/%s.so", (int)dirlen, dir, name) >=
	    len)
		return false;
	return is_file(out);
}

/*
 * Finds the module of provider @name: @path when given (absolute, or a
 * name found like the others), else NAME.so in TAPIX_PROVIDER_PATH
 * (colon-separated), @search_dir, and the directory next to libtapix.
 */
static bool find_module(const char *name, const char *path,
                        const char *search_dir, char *out, size_t len)
{
	const char *env = getenv("TAPIX_PROVIDER_PATH");
	char dir[PATH_MAX];

	if (path && strchr(path, '/')) {
		if ((size_t)snprintf(out, len, "%s", path) >= len)
			return false;
		return is_file(out);
	}
	if (path)
		name = path;
	while (env && *env) {
		size_t n = strcspn(env, ":");

		if (try_dir(env, n, name, out, len))
			return true;
		env += n;
		if (*env == ':')
			env++;
	}
	if (search_dir &&
	    try_dir(search_dir, strlen(search_dir), name, out, len))
		return true;
	if (default_dir(dir, sizeof(dir)) &&
	    try_dir(dir, strlen(dir), name, out, len))
		return true;
	return false;
}

#define RESOLVE(p, field, sym) (*(void **)&(p)->fn.field = dlsym((p)->dl, sym))

LONG provider_load(struct provider *p, const char *name, const char *path,
                   const char *search_dir)
{
	char file[PATH_MAX];

	memset(p, 0, sizeof(*p));
	if (!find_module(name, path, search_dir, file, sizeof(file))) {
		log_err("provider %s: module not found", name);
		return LINEERR_NODRIVER;
	}
	p->dl = module_open(file);
	if (!p->dl)
		return LINEERR_NODRIVER;
	p->name = mem_strdup(name);
	if (!p->name)
		return LINEERR_NOMEM;
	RESOLVE(p, lineNegotiateTSPIVersion, "TSPI_lineNegotiateTSPIVersion");
	RESOLVE(p, providerEnumDevices, "TSPI_providerEnumDevices");
	RESOLVE(p, providerInit, "TSPI_providerInit");
	RESOLVE(p, providerShutdown, "TSPI_providerShutdown");
	RESOLVE(p, providerCreateLineDevice, "TSPI_providerCreateLineDevice");
	RESOLVE(p, lineGetDevCaps, "TSPI_lineGetDevCaps");
	RESOLVE(p, lineGetAddressCaps, "TSPI_lineGetAddressCaps");
	RESOLVE(p, lineOpen, "TSPI_lineOpen");
	RESOLVE(p, lineClose, "TSPI_lineClose");
	RESOLVE(p, lineSetDefaultMediaDetection,
	        "TSPI_lineSetDefaultMediaDetection");
	RESOLVE(p, lineSetStatusMessages, "TSPI_lineSetStatusMessages");
	RESOLVE(p, lineMakeCall, "TSPI_lineMakeCall");
	RESOLVE(p, lineAnswer, "TSPI_lineAnswer");
	RESOLVE(p, lineAccept, "TSPI_lineAccept");
	RESOLVE(p, lineDrop, "TSPI_lineDrop");
	RESOLVE(p, lineDropOnClose, "TSPI_lineDropOnClose");
	RESOLVE(p, lineCloseCall, "TSPI_lineCloseCall");
	RESOLVE(p, lineGetCallInfo, "TSPI_lineGetCallInfo");
	RESOLVE(p, lineGetCallStatus, "TSPI_lineGetCallStatus");
	RESOLVE(p, lineGetLineDevStatus, "TSPI_lineGetLineDevStatus");
	RESOLVE(p, lineGetCallAddressID, "TSPI_lineGetCallAddressID");
	RESOLVE(p, lineSendUserUserInfo, "TSPI_lineSendUserUserInfo");
	RESOLVE(p, lineReleaseUserUserInfo, "TSPI_lineReleaseUserUserInfo");
	RESOLVE(p, lineHold, "TSPI_lineHold");
	RESOLVE(p, lineUnhold, "TSPI_lineUnhold");
	RESOLVE(p, lineBlindTransfer, "TSPI_lineBlindTransfer");
	RESOLVE(p, lineRedirect, "TSPI_lineRedirect");
	RESOLVE(p, lineDial, "TSPI_lineDial");
	RESOLVE(p, lineSetupConference, "TSPI_lineSetupConference");
	RESOLVE(p, linePrepareAddToConference,
	        "TSPI_linePrepareAddToConference");
	RESOLVE(p, lineAddToConference, "TSPI_lineAddToConference");
	RESOLVE(p, lineRemoveFromConference, "TSPI_lineRemoveFromConference");
	RESOLVE(p, lineGetID, "TSPI_lineGetID");
	RESOLVE(p, lineGenerateDigits, "TSPI_lineGenerateDigits");
	RESOLVE(p, lineMonitorDigits, "TSPI_lineMonitorDigits");
	RESOLVE(p, lineGatherDigits, "TSPI_lineGatherDigits");
	RESOLVE(p, lineMonitorTones, "TSPI_lineMonitorTones");
	RESOLVE(p, lineGenerateTone, "TSPI_lineGenerateTone");
	RESOLVE(p, lineSetupTransfer, "TSPI_lineSetupTransfer");
	RESOLVE(p, lineCompleteTransfer, "TSPI_lineCompleteTransfer");
	RESOLVE(p, lineDropEx, "TSPIX_lineDropEx");
	RESOLVE(p, providerConfig, "TSPIX_providerConfig");
	RESOLVE(p, providerLiveObjects, "TSPIX_providerLiveObjects");

	/* spec: tspi.md §1 — the entry points every provider must export */
	if (!p->fn.lineNegotiateTSPIVersion || !p->fn.providerEnumDevices ||
	    !p->fn.providerInit || !p->fn.providerShutdown ||
	    !p->fn.lineGetDevCaps || !p->fn.lineGetAddressCaps ||
	    !p->fn.lineOpen || !p->fn.lineClose || !p->fn.lineCloseCall ||
	    !p->fn.lineGetCallInfo || !p->fn.lineGetCallStatus ||
	    !p->fn.lineSetDefaultMediaDetection) {
		log_err("provider %s: %s lacks a required TSPI function", name,
		        file);
		mem_free(p->name);
		p->name = NULL;
		return LINEERR_NODRIVER;
	}
	pthread_mutex_init(&p->serial, NULL);
	log_info("provider %s: loaded %s", name, file);
	return 0;
}

void provider_unload(struct provider *p)
{
	if (!p->name)
		return;
	pthread_mutex_destroy(&p->serial);
	mem_free(p->name);
	p->name = NULL;
}
