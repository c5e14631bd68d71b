# Every dependency comes from Debian 12's packages (scripts/install-deps.sh installs them).

# Boost 1.81 headers: DLL (header-only, on std::filesystem) and PFR. The public headers need
# Boost and Eigen, so the installed CMake package looks for the same versions.
set(MLPERSIST_BOOST_VERSION 1.81)
set(MLPERSIST_EIGEN_VERSION 3.3)
find_package(Boost ${MLPERSIST_BOOST_VERSION} REQUIRED CONFIG)
find_package(Eigen3 ${MLPERSIST_EIGEN_VERSION} REQUIRED NO_MODULE)
find_package(RapidJSON REQUIRED CONFIG)
find_package(Threads REQUIRED)

# xxHash: the shared library, or with MLPERSIST_XXHASH_HEADER_ONLY its header alone
# (XXH_INLINE_ALL), for builds without a libxxhash of the target architecture
# (scripts/cross-s390x.sh). Both compute the same, endian-independent checksums.
option(MLPERSIST_XXHASH_HEADER_ONLY "Compile xxHash into the framework instead of linking it" OFF)
find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)
add_library(mlpersist_xxhash INTERFACE)
target_include_directories(mlpersist_xxhash SYSTEM INTERFACE ${XXHASH_INCLUDE_DIR})
if(MLPERSIST_XXHASH_HEADER_ONLY)
  target_compile_definitions(mlpersist_xxhash INTERFACE XXH_INLINE_ALL)
else()
  find_library(XXHASH_LIBRARY xxhash REQUIRED)
  target_link_libraries(mlpersist_xxhash INTERFACE ${XXHASH_LIBRARY})
endif()

# msgpack-c's C++ headers: from the system when present, else from the project-local prefix
# that install-deps.sh unpacks (Debian's package would drag in Boost 1.74; see docs/design.md,
# "Dependencies").
find_path(MSGPACK_INCLUDE_DIR msgpack.hpp
          HINTS ${PROJECT_SOURCE_DIR}/.deps/msgpack/usr/include REQUIRED)
add_library(mlpersist_msgpack INTERFACE)
target_include_directories(mlpersist_msgpack SYSTEM INTERFACE ${MSGPACK_INCLUDE_DIR})
target_compile_definitions(mlpersist_msgpack INTERFACE MSGPACK_NO_BOOST)

find_package(CLI11 REQUIRED CONFIG)

# libsodium: SHA-256 of training data and programs (provenance metadata).
find_path(SODIUM_INCLUDE_DIR sodium.h REQUIRED)
find_library(SODIUM_LIBRARY sodium REQUIRED)
add_library(mlpersist_sodium INTERFACE)
target_include_directories(mlpersist_sodium SYSTEM INTERFACE ${SODIUM_INCLUDE_DIR})
target_link_libraries(mlpersist_sodium INTERFACE ${SODIUM_LIBRARY})
