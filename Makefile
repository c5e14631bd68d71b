# Two commands on a fresh Debian 12 machine (as root): `make demo` and `make test`.
# Both install what is missing (scripts/install-deps.sh), configure and build first.

BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLPERSIST_WERROR=ON

.PHONY: all deps configure build demo test install cross-s390x bench format clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# The seed session: train an SVC on iris, dump to bytes, load, predict row 0; save a file in
# each format and load it back in a separate process.
demo: build
	@bash scripts/demo.sh $(BUILD)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600

# Installs library, headers, command, plugins, CMake package and pkg-config file under PREFIX
# (docs/plugins.md).
PREFIX ?= /usr/local
install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

# Big-endian proof: builds for s390x, runs under qemu-user and checks artifacts written on each
# architecture on the other (scripts/cross-s390x.sh; reuses the native tree $(BUILD)).
cross-s390x:
	@NATIVE_BUILD=$(BUILD) JOBS=$(JOBS) bash scripts/cross-s390x.sh

# Benchmarks in their own optimised build tree: persistence against memcpy, raw read()/write()
# and the peers (ends with a markdown table), then the estimators' fit and predict, then the
# Python package against pickle and joblib (bench/python_bench.py).
bench:
	@bash scripts/install-deps.sh --bench
	@cmake -S . -B $(BUILD)-bench -DCMAKE_BUILD_TYPE=Release -DMLPERSIST_BUILD_TESTS=OFF \
	  -DMLPERSIST_BUILD_EXAMPLES=OFF -DMLPERSIST_BUILD_BENCHMARKS=ON >/dev/null
	@cmake --build $(BUILD)-bench -j$(JOBS) --target persist_bench estimators_bench store_bench \
	  tables_bench mlpersist_python
	@$(BUILD)-bench/bin/persist_bench
	@$(BUILD)-bench/bin/estimators_bench
	@PYTHONPATH=$(BUILD)-bench/python /usr/bin/python3 bench/estimators_sklearn_bench.py
	@bash bench/with_postgresql.sh $(BUILD)-bench/bin/store_bench
	@$(BUILD)-bench/bin/tables_bench
	@PYTHONPATH=$(BUILD)-bench/python /usr/bin/python3 bench/python_bench.py

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD)

.PHONY: sanitize fuzz

# The test suite under AddressSanitizer + UBSan and the concurrency test under ThreadSanitizer,
# in build-fuzz (clang, shared with the fuzzers) and build-tsan; see SECURITY.md.
sanitize:
	@JOBS=$(JOBS) bash scripts/ci-hardening.sh asan tsan

# Long fuzzing runs: every libFuzzer target (or FUZZ_TARGETS) for FUZZ_SECONDS each, JOBS at a
# time, in build-fuzz; new inputs and crash reproducers collect in build-fuzz/work/<target>/.
# e.g. make fuzz FUZZ_SECONDS=3600 FUZZ_TARGETS="fuzz_json fuzz_load_svc"
FUZZ_SECONDS ?= 600
fuzz:
	@JOBS=$(JOBS) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" \
	  bash scripts/ci-hardening.sh fuzz
