#!/bin/sh
# Runs every fuzzer for a bounded time on its seed corpus.
#
#   fuzz/run.sh BUILD_DIR SECONDS
#
# BUILD_DIR was configured with -DHLA_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ and
# built (targets parse_fuzzer, donor_file_fuzzer, index_fuzzer,
# request_fuzzer). New inputs go to a scratch
# directory, never into the checked-in seed corpus. Exits non-zero if a fuzzer finds a crash, a leak,
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
artifacts="$build/fuzz/artifacts/"
mkdir -p "$artifacts"
for name in parse_fuzzer donor_file_fuzzer index_fuzzer request_fuzzer; do
  if [ ! -x "$build/fuzz/$name" ]; then
    echo "$0: $build/fuzz/$name not built (configure with -DHLA_FUZZ=ON, clang++)" >&2
    exit 2
  fi
done

# The parser: SECONDS. -max_len covers long GL strings without making each
# run slow; the 1 MiB limit itself is exercised by the unit tests.
work="$build/fuzz/corpus-work/parse"
mkdir -p "$work"
"$build/fuzz/parse_fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
  -dict="$here/parse.dict" "$work" "$here/corpus/parse"

# Donor files (CSV/TSV/JSON Lines rows; typings parsed, not resolved): half
# of SECONDS, at least 10. The parse dictionary helps it write typings.
work="$build/fuzz/corpus-work/donor_file"
mkdir -p "$work"
half=$(( seconds / 2 > 10 ? seconds / 2 : 10 ))
"$build/fuzz/donor_file_fuzzer" -max_total_time="$half" -max_len=2048 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
  -dict="$here/parse.dict" "$work" "$here/corpus/donor_file"

# Index files (a right header and checksum over fuzzed sections, then
# ranked): a quarter of SECONDS, at least 10. -max_len covers the 32 KB seed.
quarter=$(( seconds / 4 > 10 ? seconds / 4 : 10 ))
work="$build/fuzz/corpus-work/index"
mkdir -p "$work"
"$build/fuzz/index_fuzzer" -max_total_time="$quarter" -max_len=40000 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
  "$work" "$here/corpus/index"

# HTTP requests (parsed as the server does, head checked, answered by the
# service): a quarter of SECONDS, at least 10.
work="$build/fuzz/corpus-work/request"
mkdir -p "$work"
"$build/fuzz/request_fuzzer" -max_total_time="$quarter" -max_len=4096 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
  -dict="$here/request.dict" "$work" "$here/corpus/request"
