# dlc's entry points. The README's Quick start is `make demo` and `make test`;
# both install what is missing (scripts/bootstrap.sh), configure and build.

BUILD_DIR ?= build
BUILD_TYPE ?= Release
CMAKE_ARGS ?=

.PHONY: all bootstrap configure build test test-asan fuzz demo tour bench bench-models bench-build docs format clean

all: build

bootstrap:
	@scripts/bootstrap.sh

# Configure once; later builds rerun CMake by themselves when a CMakeLists.txt
# changes.
configure: bootstrap
	@test -f $(BUILD_DIR)/CMakeCache.txt || \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

build: configure
	cmake --build $(BUILD_DIR)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j2

# The test suite built with ASan + UBSan (DLC_SANITIZE) in its own folder;
# ASAN_TESTS narrows it (a ctest -R regex).
ASAN_DIR ?= build-asan
ASAN_TESTS ?=
test-asan: bootstrap
	@test -f $(ASAN_DIR)/CMakeCache.txt || \
	  cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DDLC_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(ASAN_DIR)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/test/sanitizers/lsan.supp:print_suppressions=0 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure -j2 -LE no-asan \
	    $(if $(ASAN_TESTS),-R '$(ASAN_TESTS)')

# The four fuzz targets (libFuzzer, clang-19), SECONDS each, all at once.
FUZZ_DIR ?= build-fuzz
SECONDS ?= 60
fuzz:
	@scripts/bootstrap.sh --fuzz
	@scripts/fuzz.sh $(FUZZ_DIR) $(SECONDS)

# The main job: dlc-train of DeepFM on Criteo and DIN on MovieLens.
demo: build
	@scripts/demo.sh $(BUILD_DIR)

# The compiler's passes on one training step, a C++ loop, fit().
tour: build
	@scripts/tour.sh $(BUILD_DIR)

# dlc-bench in full, against LibTorch too: installs what the build needs and
# LibTorch (bootstrap --bench), configures, re-runs CMake so that a LibTorch
# installed after the first configure is found, builds, and writes the
# records to $(BUILD_DIR)/bench.json.
bench: bench-build
	$(BUILD_DIR)/bin/dlc-bench --json $(BUILD_DIR)/bench.json

# The same set-up, then the CTR models' training steps (dlc-bench --suite
# models) to $(BUILD_DIR)/models.json.
bench-models: bench-build
	$(BUILD_DIR)/bin/dlc-bench --suite models --json $(BUILD_DIR)/models.json

bench-build:
	@scripts/bootstrap.sh --bench
	@test -f $(BUILD_DIR)/CMakeCache.txt || \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)
	cmake -S . -B $(BUILD_DIR)
	cmake --build $(BUILD_DIR)

# Op and pass reference, generated from the ODS records (also part of `build`).
docs: configure
	cmake --build $(BUILD_DIR) --target dlc-docs
	@echo "docs: $(BUILD_DIR)/docs/dlc/"

format: bootstrap
	git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format-19 -i

clean:
	rm -rf $(BUILD_DIR)
