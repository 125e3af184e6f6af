#!/usr/bin/python3
"""PyTorch CPU peer of `par bench step`: times the reference system's PAR step (student + frozen teacher forward,
PAR loss, backward, AdamW with the recipe's two parameter groups) on random inputs, fp32 (PyTorch has no CPU
autocast for this path). Prints one JSON line {"step_ms_median", "samples_per_second"}.

Example (the issue-6 small ViT): benchmarks/torch_par_step.py --threads 2 --batch 32 --image 64 --patch 16 \
    --vision-width 192 --vision-layers 3 --text-width 128 --text-layers 3 --vocab 49408 --embed 128
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from clip_reference import CLIP, par_loss  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--steps", type=int, default=10)
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--image", type=int, default=64)
ap.add_argument("--patch", type=int, default=16)
ap.add_argument("--vision-width", type=int, default=192)
ap.add_argument("--vision-layers", type=int, default=3)
ap.add_argument("--text-width", type=int, default=128)
ap.add_argument("--text-layers", type=int, default=3)
ap.add_argument("--vocab", type=int, default=49408)
ap.add_argument("--embed", type=int, default=128)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
cfg = dict(embed_dim=a.embed, image_resolution=a.image, vision_layers=a.vision_layers, vision_width=a.vision_width,
           vision_patch_size=a.patch, context_length=77, vocab_size=a.vocab, transformer_width=a.text_width,
           transformer_heads=max(1, a.text_width // 64), transformer_layers=a.text_layers)
student = CLIP(**cfg)
teacher = CLIP(**cfg)
teacher.load_state_dict(student.state_dict())
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)

decay = [p for n, p in student.named_parameters()
         if p.ndim >= 2 and "bias" not in n and "ln" not in n and "bn" not in n and n != "logit_scale"]
no_decay = [p for n, p in student.named_parameters()
            if not (p.ndim >= 2 and "bias" not in n and "ln" not in n and "bn" not in n) and n != "logit_scale"]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=3e-6, betas=(0.9, 0.98), eps=1e-8)

# The same input distribution as `par bench step`: captions of 5 to 20 tokens, start and end tokens framing ids.
g = torch.Generator().manual_seed(a.seed)
pixels = torch.randn(a.batch, 3, a.image, a.image, generator=g)
tokens = torch.zeros(a.batch, 77, dtype=torch.long)
for i in range(a.batch):
    n = int(torch.randint(5, 21, (1,), generator=g))
    tokens[i, 0] = a.vocab - 2
    tokens[i, 1:n - 1] = torch.randint(1, a.vocab - 2, (n - 2,), generator=g)
    tokens[i, n - 1] = a.vocab - 1

times = []
for it in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    student.train()
    opt.zero_grad(set_to_none=True)
    loss, _ = par_loss(student, teacher, pixels, tokens, 2.15)
    loss.backward()
    opt.step()
    dt = time.perf_counter() - t0
    if it >= a.warmup:
        times.append(dt)
med = statistics.median(times)
print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": a.threads, "batch": a.batch,
                  "step_ms_median": med * 1000, "samples_per_second": a.batch / med}))
