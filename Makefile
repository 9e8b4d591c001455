# dlc's entry points. The README's Quick start is `make demo` and `make test`;
# both install what is missing (scripts/bootstrap.sh), configure and build.

BUILD_DIR ?= build
BUILD_TYPE ?= Release
CMAKE_ARGS ?=

.PHONY: all bootstrap configure build test demo docs format clean

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

demo: build
	@scripts/demo.sh $(BUILD_DIR)

# Op and pass reference, generated from the ODS records (also part of `build`).
docs: configure
	cmake --build $(BUILD_DIR) --target dlc-docs
	@echo "docs: $(BUILD_DIR)/docs/dlc/"

format: bootstrap
	git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format-19 -i

clean:
	rm -rf $(BUILD_DIR)
