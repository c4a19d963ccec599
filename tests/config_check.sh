#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 18 item 7 — configuration diagnostics: `tapixd --check-config`
# reports every problem of a file at once, each as FILE:LINE: message
# (log module config), an unknown key apart from a bad value, and exits
# 0 (valid), 1 (not valid or unreadable) or 2 (usage); an embedded
# application (tapix-demo) gets the same lines when its session fails;
# tapixd's log lines carry "<N>" priorities except on a terminal.
# Usage: config_check.sh BUILD_DIR
set -eu
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() {
	echo "config_check: $*"
	status=1
}
# has TEXT FILE: FILE holds TEXT as it is
has() {
	grep -qF -- "$1" "$2" || {
		fail "missing: $1"
		sed 's/^/    /' "$2"
	}
}
unset TAPIX_SERVICE TAPIX_CONF JOURNAL_STREAM || true
export TAPIX_LOG=warn

# ---- a valid file: exit 0, nothing on stderr ------------------------------
cat >"$tmp/ok.conf" <<'EOF'
[tapix]
providers = esp sip
[esp]
lines = 2
[sip]
transport = udp
[sip.alice]
aor = sip:alice@example.com
[location]
country = 49
[tapixd]
allow = all
max_calls = 100
[line 0]
allow = uid:0
EOF
rc=0
"$build/tapixd" --check-config "$tmp/ok.conf" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 0 ] || fail "a valid file: exit $rc, not 0"
[ -s "$tmp/err" ] && fail "a valid file: $(cat "$tmp/err")"
has "$tmp/ok.conf: configuration valid" "$tmp/out"

# ---- every error at once, each with its line ------------------------------
# (the password is too long: 130 characters, never to be shown)
pw=$(printf '%0130d' 7)
cat >"$tmp/bad.conf" <<EOF
[tapix]
providers = esp sip
colour = blue
[esp]
line = 4
lines = banana
[esp
this is not a key
[sip]
transport = pigeon
[sip.alice]
aor = sip:alice@example.com
password = $pw
frob = 1
[location]
areacode = 89
[tapixd]
max_calls = many
max_cals = 10
[line 0]
deny = all
[unused]
a = b
EOF
f=$tmp/bad.conf
rc=0
"$build/tapixd" --check-config="$f" >"$tmp/out" 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "a bad file: exit $rc, not 1"
has "config error: $f:3: [tapix] colour: unknown key (known: providers, provider_path, service)" "$tmp/err"
has "config error: $f:5: [esp] line: unknown key (known: module, lines, " "$tmp/err"
has "config error: $f:6: [esp] lines = banana: bad value, expected a number of lines from 1 to 4096" "$tmp/err"
has "config error: $f:7: syntax error: no ] after the section name" "$tmp/err"
has "config error: $f:8: syntax error: neither [section], key = value nor a comment" "$tmp/err"
has "config error: $f:10: [sip] transport = pigeon: bad value, expected udp, tcp or tls" "$tmp/err"
has "config error: $f:13: [sip.alice] password: bad value, expected a digest password" "$tmp/err"
has "config error: $f:14: [sip.alice] frob: unknown key (known: aor, " "$tmp/err"
has "config error: $f:16: [location] areacode: unknown key (known: country, " "$tmp/err"
has "config error: $f:18: [tapixd] max_calls = many: bad value, expected a number from 1 to 1000000000" "$tmp/err"
has "config error: $f:19: [tapixd] max_cals: unknown key (known: allow, max_registrations, " "$tmp/err"
has "config error: $f:21: [line 0] deny: unknown key (known: allow, incoming)" "$tmp/err"
has "config warning: $f:22: [unused]: section not used" "$tmp/err"
has "$f: configuration not valid" "$tmp/err"
n=$(grep -c 'config error: ' "$tmp/err" || true)
[ "$n" = 12 ] || fail "12 errors expected, $n reported"
grep -q "$pw" "$tmp/err" && fail "the password was shown"
grep -q 'acl:' "$tmp/err" && fail "an acl: prefix"
# not a terminal: the journal's priorities
has "<3>config error: $f:3: " "$tmp/err"

# ---- the file as an operand, as TAPIX_CONF, unreadable, usage --------------
rc=0
TAPIX_CONF=$f "$build/tapixd" --check-config >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "--check-config with TAPIX_CONF: exit $rc, not 1"
rc=0
"$build/tapixd" --config="$tmp/ok.conf" --check-config >/dev/null 2>&1 || rc=$?
[ "$rc" = 0 ] || fail "--config=FILE --check-config: exit $rc, not 0"
rc=0
"$build/tapixd" --check-config "$tmp/none.conf" >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "a missing file: exit $rc, not 1"
has "config error: $tmp/none.conf: cannot be read: " "$tmp/err"
rc=0
"$build/tapixd" --check-config a b >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "two files: exit $rc, not 2"

# ---- tapixd does not start with it, and says why --------------------------
rc=0
TAPIX_CONF=$f timeout 20 "$build/tapixd" --address=unix:path="$tmp/nobus" \
	--peer=none >/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "tapixd started with a bad file: exit $rc"
has "config error: $f:6: [esp] lines = banana: bad value" "$tmp/err"
has "configuration $f not valid: not starting" "$tmp/err"
grep -q "Input/output error" "$tmp/err" && fail "an I/O error for a bad value"

# ---- embedded: lineInitializeEx fails, every error in the library's log ---
rc=0
TAPIX_CONF=$f TAPIX_SERVICE='' timeout 20 "$build/tapix-demo" \
	>/dev/null 2>"$tmp/err" || rc=$?
[ "$rc" = 1 ] || fail "tapix-demo with a bad file: exit $rc, not 1"
has "config: $f:6: [esp] lines = banana: bad value" "$tmp/err"
has "config: $f:7: syntax error: no ] after the section name" "$tmp/err"
has "config: $f:14: [sip.alice] frob: unknown key" "$tmp/err"
has "LINEERR_INIFILECORRUPT" "$tmp/err"

# ---- on a terminal: no "<N>", unless it is the journal's stream ----------
if command -v script >/dev/null 2>&1; then
	script -qec "'$build/tapixd' --check-config '$f'" /dev/null \
		>"$tmp/tty" 2>&1 </dev/null || true
	has "config error: $f:3: " "$tmp/tty"
	grep -q '<3>' "$tmp/tty" && fail "<3> on a terminal"
	script -qec "JOURNAL_STREAM=\$(stat -L -c %d:%i /proc/self/fd/2) \
		'$build/tapixd' --check-config '$f'" /dev/null \
		>"$tmp/tty" 2>&1 </dev/null || true
	has "<3>config error: $f:3: " "$tmp/tty"
else
	echo "config_check: no script(1): the terminal is not checked"
fi
exit $status
