#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages (issue 18, docs/packaging.md), built and installed
# as a user would:
#   1. copies the source tree (its files under version control, and new
#      ones not ignored) into a temporary directory and builds the
#      packages there: dpkg-buildpackage -us -uc, with nocheck (the test
#      suite runs on its own);
#   2. runs lintian on them: an error or a warning fails (the overrides
#      in debian/*.lintian-overrides say why each is right);
#   3. makes a clean Debian 12 root with mmdebstrap and installs the
#      packages there with apt (their dependencies from the archive);
#   4. in it, chrooted, in namespaces of its own, runs tests/deb/inside.sh:
#      the system bus, tapixd as its unit starts it, a call with tapictl,
#      bus activation (no systemd);
#   5. boots the root with systemd (systemd-nspawn, loopback network
#      only), where tests/deb/booted.sh checks the hardened unit as
#      installed: tapixd without capabilities, calls, reload, activation;
#   6. removes everything, also on failure or interruption.
# Needs root (mmdebstrap, chroot, namespaces): without it, it says SKIP
# and exits 77. Needs the network to the Debian archive.
# Usage: check.sh SOURCE_DIR
set -eu
src=$(cd "$1" && pwd)
skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (mmdebstrap, chroot, namespaces)"
for t in dpkg-buildpackage dh lintian mmdebstrap unshare chroot systemd-nspawn; do
	command -v "$t" >/dev/null ||
		{ echo "deb: $t is missing (scripts/setup.sh test installs it)"; exit 1; }
done
unshare --mount --pid --fork true 2>/dev/null ||
	skip "cannot make mount and PID namespaces here"

t0=$(date +%s)
step() { echo "deb: $* ($(($(date +%s) - t0)) s)"; }
tmp=$(mktemp -d -t tapix-deb.XXXXXX)
# the tools' own temporary files (lintian's, mmdebstrap's) go with it
mkdir "$tmp/tmp"
export TMPDIR="$tmp/tmp"
cleanup() {
	# Every mount was made in a mount namespace that is gone: nothing in
	# $tmp is mounted; --one-file-system all the same.
	rm -rf --one-file-system "$tmp"
}
# Each long step runs in the background, so that a signal is handled at
# once: the step is stopped (timeout passes the signal on; unshare
# --kill-child ends the PID namespace, and all in it), then the rest.
child=
run() {
	"$@" &
	child=$!
	wait "$child"
	status=$?
	child=
	return $status
}
on_signal() {
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null
		wait "$child"
	fi
	exit "$1"
}
trap cleanup EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM HUP

# ---- 1. build -------------------------------------------------------------
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree="$tmp/tapix-$version"
mkdir "$tree"
if git -c safe.directory="$src" -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	git -c safe.directory="$src" -C "$src" ls-files -z -c -o --exclude-standard |
		(cd "$src" && tar --null --ignore-failed-read -T - -cf -) 2>/dev/null |
		tar -xf - -C "$tree"
else
	(cd "$src" && tar --exclude='./build*' --exclude=./.git -cf - .) |
		tar -xf - -C "$tree"
fi
step "building the packages of tapix $version"
if ! run sh -c 'cd "$1" && shift && exec "$@"' sh "$tree" env DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	DEB_BUILD_PROFILES=nocheck timeout -k 10 900 dpkg-buildpackage -us -uc \
	>"$tmp/build.log" 2>&1; then
	tail -n 60 "$tmp/build.log"
	echo "deb: dpkg-buildpackage failed"
	exit 1
fi
changes="$tmp/tapix_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).changes"
[ -f "$changes" ] || { echo "deb: no $changes"; exit 1; }
for p in libtapix0 libtapix-dev tapix-providers tapixd tapix-tools; do
	f=$(echo "$tmp/${p}_${version}_"*.deb)
	[ -f "$f" ] || { echo "deb: $p was not built"; exit 1; }
	echo "  $(basename "$f"): $(dpkg-deb -c "$f" | grep -vc '/$') files"
done

# ---- 2. lintian -----------------------------------------------------------
step "lintian"
if ! run timeout -k 10 300 lintian --fail-on error,warning --info "$changes" \
	>"$tmp/lintian.log" 2>&1; then
	cat "$tmp/lintian.log"
	echo "deb: lintian reports errors or warnings"
	exit 1
fi
grep -v 'running with root privileges' "$tmp/lintian.log" || true

# ---- 3. a clean Debian 12 root with the packages ----------------------------
step "installing them on a clean Debian 12 root (mmdebstrap), with systemd"
debs=""
for p in libtapix0 tapix-providers tapixd tapix-tools; do
	debs="$debs $(echo "$tmp/${p}_${version}_"*.deb)"
done
# In namespaces of its own: its mounts go with it whatever happens, and
# so would a service a maintainer script started (policy-rc.d denies it).
# shellcheck disable=SC2016 # $1 is the root, for mmdebstrap's hooks
if ! run timeout -k 10 600 unshare --mount --pid --fork --kill-child \
	--propagation private mmdebstrap --variant=apt --include=systemd \
	--customize-hook='mkdir "$1/root/debs"' \
	--customize-hook="copy-in $debs /root/debs" \
	--customize-hook='chroot "$1" sh -c "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /root/debs/*.deb"' \
	--customize-hook='rm -r "$1/root/debs"' \
	bookworm "$tmp/root" >"$tmp/mmdebstrap.log" 2>&1; then
	tail -n 40 "$tmp/mmdebstrap.log"
	echo "deb: mmdebstrap failed"
	exit 1
fi

# ---- 4. tapixd and a call, in the root --------------------------------------
step "tapixd, tapictl and the bus in the root"
cp "$src/tests/deb/inside.sh" "$tmp/root/root/inside.sh"
# PID 1 of a new PID namespace: when it ends, everything it started does.
# shellcheck disable=SC2016
if ! run timeout -k 5 180 unshare --mount --pid --fork --kill-child \
	--propagation private sh -c '
	mount -t proc proc "$1/proc" &&
	mount -t tmpfs -o mode=0755 tmpfs "$1/run" &&
	mount -t tmpfs -o mode=1777 tmpfs "$1/tmp" &&
	exec chroot "$1" /bin/sh /root/inside.sh' sh "$tmp/root"; then
	echo "deb: the installed packages do not work"
	exit 1
fi

# ---- 5. the same root booted with systemd: the unit as installed -------------
step "booting the root with systemd (systemd-nspawn)"
cp "$src/tests/deb/booted.sh" "$tmp/root/root/booted.sh"
cat >"$tmp/root/etc/systemd/system/tapix-booted.service" <<'EOF'
[Unit]
Description=tapix package test (tests/deb/booted.sh)
Wants=tapixd.service
After=tapixd.service dbus.service
[Service]
Type=oneshot
ExecStart=/bin/sh /root/booted.sh
StandardOutput=append:/root/booted.log
StandardError=append:/root/booted.log
EOF
ln -s /etc/systemd/system/tapix-booted.service \
	"$tmp/root/etc/systemd/system/multi-user.target.wants/tapix-booted.service"
# The container powers itself off when booted.sh is done; if it does not,
# timeout ends it, and with it (PID 1 of the namespace) every process.
# A /run of its own: systemd-nspawn leaves its directories there.
# shellcheck disable=SC2016
run timeout -k 5 180 unshare --mount --pid --fork --kill-child \
	--propagation private sh -c '
	mount -t tmpfs -o mode=0755 tmpfs /run &&
	exec systemd-nspawn --quiet --directory="$1" --boot --private-network \
		--register=no --keep-unit --console=read-only' sh "$tmp/root" \
	</dev/null >"$tmp/boot.log" 2>&1 || true
cat "$tmp/root/root/booted.log" 2>/dev/null
if [ "$(cat "$tmp/root/root/booted.status" 2>/dev/null)" != 0 ]; then
	tail -n 40 "$tmp/boot.log"
	echo "deb: the unit does not work as installed, under systemd"
	exit 1
fi
step "done"
