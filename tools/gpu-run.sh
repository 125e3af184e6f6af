#!/usr/bin/env bash
# GPU checks from a gpu-bundle (make gpu-bundle copies this script to dist/): the CUDA tests (org.parclip.cuda,
# CUDA-vs-CPU parity of every backend op) through the JUnit console launcher, then `par bench step --backend cuda`.
# Needs nothing but the bundle and an NVIDIA driver; the CUDA libraries are found at run time (see CudaLibraries;
# PARCLIP_CUDA_LIB_PATH overrides). Extra arguments go to the JUnit console launcher.
# JUnit XML reports go to $PARCLIP_REPORTS (default: dist/reports). Exits non-zero if either part failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java="$here/runtime/bin/java"
console=("$here"/lib/junit-platform-console-standalone-*.jar)
command -v nvidia-smi >/dev/null && nvidia-smi -L

"$java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -jar "${console[0]}" execute \
  --disable-banner --details=tree --class-path "$here/parclip.jar:$here/test-classes" \
  --select-package org.parclip.cuda --reports-dir "${PARCLIP_REPORTS:-$here/reports}" "$@"
tests=$?

# A full PAR step (teacher + student forward, loss, backward, AdamW) of a randomly initialised ViT-B/32;
# PARCLIP_BENCH_ARGS replaces the model and batch arguments.
# shellcheck disable=SC2086
"$here/bin/par" bench step --backend cuda ${PARCLIP_BENCH_ARGS:---model ViT-B-32 --batch 128}
bench=$?

echo "gpu-run: tests exit $tests, benchmark exit $bench"
[ "$tests" -eq 0 ] && [ "$bench" -eq 0 ]
