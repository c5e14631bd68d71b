# Two commands on a fresh Debian 12 machine (as root): `make demo` and `make test`.
# Both install what is missing (scripts/install-deps.sh), configure and build first.

BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLPERSIST_WERROR=ON

.PHONY: all deps configure build demo test bench format clean

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

# Benchmarks in their own optimised build tree; prints Google Benchmark's table.
bench: deps
	@cmake -S . -B $(BUILD)-bench -DCMAKE_BUILD_TYPE=Release -DMLPERSIST_BUILD_TESTS=OFF \
	  -DMLPERSIST_BUILD_EXAMPLES=OFF -DMLPERSIST_BUILD_BENCHMARKS=ON >/dev/null
	@cmake --build $(BUILD)-bench -j$(JOBS) --target estimators_bench
	@$(BUILD)-bench/bin/estimators_bench

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	@rm -rf $(BUILD)
