#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs inside the Debian root of tests/deb/check.sh booted with systemd
# (systemd-nspawn, loopback network only), as a oneshot unit ordered after
# tapixd.service: the hardened unit as installed, for real. It checks that
# tapixd runs as tapix with no capability, no new privileges and its
# system call filter; makes calls through it as an ordinary user (the
# emulated switch; SIP on the loopback, through the sandbox's network);
# reloads it; stops it and has the bus start it again through systemd.
# Writes its result to /root/booted.status (0: passed) and powers off.
# Usage: booted.sh
# shellcheck disable=SC2317 # the checks' functions are called by check()
set -u
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH LC_ALL=C.UTF-8
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
	echo "booted: $passed passed, $failed failed"
	if [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then
		echo 0 >/root/booted.status
	else
		echo 1 >/root/booted.status
	fi
	systemctl poweroff --no-block
	exit 0
}
active() { [ "$(systemctl is-active tapixd.service)" = active ]; }
wait_active() {
	n=0
	until active || [ "$n" -ge 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	active
}
as_alice() { runuser -u alice -- env "$@"; }

# Two SIP accounts on the loopback besides the emulated switch's lines
cat >/etc/tapix/tapix.conf <<'EOF'
[tapix]
providers = esp sip
[esp]
lines = 4
[sip]
local = 127.0.0.1:*
[sip.a]
aor = sip:a@127.0.0.1
local = 127.0.0.1:5070
[sip.b]
aor = sip:b@127.0.0.1
local = 127.0.0.1:5072
EOF
systemctl restart tapixd.service
check "tapixd.service is active" wait_active || finish
check "tapixd.service is enabled" [ "$(systemctl is-enabled tapixd.service)" = enabled ]
pid=$(systemctl show -p MainPID --value tapixd.service)
field() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$pid/status"; }
check "tapixd runs as tapix" [ "$(stat -c %U "/proc/$pid")" = tapix ]
check "tapixd has no capability" [ "$(field CapEff):$(field CapPrm):$(field CapBnd):$(field CapAmb)" \
	= "0000000000000000:0000000000000000:0000000000000000:0000000000000000" ]
check "tapixd cannot gain privileges" [ "$(field NoNewPrivs)" = 1 ]
check "tapixd has a system call filter" [ "$(field Seccomp)" = 2 ]
check "the socket of direct connections" [ "$(stat -c %U:%a /run/tapixd/tapi)" = tapix:666 ]

id alice >/dev/null 2>&1 || useradd --create-home alice
sip_lines() { as_alice tapictl lines | grep -c 'tapix SIP provider'; }
check "tapictl lines: the SIP lines" [ "$(sip_lines)" = 2 ]
call=$(as_alice tapictl call 0 answer --wait=10)
status=$?
call=$(printf '%s\n' "$call" | head -n 1)
check "a call on the emulated switch connects" [ "$status" -eq 0 ]
connected() { as_alice tapictl show call "$call" | grep -q '^State: *connected$'; }
check "tapictl show: connected" connected
check "tapictl drop" as_alice tapictl drop "$call"
check "tapictl deallocate" as_alice tapictl deallocate "$call"
# Line b has no application that takes calls: it answers 480, which the
# caller sees as UNAVAIL (tapix-sip(7)) -- an exchange of SIP over UDP
# through the unit's RestrictAddressFamilies= and system call filter.
as_alice tapictl call 4 sip:b@127.0.0.1:5072 --wait=10 2>/root/sip.err
status=$?
cat /root/sip.err
unavail() { [ "$status" -eq 6 ] && grep -q UNAVAIL /root/sip.err; }
check "a SIP call reaches the other account (480: UNAVAIL)" unavail
demo() { as_alice TAPIX_SERVICE=system tapix-demo >/root/demo.log 2>&1 || { cat /root/demo.log; return 1; }; }
check "tapix-demo as a client of tapixd" demo

systemctl reload tapixd.service
sleep 0.5
check "systemctl reload: same tapixd, still active" [ \
	"$(systemctl show -p MainPID --value tapixd.service)" = "$pid" ]
systemctl stop tapixd.service
check "systemctl stop" [ "$(systemctl is-active tapixd.service)" = inactive ]
lines=$(busctl call org.tapix.Tapix1 /org/tapix/Tapix1 org.tapix.Telephony1 GetLines)
activated() { [ "${lines%% *}" = ao ] && active; }
check "a bus call starts tapixd.service again (D-Bus activation)" activated
errors=$(journalctl -u tapixd.service -p err --no-pager -q)
[ -z "$errors" ] || printf '%s\n' "$errors"
check "no error in tapixd's journal" [ -z "$errors" ]
finish
