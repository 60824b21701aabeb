#!/bin/sh
# Configure and build whyslow in the source tree (used by the README's
# commands and by .ci/run).
set -e
cd "$(dirname "$0")/.."
[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure -q
make -j"$(nproc)" >/dev/null
echo "whyslow: built"
