#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs a build into a temporary prefix, checks the documented layout,
# builds tests/install/sample.c with pkg-config only and with CMake's
# find_package, and runs it and the installed programs without any
# LD_LIBRARY_PATH; checks the unit's ExecStart.
# Usage: check.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/tapix/tapi.h include/tapix/tspi.h include/tapix/tapix/tapix.h \
	include/tapix/ras.h include/tapix/raserror.h include/tapix/tapix/wintypes.h \
	bin/rasdial share/man/man1/rasdial.1 \
	lib/libtapix.so lib/tapix/providers/esp.so lib/pkgconfig/tapix.pc; do
	[ -e "$prefix/$f" ] || { echo "missing $f"; exit 1; }
done
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags tapix)
libs=$(pkg-config --libs tapix)
incdir=$(printf '%s\n' "$cflags" | sed -n 's/^-I\([^ ]*\).*/\1/p')
if [ -z "$incdir" ] ||
	[ "$(cd "$incdir" && pwd -P)" != "$(cd "$prefix/include/tapix" && pwd -P)" ]; then
	echo "Cflags do not name $prefix/include/tapix: $cflags"
	exit 1
fi
# built with pkg-config's flags only: its Libs carry the RUNPATH (the
# README's cc line), so the program runs without LD_LIBRARY_PATH
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror -o "$prefix/sample" "$src/tests/install/sample.c" \
	$cflags $libs
env -u TAPIX_PROVIDER_PATH -u LD_LIBRARY_PATH TAPIX_CONF= "$prefix/sample"

# the installed programs find libtapix beside them (RUNPATH $ORIGIN/../lib)
for p in sbin/tapixd bin/rasdial bin/tapix-demo; do
	readelf -d "$prefix/$p" | grep -q 'RUNPATH.*\$ORIGIN/\.\./lib' ||
		{ echo "$p: no RUNPATH \$ORIGIN/../lib"; exit 1; }
done
env -u TAPIX_PROVIDER_PATH -u LD_LIBRARY_PATH TAPIX_CONF= \
	"$prefix/bin/tapix-demo" >/dev/null
env -u LD_LIBRARY_PATH "$prefix/sbin/tapixd" --help >/dev/null

# the unit starts tapixd where it was installed
grep -qx "ExecStart=$prefix/sbin/tapixd --bus=system" \
	"$prefix/lib/systemd/system/tapixd.service" ||
	{ echo "tapixd.service does not start $prefix/sbin/tapixd"; exit 1; }

# find_package(tapix) and the imported target tapix::tapix
mkdir "$prefix/cmake-user"
cat >"$prefix/cmake-user/CMakeLists.txt" <<'EOF2'
cmake_minimum_required(VERSION 3.25)
project(user C)
find_package(tapix 0.1 REQUIRED)
add_executable(sample sample.c)
target_link_libraries(sample PRIVATE tapix::tapix)
EOF2
cp "$src/tests/install/sample.c" "$prefix/cmake-user/"
cmake -S "$prefix/cmake-user" -B "$prefix/cmake-user/build" \
	-DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/cmake-user/build" >/dev/null
env -u TAPIX_PROVIDER_PATH -u LD_LIBRARY_PATH TAPIX_CONF= \
	"$prefix/cmake-user/build/sample"
