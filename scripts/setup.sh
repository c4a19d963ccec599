#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian 12 packages tapix needs to build and test, if missing.
# Uses sudo when not run as root. Safe to run again: it installs nothing
# that is already there.
set -eu

PACKAGES="cmake make gcc pkg-config libc6-dev libcmocka-dev libinih-dev \
clang clang-format libclang-rt-14-dev llvm valgrind python3 \
mingw-w64-x86-64-dev gcc-mingw-w64-x86-64 \
libsofia-sip-ua-dev sip-tester kamailio baresip-core \
libsystemd-dev dbus-daemon systemd util-linux"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
else
	SUDO="sudo"
fi
echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
