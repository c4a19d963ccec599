#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs a build into a temporary prefix, checks the documented layout,
# builds tests/install/sample.c with pkg-config only and runs it.
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
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror -o "$prefix/sample" "$src/tests/install/sample.c" \
	$cflags $libs -Wl,-rpath,"$prefix/lib"
env -u TAPIX_PROVIDER_PATH TAPIX_CONF= "$prefix/sample"
