#!/usr/bin/env bash
# Big-endian proof. Builds mlpersist for s390x (IBM Z, big-endian) with Debian's cross compiler,
# runs it under qemu-user, and checks artifacts across byte orders in both directions:
#
#   1. x86-64 -> s390x: the committed fixtures (tests/fixtures/cross-arch, written on x86-64)
#      load on s390x with every tensor bit-identical, the same labels and the same real-valued
#      outputs to 1e-12 relative (cross_arch_test under qemu), and `mlpersist show` prints the
#      same document for each on both hosts.
#   2. s390x -> x86-64: cross_arch_fixtures writes a fresh set on s390x; the native
#      cross_arch_test checks it on x86-64 the same way.
#
# Usage: scripts/cross-s390x.sh [--all-tests]
#   --all-tests   also build the whole test suite for s390x and run it under qemu (slow)
# Environment: NATIVE_BUILD (default: build, the tree `make test` uses), CROSS_BUILD (default:
# build-s390x), JOBS (default: nproc).
#
# Needs Debian 12 (as root, or sudo): installs the host's dependencies (scripts/install-deps.sh),
# g++-s390x-linux-gnu and qemu-user. No s390x package is installed: Boost, Eigen, RapidJSON,
# CLI11, msgpack-c and xxHash are used header-only from the host (Debian's cross compiler searches
# /usr/include after its own s390x headers), GoogleTest is built from Debian's source package
# with the cross compiler, libsodium's s390x packages are unpacked into the build tree, and the
# C/C++ runtime comes with the cross compiler.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
all_tests=false
for arg in "$@"; do
  case "$arg" in
    --all-tests) all_tests=true ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cross-s390x: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
native=${NATIVE_BUILD:-build}
cross=${CROSS_BUILD:-build-s390x}
jobs=${JOBS:-$(nproc)}
sysroot=/usr/s390x-linux-gnu
start=$(date +%s)
say() { printf 'cross-s390x [%4ds]: %s\n' $(($(date +%s) - start)) "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- dependencies ---------------------------------------------------------------------------
bash scripts/install-deps.sh
missing=()
command -v s390x-linux-gnu-g++ >/dev/null || missing+=(g++-s390x-linux-gnu)
command -v qemu-s390x >/dev/null || missing+=(qemu-user)
[ -e /usr/src/googletest/CMakeLists.txt ] || missing+=(googletest)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi
# libsodium is the one compiled library the framework links besides the C++ runtime. Its s390x
# packages are downloaded through apt's multiarch support and unpacked into $cross/deps, not
# installed: nothing of the host changes (its Boost 1.81 included), and the s390x architecture
# is removed from dpkg again when this script added it.
if [ ! -e "$cross/deps/usr/include/sodium.h" ]; then
  say "fetching libsodium for s390x"
  added_arch=false
  if ! dpkg --print-foreign-architectures | grep -qx s390x; then
    as_root dpkg --add-architecture s390x
    added_arch=true
    as_root apt-get update -qq
  fi
  debs=$(mktemp -d)
  chmod a+rwx "$debs"  # lets apt download as its unprivileged _apt user
  (cd "$debs" && apt-get download -qq libsodium23:s390x libsodium-dev:s390x ||
    { as_root apt-get update -qq && apt-get download -qq libsodium23:s390x libsodium-dev:s390x; })
  mkdir -p "$cross/deps"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$cross/deps"; done
  rm -rf "$debs"
  if $added_arch; then as_root dpkg --remove-architecture s390x; fi
fi
# The Boost headers' CMake package lives in the host's multiarch directory; what it describes
# (headers only) is the same for every architecture.
boost_dir=$(ls -d /usr/lib/*-linux-gnu/cmake/Boost-1.81.0 | head -n 1)
qemu=(qemu-s390x -L "$sysroot")

# --- toolchain and GoogleTest for s390x -----------------------------------------------------
mkdir -p "$cross"
toolchain="$root/$cross/toolchain-s390x.cmake"
cat >"$toolchain" <<EOF
# Written by scripts/cross-s390x.sh.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR s390x)
set(CMAKE_C_COMPILER s390x-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER s390x-linux-gnu-g++)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-s390x;-L;$sysroot)
# Libraries only from the s390x runtime and what this script builds; header-only packages and
# programs from the host.
set(CMAKE_FIND_ROOT_PATH $sysroot;$root/$cross/deps)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
EOF
if [ ! -e "$cross/deps/lib/cmake/GTest/GTestConfig.cmake" ]; then
  say "building GoogleTest for s390x"
  cmake -S /usr/src/googletest -B "$cross/googletest" -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_GMOCK=OFF -DCMAKE_INSTALL_PREFIX="$root/$cross/deps" \
    -DCMAKE_INSTALL_LIBDIR=lib >/dev/null
  cmake --build "$cross/googletest" -j"$jobs" >/dev/null
  cmake --install "$cross/googletest" >/dev/null
fi

# --- builds -----------------------------------------------------------------------------------
targets=(--target cross_arch_test cross_arch_fixtures mlpersist_cli)
$all_tests && targets=()
say "configuring and building for s390x in $cross"
cmake -S . -B "$cross" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DMLPERSIST_WERROR=ON \
  -DMLPERSIST_BUILD_EXAMPLES=OFF -DMLPERSIST_XXHASH_HEADER_ONLY=ON -DBoost_DIR="$boost_dir" \
  -DGTest_DIR="$root/$cross/deps/lib/cmake/GTest" \
  -DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST >/dev/null
cmake --build "$cross" -j"$jobs" "${targets[@]}"
readelf -h "$cross/bin/mlpersist" | grep -q 'IBM S/390' ||
  { echo "cross-s390x: $cross/bin/mlpersist is not an s390x program" >&2; exit 1; }
say "building the native side in $native"
if [ ! -e "$native/CMakeCache.txt" ]; then
  cmake -S . -B "$native" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLPERSIST_WERROR=ON >/dev/null
fi
cmake --build "$native" -j"$jobs" --target cross_arch_test cross_arch_fixtures mlpersist_cli

# --- checks -----------------------------------------------------------------------------------
report=()
run_check() {  # NAME COMMAND...: runs a cross_arch_test, keeps its [cross-arch] lines
  local name=$1 log
  shift
  log=$(mktemp)
  if ! "$@" --gtest_brief=1 >"$log" 2>&1; then
    cat "$log"
    echo "cross-s390x: FAILED: $name" >&2
    exit 1
  fi
  while IFS= read -r line; do report+=("$name: ${line#\[cross-arch\] }"); done \
    < <(grep '^\[cross-arch\]' "$log")
  rm -f "$log"
  say "passed: $name"
}

run_check "x86-64 fixtures on s390x" "${qemu[@]}" "$cross/bin/cross_arch_test"

native_cli() { MLPERSIST_PLUGIN_PATH="$native/lib/mlpersist/plugins" "$native/bin/mlpersist" "$@"; }
s390x_cli() {
  MLPERSIST_PLUGIN_PATH="$cross/lib/mlpersist/plugins" "${qemu[@]}" "$cross/bin/mlpersist" "$@"
}
fixtures=tests/fixtures/cross-arch
shown=0
for file in "$fixtures"/*.bin "$fixtures"/*.json "$fixtures"/*.msgpack; do
  [ "$(basename "$file")" = manifest.json ] && continue
  if ! diff <(native_cli show "$file") <(s390x_cli show "$file"); then
    echo "cross-s390x: FAILED: 'mlpersist show $file' differs between x86-64 and s390x" >&2
    exit 1
  fi
  shown=$((shown + 1))
done
report+=("mlpersist show: identical output on x86-64 and s390x for $shown fixtures")
say "passed: mlpersist show on both hosts"

s390x_set="$root/$cross/cross-arch-s390x"
rm -rf "$s390x_set"
"${qemu[@]}" "$cross/bin/cross_arch_fixtures" "$s390x_set"
run_check "s390x artifacts on x86-64" env MLPERSIST_CROSS_ARCH_DIR="$s390x_set" \
  "$native/bin/cross_arch_test"

if $all_tests; then
  # Excluded: RBF SVC fits (the pipeline's SVC is one) compared with reference numbers from
  # x86-64 at tolerances that only identical arithmetic meets (every fitted attribute, n_iter_
  # exactly, coefficients to 1e-13). SMO takes a different path on s390x from kernel values that
  # differ in the last bit (Eigen's vectorised exp on x86-64, glibc's on s390x), and converges to
  # an equally valid solution (n_iter and the intercepts differ by ~1e-5). Linear and polynomial
  # kernels use no exp and still run. Fitting with exp is not bit-reproducible across
  # architectures; saved models are, and are checked above.
  arch_sensitive='Synthetic\.MatchesUpstreamLibsvmWithShrinking|svc_rbf|ScalerThenSvcMatchesScikitLearn'
  say "running the whole test suite on s390x under qemu (except $arch_sensitive)"
  (cd "$cross" && ctest --output-on-failure -j"$jobs" --timeout 1800 -E "$arch_sensitive")
  report+=("whole test suite: passed on s390x (except $arch_sensitive)")
fi

elapsed=$(($(date +%s) - start))
echo
echo "cross-s390x: all checks passed in $((elapsed / 60))m$((elapsed % 60))s"
for line in "${report[@]}"; do echo "  $line"; done
