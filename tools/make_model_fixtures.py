#!/usr/bin/python3
"""Makes parclip's own model fixtures (sizes the shared fixtures do not cover) with the reference CLIP code in
clip_reference.py: run from the repository root as tools/make_model_fixtures.py. Writes
src/test/resources/fixtures/model-small/: model.pt (state dict, fp32), model_half_jit.pt (TorchScript, fp16),
teacher.pt, pixels.npy, tokens.npy, image_features.npy, text_features.npy (eval mode, unnormalised),
image_features_half.npy/text_features_half.npy (the fp16 model, computed in fp32 from its widened weights),
par.json and grads.npz (d total_loss / d parameter, PAR loss at tau 2.15), par_tau.json/grads_tau.npz (a tau
between the two distances so the text term drops out; text-tower gradients only)."""
import copy
import json
import os
import sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from clip_reference import CLIP, par_loss  # noqa: E402

OUT = "src/test/resources/fixtures/model-small"
torch.manual_seed(1234)
cfg = dict(embed_dim=48, image_resolution=32, vision_layers=1, vision_width=192, vision_patch_size=16,
           context_length=77, vocab_size=300, transformer_width=64, transformer_heads=1, transformer_layers=2)
model = CLIP(**cfg).eval()
teacher = CLIP(**cfg).eval()
with torch.no_grad():
    for p, q in zip(model.parameters(), teacher.parameters()):
        q.copy_(p + 0.05 * torch.randn_like(p) * p.std().clamp(min=1e-3))

n = 5
pixels = torch.randn(n, 3, 32, 32)
tokens = torch.zeros(n, 77, dtype=torch.long)
lengths = [5, 9, 3, 14, 7]
for i, L in enumerate(lengths):
    tokens[i, 0] = 298
    tokens[i, 1:L - 1] = torch.randint(1, 298, (L - 2,))
    tokens[i, L - 1] = 299

os.makedirs(OUT, exist_ok=True)
torch.save(model.state_dict(), f"{OUT}/model.pt")
torch.save(teacher.state_dict(), f"{OUT}/teacher.pt")
np.save(f"{OUT}/pixels.npy", pixels.numpy())
np.save(f"{OUT}/tokens.npy", tokens.numpy())
with torch.no_grad():
    np.save(f"{OUT}/image_features.npy", model.encode_image(pixels).numpy())
    np.save(f"{OUT}/text_features.npy", model.encode_text(tokens).numpy())

# The fp16 TorchScript archive, as OpenAI ships them; its reference features are those of the fp32 model built
# from the fp16 weights widened back, which is what a loader that widens to fp32 must reproduce.
# (CPU PyTorch cannot run fp16 convolutions, so trace in fp32 and convert the traced module.)
traced = torch.jit.trace_module(copy.deepcopy(model), {"encode_image": pixels, "encode_text": tokens}, check_trace=False)
traced = traced.half()
traced.save(f"{OUT}/model_half_jit.pt")
half = CLIP(**cfg).eval().half()
half.load_state_dict(model.state_dict())
widened = CLIP(**cfg).eval()
widened.load_state_dict({k: v.float() for k, v in half.state_dict().items()})
with torch.no_grad():
    np.save(f"{OUT}/image_features_half.npy", widened.encode_image(pixels).numpy())
    np.save(f"{OUT}/text_features_half.npy", widened.encode_text(tokens).numpy())


def grads_for(tau, suffix, keep=lambda name: True):
    model.zero_grad()
    total, parts = par_loss(model.train(), teacher.eval(), pixels, tokens, tau)
    total.backward()
    parts["tau"] = tau
    with open(f"{OUT}/par{suffix}.json", "w") as f:
        json.dump(parts, f, indent=1)
    np.savez(f"{OUT}/grads{suffix}.npz", **{k: p.grad.numpy() for k, p in model.named_parameters()
                                            if p.grad is not None and keep(k)})
    return parts


parts = grads_for(2.15, "")
between = (parts["image_distance"] + parts["text_distance"]) / 2
assert parts["image_distance"] < between < parts["text_distance"] or parts["text_distance"] < between < parts["image_distance"]
# With the text term dropped only the text tower's gradients change; the image tower's equal grads.npz's.
grads_for(between, "_tau", keep=lambda name: not name.startswith("visual."))
print("wrote", OUT, parts)
