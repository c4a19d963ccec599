/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "client/bus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tapix/tapix.h>

#include "core/config.h"

int client_bus_connect(const char *where, sd_bus **out)
{
	sd_bus *bus = NULL;
	int e;

	*out = NULL;
	if (strcmp(where, "system") == 0) {
		e = sd_bus_open_system(&bus);
	} else if (strcmp(where, "session") == 0) {
		e = sd_bus_open_user(&bus);
	} else {
		e = sd_bus_new(&bus);
		if (e >= 0)
			e = sd_bus_set_address(bus, where);
		if (e >= 0)
			e = sd_bus_set_bus_client(bus, 1);
		if (e >= 0)
			e = sd_bus_start(bus);
	}
	if (e < 0) {
		sd_bus_flush_close_unref(bus);
		return e;
	}
	*out = bus;
	return 0;
}

const char *tapix_service(char *buf, size_t size)
{
	const char *env = getenv("TAPIX_SERVICE");
	const char *r = NULL;
	struct conf c;

	if (!buf || !size)
		return NULL;
	buf[0] = '\0';
	if (env) {
		if (*env && strlen(env) < size) {
			snprintf(buf, size, "%s", env);
			r = buf;
		}
		return r;
	}
	memset(&c, 0, sizeof(c));
	if (conf_load(&c) == 0 && c.service && *c.service &&
	    strlen(c.service) < size) {
		snprintf(buf, size, "%s", c.service);
		r = buf;
	}
	conf_free(&c);
	return r;
}
