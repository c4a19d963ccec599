#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The org.tapix.Tapi1 interface the table of forwarded calls makes
# (tapix-rpcgen xml) is the one daemon/dist/org.tapix.Tapix1.xml ships:
# methods, signatures, the Messages signal. (test_service checks that
# tapixd serves what is shipped; this, without a bus, that the table is.)
# Usage: rpc_xml.sh TAPIX_RPCGEN SOURCE_DIR
set -eu
gen=$(mktemp)
trap 'rm -f "$gen"' EXIT
"$1" xml >"$gen"
python3 "$2/tests/service/introspection.py" check --only org.tapix.Tapi1 \
	"$2/daemon/dist/org.tapix.Tapix1.xml" "$gen"
