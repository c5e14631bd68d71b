#!/usr/bin/env bash
# The hardening checks of SECURITY.md, for CI and for people:
#
#   asan   the whole test suite built with AddressSanitizer and UBSan      (tree build-fuzz)
#   tsan   the concurrency test built with ThreadSanitizer                  (tree build-tsan)
#   fuzz   every libFuzzer target for FUZZ_SECONDS on its seed corpus      (tree build-fuzz)
#          with its format's dictionary (fuzz/dict/)
#   merge  (only when named) keeps what the fuzz runs found: merges each target's inputs from
#          FUZZ_WORK into fuzz/corpus/<target>/, minimised (libFuzzer -merge=1: only inputs that
#          add coverage), to commit
#
# asan and fuzz share one clang tree: the tests and the fuzzers link the same instrumented
# framework and plugins, so CI compiles the project once for both (about half the time).
#
# Usage: scripts/ci-hardening.sh [asan] [tsan] [fuzz] [merge]   (asan tsan fuzz when none is named)
# Environment: JOBS (default: nproc), FUZZ_SECONDS (default 20 per target), FUZZ_TARGETS (default:
# every fuzz_* target), FUZZ_WORK (default build-fuzz/work: the inputs the fuzzers found, crash
# reproducers and logs, kept between runs so that long runs build on each other).
# Exits non-zero when a sanitizer reports an error, a test fails or a fuzzer finds a crash.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${JOBS:-$(nproc)}
fuzz_seconds=${FUZZ_SECONDS:-20}
fuzz_work=${FUZZ_WORK:-$root/build-fuzz/work}
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(asan tsan fuzz)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
log() { printf '\n== ci-hardening: %s (%s)\n' "$*" "$(date +%T)"; }

# clang and its runtime libraries (libFuzzer, the sanitizers) from Debian 12's packages.
install_clang() {
  if [ -x /usr/bin/clang++ ] && compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null; then
    return
  fi
  echo "ci-hardening: installing clang and libclang-rt-14-dev"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    clang libclang-rt-14-dev
}

configure() {  # tree, cmake arguments...
  local tree=$1
  shift
  cmake -S . -B "$tree" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLPERSIST_BUILD_EXAMPLES=OFF "$@" >/dev/null
}

# The clang tree with ASan + UBSan and libFuzzer coverage, tests and fuzzers both.
configure_sanitized() {
  install_clang
  configure build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DMLPERSIST_SANITIZE=ON \
    -DMLPERSIST_BUILD_FUZZERS=ON -DMLPERSIST_BUILD_TESTS=ON
}

# use_tls=0: LeakSanitizer (clang 14) crashes reading the dynamic TLS of libraries that plugins
# pull in with dlopen (seen at exit of `mlpersist migrate --to-version` and of a fuzzer, depending
# on load order); what only TLS refers to then looks leaked, so the dynamic loader's own
# allocations are suppressed (fuzz/lsan-suppressions.txt). mlpersist keeps no heap memory in TLS.
lsan_options="use_tls=0:suppressions=$root/fuzz/lsan-suppressions.txt"

stage_asan() {
  log "asan: build the test suite with AddressSanitizer + UBSan (clang)"
  configure_sanitized
  cmake --build build-fuzz -j"$jobs"
  log "asan: run the test suite"
  # The out-of-memory test is left out: ASan's
  # operator new aborts on a failed allocation instead of throwing std::bad_alloc, whatever
  # allocator_may_return_null says, so the behaviour it checks does not exist in this build.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=$lsan_options \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-fuzz --output-on-failure -j"$jobs" --timeout 1800 \
    -E 'VerifyWork.OutOfMemoryIsOneClearLineFromTheCommand'
}

stage_tsan() {
  log "tsan: build the concurrency test with ThreadSanitizer"
  local flags=-fsanitize=thread
  configure build-tsan -DMLPERSIST_BUILD_TESTS=ON -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="$flags" \
    -DCMAKE_MODULE_LINKER_FLAGS="$flags"
  cmake --build build-tsan -j"$jobs" --target integration_concurrency_test
  log "tsan: run the concurrency test"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build-tsan/bin/integration_concurrency_test
}

# The dictionary of the format a target reads: the load_* targets read whole artifacts (the
# envelope and every payload format), so theirs is all of them.
fuzz_dict() {  # target name, work directory
  case $1 in
    envelope | binary | json | msgpack) echo "fuzz/dict/$1.dict" ;;
    *) cat fuzz/dict/*.dict >"$2/artifact.dict" && echo "$2/artifact.dict" ;;
  esac
}

# One fuzzer on a scratch copy of its corpus (new inputs go there, never into fuzz/corpus).
run_fuzzer() {
  local fuzzer=$1 name=${1#fuzz_}
  local work=$fuzz_work/$name
  mkdir -p "$work/corpus" "$work/crashes"
  if LSAN_OPTIONS=$lsan_options build-fuzz/bin/"$fuzzer" -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$(fuzz_dict "$name" "$work")" -print_final_stats=1 -artifact_prefix="$work/crashes/" \
    "$work/corpus" "fuzz/corpus/$name" >"$work/log" 2>&1; then
    echo "ok"
  else
    echo "FINDING"
  fi >"$work/result"
}

stage_fuzz() {
  log "fuzz: build the libFuzzer targets (clang, ASan + UBSan)"
  configure_sanitized
  cmake --build build-fuzz -j"$jobs" --target fuzzers
  log "fuzz: run every target for ${fuzz_seconds}s, $jobs at a time"
  local -a fuzzers
  read -ra fuzzers <<<"${FUZZ_TARGETS:-$(cd build-fuzz/bin && echo fuzz_*)}"
  export -f run_fuzzer fuzz_dict
  export fuzz_seconds fuzz_work lsan_options
  printf '%s\n' "${fuzzers[@]}" | xargs -P "$jobs" -I{} bash -c 'run_fuzzer {}'
  local failed=0 fuzzer name log
  printf '%-34s %11s %8s %7s  %s\n' target executions exec/s edges result
  for fuzzer in "${fuzzers[@]}"; do
    name=${fuzzer#fuzz_}
    log=$fuzz_work/$name/log
    printf '%-34s %11s %8s %7s  %s\n' "$fuzzer" \
      "$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")" \
      "$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")" \
      "$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)" \
      "$(cat "$fuzz_work/$name/result")"
    if [ "$(cat "$fuzz_work/$name/result")" != ok ]; then
      failed=1
      echo "  log: $fuzz_work/$name/log; reproduce: build-fuzz/bin/$fuzzer $fuzz_work/$name/crashes/*"
      # CI keeps only this output: the sanitizer's or libFuzzer's own account of the finding.
      grep -E -A12 '^(==[0-9]+==|SUMMARY|FINDING|ALARM|MS: |artifact_prefix|Test unit written)' \
        "$log" | grep -v '^#' | head -n 60 | sed 's/^/  | /'
    fi
  done
  return $failed
}

# Keeps new coverage: each target's found inputs merged, minimised, into its committed corpus.
stage_merge() {
  local fuzzer name
  for fuzzer in ${FUZZ_TARGETS:-$(cd build-fuzz/bin && echo fuzz_*)}; do
    name=${fuzzer#fuzz_}
    [ -d "$fuzz_work/$name/corpus" ] || continue
    log "merge: $fuzzer"
    build-fuzz/bin/"$fuzzer" -merge=1 -timeout=10 -rss_limit_mb=2048 "fuzz/corpus/$name" \
      "$fuzz_work/$name/corpus" 2>&1 | grep -E '^MERGE-OUTER: [0-9]+ new files' || true
  done
}

bash scripts/install-deps.sh
start=$SECONDS
for stage in "${stages[@]}"; do
  case $stage in
    asan | tsan | fuzz | merge) "stage_$stage" ;;
    *) echo "ci-hardening: unknown stage '$stage' (asan, tsan, fuzz, merge)" >&2; exit 2 ;;
  esac
done
log "done: ${stages[*]} in $((SECONDS - start)) s"
