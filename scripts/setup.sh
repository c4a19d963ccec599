#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian 12 packages tapix needs, if missing.
#   setup.sh build   what building tapix and running the demo need
#   setup.sh test    that, and the tools the test suite runs (default),
#                    the Debian packaging tools among them
# Uses sudo when not run as root. Safe to run again: it installs nothing
# that is already there. It starts no service: Kamailio, a SIP proxy the
# interoperability tests run from its binary, has its unit masked before
# it is installed, so it never listens on the machine's port 5060.
set -eu

BUILD="cmake make gcc pkg-config libc6-dev libinih-dev \
libsofia-sip-ua-dev libsystemd-dev libspandsp-dev libopus-dev libsrtp2-dev \
libsndfile1-dev libasound2-dev libspeexdsp-dev"
TEST="libcmocka-dev clang clang-format libclang-rt-14-dev llvm valgrind \
python3 mingw-w64-x86-64-dev gcc-mingw-w64-x86-64 sip-tester kamailio \
kamailio-tls-modules openssl baresip-core dbus-daemon systemd util-linux iproute2 man-db \
dpkg-dev debhelper lintian mmdebstrap systemd-container"

case "${1:-test}" in
build) PACKAGES="$BUILD" ;;
test) PACKAGES="$BUILD $TEST" ;;
*)
	echo "usage: setup.sh [build|test]" >&2
	exit 2
	;;
esac

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
policy=""
case " $missing " in
*" kamailio "*)
	# Debian enables and starts kamailio.service when it is installed:
	# masked first, it stays off (the tests start their own Kamailio);
	# and where no systemd runs, a policy-rc.d keeps the installation
	# from starting any service while it runs.
	$SUDO mkdir -p /etc/systemd/system
	$SUDO ln -sf /dev/null /etc/systemd/system/kamailio.service
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null
		$SUDO chmod 755 $policy
		trap '$SUDO rm -f $policy' EXIT
	fi
	;;
esac
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
