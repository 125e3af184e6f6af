#!/usr/bin/python3
"""PyTorch CPU peer of `par bench forward`: eval-mode encode_image and encode_text of random inputs with the
reference CLIP code (tools/clip_reference.py), no_grad, fp32. Prints one JSON line.

Example: benchmarks/torch_forward.py --threads 2 --batch 16   (ViT-B-32: width 768 x 12, patch 32, text 512 x 12)
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from clip_reference import CLIP  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--repeats", type=int, default=5)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
model = CLIP(embed_dim=512, image_resolution=224, vision_layers=12, vision_width=768, vision_patch_size=32,
             context_length=77, vocab_size=49408, transformer_width=512, transformer_heads=8,
             transformer_layers=12).eval()
g = torch.Generator().manual_seed(a.seed)
pixels = torch.randn(a.batch, 3, 224, 224, generator=g)
tokens = torch.zeros(a.batch, 77, dtype=torch.long)
for i in range(a.batch):  # captions of 5 to 20 tokens, as `par bench forward` makes them
    n = int(torch.randint(5, 21, (1,), generator=g))
    tokens[i, 0] = 49406
    tokens[i, 1:n - 1] = torch.randint(1, 49405, (n - 2,), generator=g)
    tokens[i, n - 1] = 49407
image, text = [], []
with torch.no_grad():
    for it in range(a.repeats + 1):
        t0 = time.perf_counter()
        model.encode_image(pixels)
        t1 = time.perf_counter()
        model.encode_text(tokens)
        t2 = time.perf_counter()
        if it > 0:
            image.append((t1 - t0) * 1000)
            text.append((t2 - t1) * 1000)
print(json.dumps({"model": "ViT-B-32", "impl": "pytorch", "threads": a.threads, "batch": a.batch,
                  "image_ms_median": statistics.median(image), "text_ms_median": statistics.median(text)}))
