#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs as root inside a Debian root where the tapix packages were just
# installed (tests/deb/check.sh runs it there, chrooted, as the first
# process of a PID namespace of its own, so that whatever it starts ends
# with it, with /proc, /run and /tmp mounted in a mount namespace). It
# checks what the packages put in place, then:
#   1. starts the system bus from the root's configuration;
#   2. starts tapixd as tapixd.service would (its ExecStart, as its User,
#      with its RuntimeDirectory and UMask, no new privileges and no
#      capability; systemd itself does not run here);
#   3. as an ordinary user, makes a call on the emulated switch with
#      tapictl, looks at it and drops it, and runs tapix-demo as a client
#      of tapixd (libtapix in client mode: the direct connection);
#   4. stops tapixd (SIGTERM: exit status 0) and has the bus start it
#      again from the activation file (as tapix, from a bus call), and
#      uses it once more.
# Usage: inside.sh
# shellcheck disable=SC2317 # the checks' functions are called by check()
set -u
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C.UTF-8
unset DBUS_SYSTEM_BUS_ADDRESS DBUS_SESSION_BUS_ADDRESS
passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "ok: $*"
}
not_ok() {
	failed=$((failed + 1))
	echo "FAILED: $*"
}
check() { # DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
finish() {
	echo "inside: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

# (check.sh mounted /proc, and a tmpfs on /run and /tmp)
[ -r /proc/self/stat ] || { not_ok "/proc is mounted"; finish; }
logs=/run/tapix-test
mkdir -p "$logs"

unit=/lib/systemd/system/tapixd.service
activation=/usr/share/dbus-1/system-services/org.tapix.Tapix1.service
policy=/usr/share/dbus-1/system.d/org.tapix.Tapix1.conf

# ---- what the packages installed ------------------------------------------
installed() { # PACKAGE
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}
system_user() { # tapix: a system user and group, no home, no login
	IFS=: read -r name _ uid gid _ home shell <<EOF
$(getent passwd tapix)
EOF
	[ "$name" = tapix ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] &&
		[ "$home" = /nonexistent ] && [ ! -e /nonexistent ] &&
		[ "$shell" = /usr/sbin/nologin ] &&
		[ "$(getent group tapix | cut -d: -f3)" = "$gid" ]
}
may_own() { # the policy's <policy user="tapix"> allows owning the name
	tr -d '\n' <"$policy" |
		grep -q '<policy user="tapix">[[:space:]]*<allow own="org.tapix.Tapix1"/>'
}
activates_unit() {
	grep -qx 'Name=org.tapix.Tapix1' "$activation" &&
		grep -qx 'SystemdService=tapixd.service' "$activation" &&
		grep -qx 'User=tapix' "$activation" &&
		[ "$(sed -n 's/^Exec=//p' "$activation")" = \
			"$(sed -n 's/^ExecStart=//p' "$unit")" ]
}
conffile() { # PACKAGE FILE
	dpkg-query -W -f='${Conffiles}\n' "$1" | grep -q "^ $2 "
}
for p in libtapix0 tapix-providers tapixd tapix-tools; do
	check "package $p installed" installed "$p"
done
check "the user tapix: a system user, no home, no login" system_user
check "the unit is installed" test -f "$unit"
check "the unit is enabled (multi-user.target.wants)" test \
	"$(readlink /etc/systemd/system/multi-user.target.wants/tapixd.service)" \
	= "$unit"
check "the bus policy lets tapix own org.tapix.Tapix1" may_own
check "the activation file starts the unit's tapixd as tapix" activates_unit
check "the introspection data is installed" \
	test -s /usr/share/dbus-1/interfaces/org.tapix.Tapix1.xml
check "/etc/tapix/tapix.conf is tapixd's conffile" \
	conffile tapixd /etc/tapix/tapix.conf
for m in man1/tapictl.1 man1/rasdial.1 man1/tapix-demo.1 man5/tapix.conf.5 \
	man7/tapix-sip.7 man8/tapixd.8; do
	check "man page $m" test -s "/usr/share/man/$m.gz"
done
check "the copyright file" test -s /usr/share/doc/tapixd/copyright
# shellcheck disable=SC2046 # the multiarch directory
check "the providers" test -f $(echo /usr/lib/*/tapix/providers/sip.so)

# ---- the system bus, from the root's configuration ---------------------------
# (mmdebstrap leaves /etc/machine-id empty, for systemd to fill at boot;
# the bus needs one now)
[ -s /etc/machine-id ] || dbus-uuidgen >/etc/machine-id
mkdir -p /run/dbus
dbus-daemon --system --fork --nopidfile --nosyslog 2>"$logs/dbus.log"
bus_up() {
	dbus-send --system --print-reply --dest=org.freedesktop.DBus / \
		org.freedesktop.DBus.GetId >/dev/null 2>&1
}
n=0
until bus_up || [ $n -ge 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
if ! bus_up; then
	cat "$logs/dbus.log"
	not_ok "the system bus started"
	finish
fi
ok "the system bus started"

bus() { # METHOD ARG...: a call to the bus daemon, its reply's value
	m=$1
	shift
	dbus-send --system --print-reply=literal --dest=org.freedesktop.DBus \
		/org/freedesktop/DBus "org.freedesktop.DBus.$m" "$@" 2>/dev/null |
		sed 's/^ *//; s/^uint32 //; s/^boolean //'
}
owned() { [ "$(bus NameHasOwner string:org.tapix.Tapix1)" = true ]; }
wait_owned() { # SECONDS
	n=0
	until owned || [ $n -ge $(($1 * 10)) ]; do
		sleep 0.1
		n=$((n + 1))
	done
	owned
}
tapix_uid=$(id -u tapix)

# ---- tapixd as the unit starts it ----------------------------------------------
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
group=$(sed -n 's/^Group=//p' "$unit")
rundir=$(sed -n 's/^RuntimeDirectory=//p' "$unit")
rundir_mode=$(sed -n 's/^RuntimeDirectoryMode=//p' "$unit")
umask_unit=$(sed -n 's/^UMask=//p' "$unit")
check "the unit runs /usr/sbin/tapixd as tapix" [ "$user:$group:$exec_start" \
	= "tapix:tapix:/usr/sbin/tapixd --bus=system" ]
check "the unit's runtime directory is tapixd" [ "$rundir" = tapixd ]
install -d -o "$user" -g "$group" -m "${rundir_mode:-0755}" "/run/$rundir"
# shellcheck disable=SC2086,SC2016 # ExecStart: the program and its arguments
env -i PATH="$PATH" LANG=C.UTF-8 RUNTIME_DIRECTORY="/run/$rundir" \
	setpriv --reuid="$user" --regid="$group" --init-groups \
	--no-new-privs --inh-caps=-all --bounding-set=-all \
	sh -c 'umask "$1"; shift; exec "$@"' sh "${umask_unit:-0022}" \
	$exec_start 2>"$logs/tapixd.log" &
tapixd=$!
if wait_owned 10; then
	ok "tapixd owns org.tapix.Tapix1 on the system bus"
else
	cat "$logs/tapixd.log"
	not_ok "tapixd owns org.tapix.Tapix1 on the system bus"
	finish
fi
check "the owner of org.tapix.Tapix1 runs as tapix" [ \
	"$(bus GetConnectionUnixUser string:org.tapix.Tapix1)" = "$tapix_uid" ]
check "the socket of direct connections is in /run/$rundir" \
	test -S "/run/$rundir/tapi"

# ---- a call, as an ordinary user ---------------------------------------------
useradd --create-home alice
as_alice() { # [VAR=VALUE...] COMMAND...: as alice, with a clean environment
	env -i PATH="$PATH" LANG=C.UTF-8 HOME=/home/alice \
		setpriv --reuid=alice --regid=alice --init-groups env "$@"
}
state_is() { # CALL STATE
	as_alice tapictl show call "$1" | grep -q "^State: *$2\$"
}
esp_lines() { # N: tapictl lines lists N lines of the emulated switch
	[ "$(as_alice tapictl lines | grep -c 'tapix emulated switch (esp)')" = "$1" ]
}
demo() {
	as_alice TAPIX_SERVICE=system tapix-demo >"$logs/demo.log" 2>&1 ||
		{ cat "$logs/demo.log"; return 1; }
}
as_alice tapictl lines
check "tapictl lines: the example configuration's four lines" esp_lines 4
call=$(as_alice tapictl call 0 answer --wait=10)
status=$?
call=$(printf '%s\n' "$call" | head -n 1)
echo "call $call"
check "tapictl call 0 answer --wait=10: connected" [ "$status" -eq 0 ]
as_alice tapictl show call "$call"
check "tapictl show: the call is connected" state_is "$call" connected
check "tapictl drop" as_alice tapictl drop "$call"
n=0
until state_is "$call" idle || [ $n -ge 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
check "the call went idle" state_is "$call" idle
check "tapictl deallocate" as_alice tapictl deallocate "$call"
check "tapix-demo as a client of tapixd (TAPIX_SERVICE=system)" demo

kill -TERM "$tapixd"
wait "$tapixd"
status=$?
check "tapixd exits 0 on SIGTERM" [ "$status" -eq 0 ]
[ "$status" -eq 0 ] || cat "$logs/tapixd.log"

# ---- bus activation ------------------------------------------------------
activatable() {
	dbus-send --system --print-reply --dest=org.freedesktop.DBus \
		/org/freedesktop/DBus org.freedesktop.DBus.ListActivatableNames |
		grep -q '"org.tapix.Tapix1"'
}
check "org.tapix.Tapix1 is activatable" activatable
started=$(bus StartServiceByName string:org.tapix.Tapix1 uint32:0)
check "the bus starts tapixd from the activation file" [ "$started" = 1 ]
if wait_owned 10; then
	check "the activated tapixd runs as tapix" [ \
		"$(bus GetConnectionUnixUser string:org.tapix.Tapix1)" = "$tapix_uid" ]
	check "tapictl lines through the activated tapixd" esp_lines 4
	pid=$(bus GetConnectionUnixProcessID string:org.tapix.Tapix1)
	kill -TERM "$pid"
else
	cat "$logs/dbus.log"
	not_ok "the activated tapixd owns org.tapix.Tapix1"
fi
finish
