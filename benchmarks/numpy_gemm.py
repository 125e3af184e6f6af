#!/usr/bin/python3
"""The peer for `par bench gemm`: numpy's float32 matmul (OpenBLAS) on the same sizes and thread count.

Prints one JSON line shaped like par bench gemm's, e.g.
{"impl":"numpy","m":1024,"n":1024,"k":1024,"threads":2,"gflops":190.1,"ms_median":11.3}
Compare GFLOP/s from runs interleaved with par's: the build machines are shared and noisy.
"""
import argparse
import json
import os
import sys
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--m", type=int, default=1024)
parser.add_argument("--n", type=int, default=1024)
parser.add_argument("--k", type=int, default=1024)
parser.add_argument("--threads", type=int, default=os.cpu_count())
parser.add_argument("--repeats", type=int, default=10)
args = parser.parse_args()

# OpenBLAS reads its thread count when numpy loads it, so this must precede the import.
os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
os.environ["OMP_NUM_THREADS"] = str(args.threads)
import numpy as np  # noqa: E402

rng = np.random.default_rng(1)
a = rng.uniform(-1, 1, (args.m, args.k)).astype(np.float32)
b = rng.uniform(-1, 1, (args.k, args.n)).astype(np.float32)
c = np.empty((args.m, args.n), dtype=np.float32)

# Warm-up as par bench gemm does it: at least 3 calls and 1 second.
start, calls = time.perf_counter(), 0
while calls < 3 or time.perf_counter() - start < 1.0:
    np.matmul(a, b, out=c)
    calls += 1
times = []
for _ in range(args.repeats):
    t = time.perf_counter()
    np.matmul(a, b, out=c)
    times.append(time.perf_counter() - t)
times.sort()
r = args.repeats
median = times[r // 2] if r % 2 else (times[r // 2 - 1] + times[r // 2]) / 2
print(f"numpy {np.__version__}, {args.threads} threads", file=sys.stderr)
print(json.dumps({"impl": "numpy", "m": args.m, "n": args.n, "k": args.k, "threads": args.threads,
                  "gflops": round(2.0 * args.m * args.n * args.k / median / 1e9, 2),
                  "ms_median": round(median * 1e3, 3)}, separators=(",", ":")))
