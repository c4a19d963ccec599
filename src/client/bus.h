/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reaching tapixd: which bus the process uses, and a connection to it.
 * Shared by the line API's client mode and the RAS client.
 */
#ifndef TAPIX_CLIENT_BUS_H
#define TAPIX_CLIENT_BUS_H

#include <stddef.h>

#include <systemd/sd-bus.h>

/*
 * Connects *@out to @where: "system", "session" or a D-Bus address.
 * 0 or a negative errno (nothing to free then).
 */
int client_bus_connect(const char *where, sd_bus **out);

#endif
