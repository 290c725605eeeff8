# The two commands of the README:
#   make demo   install what is missing, build, run scenarios/demo.yaml against the bundled Go target
#   make test   install what is missing, build, run every test (unit, integration, Go, fuzz smoke)
BUILD      ?= build
JOBS       ?= 2
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 20

.PHONY: all setup build demo test test-go fuzz clean

all: build

setup:
	@tools/setup.sh

build: setup
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

# The demo target leaks on purpose: leakgate exits 1 and names the leaking function.
demo: build
	@status=0; $(BUILD)/bin/leakgate run scenarios/demo.yaml --out out/demo || status=$$?; \
	if [ $$status -ne 1 ]; then echo "demo: expected exit 1 (leak found), got $$status" >&2; exit 1; fi; \
	echo; echo "demo: leak found as expected (exit 1); report in out/demo/result.json"

test: build test-go fuzz
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-go:
	cd examples/go-targets/leaky && go vet ./... && go test -count=1 ./...

# Short libFuzzer runs of every parser (clang build); part of `make test`.
fuzz: setup
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLEAKGATE_FUZZ=ON -DLEAKGATE_BUILD_TESTS=ON -DLEAKGATE_BUILD_GO_TARGETS=OFF
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzz_all
	tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) out
