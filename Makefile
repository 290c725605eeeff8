# The two commands of the README:
#   make demo   install what is missing, build, run scenarios/demo.yaml against the bundled Go target
#   make test   install what is missing, build, run every test (unit, integration, Go, fuzz
#               smoke, sanitizers)
BUILD      ?= build
JOBS       ?= 2
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan

# ccache, when the machine has it, keyed on paths relative to the checkout: a fresh
# clone anywhere reuses what an earlier build of the same sources compiled.
CCACHE := $(shell command -v ccache 2>/dev/null)
LAUNCHER := $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
export CCACHE_BASEDIR := $(CURDIR)

.PHONY: all setup build demo test test-go fuzz sanitize sanitize-address sanitize-thread clean

all: build

setup:
	@tools/setup.sh

# RelWithDebInfo with line tables only (-g1): backtraces and perf keep file:line, and the
# build is a quarter faster than with full debug information.
build: setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
	  $(LAUNCHER)
	cmake --build $(BUILD) -j$(JOBS)

# The demo target leaks on purpose: leakgate exits 1 and names the leaking function.
demo: build
	@status=0; $(BUILD)/bin/leakgate run scenarios/demo.yaml --out out/demo || status=$$?; \
	if [ $$status -ne 1 ]; then echo "demo: expected exit 1 (leak found), got $$status" >&2; exit 1; fi; \
	echo; echo "demo: leak found as expected (exit 1); reports in out/demo/ (open report.html)"

# ctest runs CTEST_JOBS tests at a time: the integration tests mostly wait (warm-up,
# settle phases), keeping about 15% of two cores busy at -j2.
CTEST_JOBS ?= 4
test: build test-go fuzz sanitize
	ctest --test-dir $(BUILD) --output-on-failure -j$(CTEST_JOBS)

# Go tests of both example targets, with the machine's Go and again with Go 1.27.3 as
# `go 1.27` modules (go.1.27.mod beside each go.mod; GOTOOLCHAIN fetches 1.27.3 once).
GO127_TOOLCHAIN ?= go1.27.3
test-go:
	for m in leaky grpc; do (cd examples/go-targets/$$m && go vet ./... && go test -count=1 ./...) || exit 1; done
	for m in leaky grpc; do (cd examples/go-targets/$$m && \
	  GOTOOLCHAIN=$(GO127_TOOLCHAIN) go vet -modfile=go.1.27.mod ./... && \
	  GOTOOLCHAIN=$(GO127_TOOLCHAIN) go test -modfile=go.1.27.mod -count=1 ./...) || exit 1; done

# Sanitizers, part of `make test`:
#   address,undefined  every unit test; the engine tests (leakgate_engine_tests: HTTP/1.1
#                      and HTTPS load with its TLS session cache, h2c and h2 on nghttp2,
#                      client and HTTP/2 stream faults), the gRPC engine's and the chaos
#                      proxy's TLS to an upstream, against the real Go targets; and the runner's tests through a sanitized leakgate
#                      binary: the bad-input catalog, the CLI's errors, the signals
#   thread             the engine tests but TLS: worker threads, per-worker stats merged
#                      once a second, run-wide stop. Only that binary is built (TLS is left
#                      out as gRPC is: Debian's OpenSSL is not built with TSan, whose one
#                      report there, ASN1_STRING_cmp racing ASN1_STRING_set inside
#                      libcrypto during concurrent handshakes, is not ours)
#                      (gRPC is left out: Debian's grpc++ is not built with TSan, whose
#                      reports there are not ours)
# Line tables only: file:line in every report. ASan at -O0: the biggest build, 40% less
# compile time than at -O1, and its tests mostly wait on the targets. TSan at -O1: its
# code runs 5-15x slower than native, and it builds one test binary.
ASAN_FLAGS = -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1"
TSAN_FLAGS = -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1"
SANITIZED_INTEGRATION_TESTS = */GrpcTest.*/h2:*/GrpcTest.CancelTimerRacingTheCallsEndIsSafe/grpcpp:*/GrpcTlsTest.*:ProxyTlsUpstream.*
TLS_ENGINE_TESTS = TlsLoadTest.*:H2LoadTest.H2OverTls*
SANITIZED_RUNNER_TESTS = Rows/BadInputCatalog.*:BadInputCatalogSize.*:CliErrors.*:Signals.*
sanitize: sanitize-address sanitize-thread

sanitize-address: setup
	cmake -S . -B $(ASAN_BUILD) -G Ninja $(ASAN_FLAGS) $(LAUNCHER) -DLEAKGATE_SANITIZE=address,undefined
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target leakgate_unit_tests leakgate_engine_tests leakgate_integration_tests
	ASAN_OPTIONS=detect_leaks=1 $(ASAN_BUILD)/bin/leakgate_unit_tests --gtest_brief=1
	ASAN_OPTIONS=detect_leaks=1 $(ASAN_BUILD)/bin/leakgate_engine_tests --gtest_brief=1
	ASAN_OPTIONS=detect_leaks=1 $(ASAN_BUILD)/bin/leakgate_integration_tests --gtest_brief=1 \
	  --gtest_filter='$(SANITIZED_INTEGRATION_TESTS)'
	ASAN_OPTIONS=detect_leaks=1 ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS) \
	  -R '^($(subst *,.*,$(subst :,|,$(SANITIZED_RUNNER_TESTS))))'

# setarch -R: TSan needs the fixed memory layout that the kernel's ASLR may not give it.
sanitize-thread: setup
	cmake -S . -B $(TSAN_BUILD) -G Ninja $(TSAN_FLAGS) $(LAUNCHER) -DLEAKGATE_SANITIZE=thread
	cmake --build $(TSAN_BUILD) -j$(JOBS) --target leakgate_engine_tests
	TSAN_OPTIONS=halt_on_error=1 setarch $$(uname -m) -R $(TSAN_BUILD)/bin/leakgate_engine_tests --gtest_brief=1 \
	  --gtest_filter='-$(TLS_ENGINE_TESTS)'


# Short libFuzzer runs of every parser (clang build, no unity batches), JOBS targets at a
# time; part of `make test`.
fuzz: setup
	cmake -S . -B $(FUZZ_BUILD) -G Ninja $(LAUNCHER) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLEAKGATE_FUZZ=ON -DLEAKGATE_BUILD_TESTS=ON -DLEAKGATE_BUILD_GO_TARGETS=OFF
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_all
	tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(JOBS)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(ASAN_BUILD) $(TSAN_BUILD) out
