#!/usr/bin/env bash
# Installs what mlpersist needs to build and test, from Debian 12's packages only.
# Idempotent and quick when everything is present, so `make demo`/`make test` call it every time.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
deps="$root/.deps"

# Debian package -> a file it installs (used to decide cheaply whether it is missing).
packages=(
  "cmake:/usr/bin/cmake"
  "g++:/usr/bin/g++"
  "make:/usr/bin/make"
  "libboost1.81-dev:/usr/include/boost/dll.hpp"
  "libeigen3-dev:/usr/include/eigen3/Eigen/Core"
  "rapidjson-dev:/usr/include/rapidjson/document.h"
  "libgtest-dev:/usr/include/gtest/gtest.h"
  "libgmock-dev:/usr/include/gmock/gmock.h"
  "libcli11-dev:/usr/include/CLI/CLI.hpp"
  "libsodium-dev:/usr/include/sodium.h"
  "libxxhash-dev:/usr/include/xxhash.h"
  "libsqlite3-dev:/usr/include/sqlite3.h"
  "libpq-dev:/usr/include/postgresql/libpq-fe.h"
  "postgresql-15:/usr/lib/postgresql/15/bin/initdb"
  "libbenchmark-dev:/usr/include/benchmark/benchmark.h"
  "python3:/usr/bin/python3"
  "jq:/usr/bin/jq"
  "pkgconf:/usr/bin/pkg-config"
)

# Peers measured by `make bench` only (install-deps.sh --bench).
if [ "${1:-}" = "--bench" ]; then
  packages+=(
    "libcereal-dev:/usr/include/cereal/cereal.hpp"
    "libboost-serialization1.81-dev:/usr/lib/$(gcc -print-multiarch)/libboost_serialization.so"
  )
fi

missing=()
for entry in "${packages[@]}"; do
  [ -e "${entry#*:}" ] || missing+=("${entry%%:*}")
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# msgpack-c's C++ headers: Debian 12's libmsgpack-cxx-dev depends on libboost-dev (Boost 1.74),
# which conflicts with libboost1.81-dev. The library is header-only and we build it with
# MSGPACK_NO_BOOST, so we unpack the same Debian package into a project-local prefix instead of
# installing it (and its Boost 1.74 dependency) system-wide.
if [ ! -e /usr/include/msgpack.hpp ] && [ ! -e "$deps/msgpack/usr/include/msgpack.hpp" ]; then
  echo "install-deps: unpacking libmsgpack-cxx-dev into $deps/msgpack"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  as_root apt-get update -qq
  (cd "$tmp" && apt-get download -qq libmsgpack-cxx-dev 2>/dev/null || (cd "$tmp" && as_root apt-get download libmsgpack-cxx-dev))
  mkdir -p "$deps/msgpack"
  dpkg-deb -x "$tmp"/libmsgpack-cxx-dev_*.deb "$deps/msgpack"
fi
