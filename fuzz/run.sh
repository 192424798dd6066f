#!/bin/sh
# Runs every fuzzer for a bounded time on its seed corpus.
#
#   fuzz/run.sh BUILD_DIR SECONDS
#
# BUILD_DIR was configured with -DHLA_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ and
# built (target parse_fuzzer). New inputs go to a scratch directory, never into
# the checked-in seed corpus. Exits non-zero if a fuzzer finds a crash, a leak,
# undefined behaviour, a broken contract, or an input slower than 10 s; the
# reproducer is left in BUILD_DIR/fuzz/artifacts/.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
fuzzer="$build/fuzz/parse_fuzzer"
if [ ! -x "$fuzzer" ]; then
  echo "$0: $fuzzer not built (configure with -DHLA_FUZZ=ON, clang++)" >&2
  exit 2
fi
work="$build/fuzz/corpus-work/parse"
artifacts="$build/fuzz/artifacts/"
mkdir -p "$work" "$artifacts"
# -max_len covers long GL strings without making each run slow; the 1 MiB
# limit itself is exercised by the unit tests.
"$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
  -dict="$here/parse.dict" "$work" "$here/corpus/parse"
