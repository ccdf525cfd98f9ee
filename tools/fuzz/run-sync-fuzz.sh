#!/usr/bin/env bash
# Fuzzes the sync codec and merge with libFuzzer for a number of seconds (default 60).
#   tools/fuzz/run-sync-fuzz.sh [SECONDS]
# Builds rapidesk-fuzz-sync with clang, AddressSanitizer and UBSan in a separate build
# directory ($RAPIDESK_FUZZ_BUILD, default build-fuzz/ in the repository), keeps the working
# corpus there, and writes any crashing input into tools/fuzz/corpus-regressions/, where
# rapidesk_sync_tests replays it from then on (commit it after fixing the bug).
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${RAPIDESK_FUZZ_BUILD:-$root/build-fuzz}"
jobs="${RAPIDESK_FUZZ_JOBS:-1}"

cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DRAPIDESK_BUILD_TESTS=OFF \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
ninja -C "$build" -j "$jobs" rapidesk-fuzz-sync

corpus="$build/fuzz-corpus-sync"
regressions="$root/tools/fuzz/corpus-regressions"
mkdir -p "$corpus" "$regressions"

echo "fuzzing sync for ${seconds}s; crashes go to $regressions/" >&2
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
"$build/bin/rapidesk-fuzz-sync" \
  -max_total_time="$seconds" \
  -max_len=65536 \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -print_final_stats=1 \
  -dict="$root/tools/fuzz/sync.dict" \
  -artifact_prefix="$regressions/" \
  "$corpus" "$root/tools/fuzz/seeds"
