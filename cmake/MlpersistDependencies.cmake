# Every dependency comes from Debian 12's packages (scripts/install-deps.sh installs them).

# Boost 1.81 headers: DLL (header-only, on std::filesystem) and PFR.
find_package(Boost 1.81 REQUIRED CONFIG)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(RapidJSON REQUIRED CONFIG)
find_package(Threads REQUIRED)

find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)
find_library(XXHASH_LIBRARY xxhash REQUIRED)
add_library(mlpersist_xxhash INTERFACE)
target_include_directories(mlpersist_xxhash SYSTEM INTERFACE ${XXHASH_INCLUDE_DIR})
target_link_libraries(mlpersist_xxhash INTERFACE ${XXHASH_LIBRARY})

# msgpack-c's C++ headers: from the system when present, else from the project-local prefix
# that install-deps.sh unpacks (Debian's package would drag in Boost 1.74; see DESIGN.md).
find_path(MSGPACK_INCLUDE_DIR msgpack.hpp
          HINTS ${PROJECT_SOURCE_DIR}/.deps/msgpack/usr/include REQUIRED)
add_library(mlpersist_msgpack INTERFACE)
target_include_directories(mlpersist_msgpack SYSTEM INTERFACE ${MSGPACK_INCLUDE_DIR})
target_compile_definitions(mlpersist_msgpack INTERFACE MSGPACK_NO_BOOST)

find_package(CLI11 REQUIRED CONFIG)
