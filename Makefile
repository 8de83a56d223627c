# The commands a user runs. Every target installs what it needs first.
#   make run    install deps, build, start `eddy serve` with data in ./data
#   make test   install deps, build, run every test (ctest), then the unit tests under ASan/UBSan
#   make build  build/eddy
#   make bench-log  the log/broker benchmark (writes bench/RESULTS.md)
#   make bench-engine  the Nexmark engine benchmark (writes its section of bench/RESULTS.md)
#   make bench-checkpoint  checkpoint cost and recovery (writes its section of bench/RESULTS.md)

JOBS ?= 2
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
DATA_DIR ?= ./data
KAFKA_ADDR ?= 127.0.0.1:9092

.PHONY: deps build build-asan test test-unit test-asan run bench-log bench-engine bench-checkpoint clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null
	@cmake --build build -j$(JOBS)

build-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DEDDY_SANITIZE=ON -DEDDY_UNIT_TESTS_ONLY=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j$(JOBS)

test: build
	@ctest --test-dir build --output-on-failure -j$(JOBS)
	@$(MAKE) --no-print-directory test-asan

test-unit: build
	@ctest --test-dir build --output-on-failure -j$(JOBS) -L unit

test-asan: build-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build-asan --output-on-failure -j$(JOBS) -L unit

run: build
	./build/eddy serve --data-dir $(DATA_DIR) --kafka-addr $(KAFKA_ADDR)

bench-log: build
	bash bench/run_log_bench.sh

bench-engine: build
	/usr/bin/python3 bench/run_engine_bench.py

bench-checkpoint: build
	/usr/bin/python3 bench/run_checkpoint_bench.py

clean:
	rm -rf build build-asan
