#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 18 item 7 — tapix.conf(5) documents every key the code takes, and
# only those: the keys of each section are the code's own list, as
# `tapixd --check-config` names them for an unknown key ("(known: ...)"),
# for the core's sections, tapixd's and each provider's (its
# TSPIX_providerConfigKeys). A key is documented by an entry of the page,
# a line ".B KEY = ..." or ".BI KEY \" = ...\""; the SIP keys are also
# entries of tapix-sip(7).
# Usage: config_keys.sh SOURCE_DIR BUILD_DIR
set -eu
src=$1
build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
unset TAPIX_SERVICE TAPIX_CONF || true

sections='tapix esp sip sip.a location ras tapixd line_0'
for s in $sections; do
	printf '[%s]\nzz_no_such_key = 1\n' "$s" | sed 's/line_0/line 0/'
done >"$tmp/all.conf"
# the providers' sections are theirs only when they are loaded
sed -i '2a providers = esp sip' "$tmp/all.conf"
"$build/tapixd" --check-config "$tmp/all.conf" >/dev/null 2>"$tmp/err" || true

# keys SECTION: the keys the code names for [SECTION]
keys() {
	sed -n "s/.*\\[$1\\] zz_no_such_key: unknown key (known: \\(.*\\))\$/\\1/p" \
		"$tmp/err" | tr -d ' ' | tr ',' '\n' | sort -u
}
# documented PAGE: the keys of its entries
documented() {
	sed -n 's/^\.BI\{0,1\} \([a-z_]*\) \("\{0,1\} \)\{0,1\}= .*/\1/p' \
		"$src/docs/man/$1" | sort -u
}
: >"$tmp/code"
for s in $sections; do
	s=$(printf '%s' "$s" | sed 's/line_0/line 0/')
	k=$(keys "$s")
	if [ -z "$k" ]; then
		echo "config_keys: tapixd names no key of [$s]"
		sed 's/^/    /' "$tmp/err"
		status=1
	fi
	printf '%s\n' "$k" >>"$tmp/code"
done
sort -u "$tmp/code" -o "$tmp/code"
documented tapix.conf.5 >"$tmp/page"
for k in $(comm -23 "$tmp/code" "$tmp/page"); do
	echo "config_keys: key $k is not documented in docs/man/tapix.conf.5"
	status=1
done
for k in $(comm -13 "$tmp/code" "$tmp/page"); do
	echo "config_keys: docs/man/tapix.conf.5 documents $k, which no section takes"
	status=1
done
keys sip.a >"$tmp/sip" # (without [sip]'s module, the core's)
documented tapix-sip.7 >"$tmp/sippage"
for k in $(comm -23 "$tmp/sip" "$tmp/sippage"); do
	echo "config_keys: SIP key $k is not documented in docs/man/tapix-sip.7"
	status=1
done
for k in $(comm -13 "$tmp/sip" "$tmp/sippage"); do
	echo "config_keys: docs/man/tapix-sip.7 documents $k, which [sip] does not take"
	status=1
done
exit $status
