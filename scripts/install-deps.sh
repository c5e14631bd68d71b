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

# The packages among "package:file" entries whose file is absent.
missing_of() {
  local entry
  for entry in "$@"; do [ -e "${entry#*:}" ] || echo "${entry%%:*}"; done
}
mapfile -t missing < <(missing_of "${packages[@]}")

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Python package (python/, issue 13) for Debian's /usr/bin/python3: pybind11, numpy,
# scikit-learn 1.2.1 and pytest. python3-sklearn needs python3-scipy, which needs python3-pythran,
# which depends on libboost-dev: in Debian 12 that is Boost 1.74 (libboost1.74-dev), and
# libboost1.81-dev, which we build with, conflicts with it. Nothing of scikit-learn uses Boost at
# run time (pythran only compiles extensions ahead of time), so we satisfy the dependency with a
# local, empty `libboost-dev` package built by equivs that depends on libboost1.81-dev instead.
# Its version sorts above Debian's 1.74.0.3, so apt never "upgrades" it back to Boost 1.74.
boost_shim_version=1.81.0+mlpersist1
python_packages=(
  "pybind11-dev:/usr/include/pybind11/pybind11.h"
  "python3-dev:/usr/include/python3.11/Python.h"
  "python3-numpy:/usr/lib/python3/dist-packages/numpy/__init__.py"
  "python3-sklearn:/usr/lib/python3/dist-packages/sklearn/__init__.py"
  "python3-joblib:/usr/lib/python3/dist-packages/joblib/__init__.py"
  "python3-pytest:/usr/lib/python3/dist-packages/pytest/__init__.py"
  "python3-pandas:/usr/lib/python3/dist-packages/pandas/__init__.py"
)
mapfile -t python_missing < <(missing_of "${python_packages[@]}")
if [ ${#python_missing[@]} -gt 0 ]; then
  if [ "$(dpkg-query -W -f='${Version}' libboost-dev 2>/dev/null || true)" != "$boost_shim_version" ]; then
    echo "install-deps: building the libboost-dev shim (Boost 1.81) with equivs"
    [ -e /usr/bin/equivs-build ] || {
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends equivs
    }
    shim=$(mktemp -d)
    cat >"$shim/libboost-dev.control" <<CONTROL
Section: libdevel
Priority: optional
Standards-Version: 4.6.2
Package: libboost-dev
Version: $boost_shim_version
Maintainer: mlpersist <mlpersist@localhost>
Depends: libboost1.81-dev
Architecture: all
Description: Boost 1.81 as the default Boost (local shim for mlpersist)
 Makes Boost 1.81 satisfy packages that depend on libboost-dev (python3-pythran, through
 python3-scipy and python3-sklearn), which would otherwise pull Boost 1.74.
CONTROL
    (cd "$shim" && equivs-build libboost-dev.control >/dev/null)
    as_root dpkg -i "$shim"/libboost-dev_*_all.deb >/dev/null
    rm -rf "$shim"
  fi
  echo "install-deps: installing ${python_missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${python_missing[@]}"
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
