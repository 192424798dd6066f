#!/usr/bin/env bash
# Installs haplomatch on a fresh Debian 12 (as root): the Debian packages it
# needs, then a Release build of the command, the C++ library, the shipped
# reference data and the Python package, into /usr/local (the package into
# the system Python 3.11's /usr/local/lib/python3.11/dist-packages).
# Nothing is fetched beyond Debian's packages. Then:
#   python3 -c 'import haplomatch; print(haplomatch.Reference().reduce("A*01:01:01:01"))'
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup python3-dask python3-distributed
build=build/install
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DHLA_BUILD_TESTS=OFF \
      -DHLA_BUILD_BENCHMARKS=OFF -DCMAKE_INSTALL_PREFIX="${PREFIX:-/usr/local}" >/dev/null
cmake --build "$build" -j"${HLA_JOBS:-2}"
cmake --install "$build" >/dev/null
# From outside the source tree, so that the installed package is the one
# imported.
cd /
/usr/bin/python3 -c 'import haplomatch; r = haplomatch.Reference(); print("haplomatch", haplomatch.__version__, "installed; IPD-IMGT/HLA", r.imgt_version)'
