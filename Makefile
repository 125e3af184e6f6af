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

clean:
	$(MVN) clean
	rm -rf benchmarks/target
