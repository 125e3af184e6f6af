# parclip build. `make test` is what CI runs; `make demo` is the first thing a new user runs.
SHELL := /bin/bash
JAVA_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
export JAVA_HOME
MVN := mvn -q -B
NVCC ?= $(shell command -v nvcc 2>/dev/null)
FATBIN := src/main/resources/org/parclip/cuda/parclip.fatbin
KERNELS := $(wildcard kernels/*.cu)

.PHONY: build test demo bench clean kernels gpu-bundle

build: kernels
	$(MVN) -DskipTests package
	@echo "built target/parclip.jar; run bin/par --help"

# Compiles kernels/*.cu into one fatbin (sm_80, sm_90 and PTX) when nvcc is present; the jar carries it.
kernels:
ifneq ($(strip $(NVCC)),)
ifneq ($(strip $(KERNELS)),)
	@$(MAKE) -s -C native FATBIN=../$(FATBIN) NVCC=$(NVCC)
endif
else
	@echo "nvcc not found: building without CUDA kernels (the CPU backend needs none)"
endif

test: kernels
	$(MVN) package
	@echo "all tests passed"

demo: build
	bin/par demo

bench: build
	$(MAKE) -C benchmarks run

# A self-contained bundle for a GPU machine that has no JDK or Maven: a jlinked Java runtime, the jar, bin/par,
# the test classes and the JUnit console launcher (pinned); dist/gpu-run.sh runs the CUDA tests and a GPU benchmark.
JUNIT_CONSOLE := org.junit.platform:junit-platform-console-standalone:1.11.4
gpu-bundle: build
	rm -rf dist
	$(JAVA_HOME)/bin/jlink --add-modules java.base,jdk.incubator.vector,java.desktop,java.logging,jdk.unsupported \
	  --strip-debug --no-header-files --no-man-pages --compress zip-6 --output dist/runtime
	mkdir -p dist/bin dist/lib
	cp target/parclip.jar dist/
	cp bin/par dist/bin/
	# Compiled test classes only: the CUDA tests read no fixtures (30 MB, and the working tree has them anyway).
	mkdir -p dist/test-classes && cp -r target/test-classes/org dist/test-classes/
	$(MVN) org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy -Dartifact=$(JUNIT_CONSOLE) \
	  -DoutputDirectory=dist/lib
	cp tools/gpu-run.sh dist/
	@echo "dist/: $$(du -sh dist | cut -f1) (runtime $$(du -sh dist/runtime | cut -f1)); run dist/gpu-run.sh on the GPU machine"

clean:
	$(MVN) clean
	rm -rf benchmarks/target
