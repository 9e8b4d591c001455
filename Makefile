# dlc's entry points. The README's Quick start is `make demo` and `make test`;
# both install what is missing (scripts/bootstrap.sh), configure and build.

BUILD_DIR ?= build
BUILD_TYPE ?= Release
CMAKE_ARGS ?=

.PHONY: all bootstrap configure build test demo tour bench docs format clean

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
bench:
	@scripts/bootstrap.sh --bench
	@test -f $(BUILD_DIR)/CMakeCache.txt || \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)
	cmake -S . -B $(BUILD_DIR)
	cmake --build $(BUILD_DIR)
	$(BUILD_DIR)/bin/dlc-bench --json $(BUILD_DIR)/bench.json

# Op and pass reference, generated from the ODS records (also part of `build`).
docs: configure
	cmake --build $(BUILD_DIR) --target dlc-docs
	@echo "docs: $(BUILD_DIR)/docs/dlc/"

format: bootstrap
	git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format-19 -i

clean:
	rm -rf $(BUILD_DIR)
