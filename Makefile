# SPDX-License-Identifier: LGPL-2.1-or-later
# The two commands of the README: `make demo` and `make check`. Both install
# what they need (scripts/setup.sh), configure and build.

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all setup setup-build build demo check test deb deb-check asan-check tsan-check bench bench-sip bench-service bench-media model-long clean

all: build

# What the test suite runs (setup-build: what building needs, no more).
setup:
	@./scripts/setup.sh test

setup-build:
	@./scripts/setup.sh build

# The library, tapixd, the tools and the providers; the tests too once
# the test tools are there (make check).
build: setup
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DBUILD_TESTING=ON $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)

# A demo call on the embedded emulated switch, with no configuration:
# only the build dependencies are installed, and no test is built.
demo: setup-build
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DBUILD_TESTING=OFF $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS) --target tapix-demo esp
	TAPIX_CONF= $(BUILD)/tapix-demo

# The whole test suite: unit, end-to-end, lifecycle and fuzz-corpus tests,
# then the unit and fuzz tests again under ASan+UBSan (clang, libFuzzer),
# then the same set under ThreadSanitizer (one test at a time: the media
# tests are real-time, and two TSan processes fill a 2-core machine).
check: test asan-check tsan-check

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE deb

# The Debian packages (docs/packaging.md): `make deb` builds them from the
# tree into ../ (the tree's parent, as dpkg-buildpackage does);
# `make deb-check` builds them in a temporary copy, lints them, installs
# them on a clean Debian 12 root and makes a call through the installed
# tapixd (tests/deb/check.sh: as root, minutes, the Debian archive).
deb: setup
	dpkg-buildpackage -us -uc -b

deb-check: build
	ctest --test-dir $(BUILD) --output-on-failure -L deb

$(ASAN_BUILD)/CMakeCache.txt: | setup
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DTAPIX_SANITIZE=address,undefined -DTAPIX_FUZZ=ON $(CMAKE_ARGS)

asan-check: setup $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) \
		-L 'unit|fuzz|interop|service'

$(TSAN_BUILD)/CMakeCache.txt: | setup
	CC=clang cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug \
		-DTAPIX_SANITIZE=thread $(CMAKE_ARGS)

tsan-check: setup $(TSAN_BUILD)/CMakeCache.txt
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
		ctest --test-dir $(TSAN_BUILD) --output-on-failure \
		-L 'unit|fuzz|interop|service'

bench: build
	TAPIX_CONF= $(BUILD)/bench/bench_lifecycle

# SIP calls per second with zero failures, and SIPp's own limit (minutes).
bench-sip: build
	cd $(BUILD)/bench && ./sip_cps

# Lifecycles through tapixd, from one and four client processes.
bench-service: build
	$(BUILD)/bench/bench_service --load 2

# G.711 calls on one media thread, latency, baresip beside it (minutes).
bench-media: build
	$(BUILD)/bench/bench_media --load 2

# The model-based stress test for a million steps (outside CI).
model-long: build
	cmake --build $(BUILD) --target model-long

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
