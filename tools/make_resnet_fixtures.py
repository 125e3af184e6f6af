#!/usr/bin/python3
"""Makes parclip's ModifiedResNet fixture for what the shared fixture-rn does not cover (identity shortcuts, more
than one block per stage, BatchNorm running statistics after a train-mode forward), with OpenAI's ModifiedResNet in
clip_reference.py: run from the repository root as tools/make_resnet_fixtures.py. Writes
src/test/resources/fixtures/resnet-small/ (under 1 MB):
- visual.pt: the image tower's state dict under "visual." names (torch.save, fp32; BatchNorm statistics random and
  num_batches_tracked 7, so eval mode and the counter are tested on non-default values);
- pixels.npy [2,3,64,64]; dfeatures.npy: d loss / d features for the backward pass;
- train.npz: features of a train-mode forward (key "features"), every buffer after it (running statistics,
  num_batches_tracked) and d loss / d parameter for every parameter given dfeatures, by state-dict name;
- eval_features.npy: an eval-mode forward after that one (the updated running statistics in use)."""
import os
import sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
from clip_reference import ModifiedResNet  # noqa: E402

OUT = "src/test/resources/fixtures/resnet-small"
torch.manual_seed(4321)
# Width 4: attention pool over 128 channels with 2 heads of 64; layers (2, 1, 2, 1): identity shortcuts at stride 1
# in stage 1 and after a strided block in stage 3.
visual = ModifiedResNet(layers=(2, 1, 2, 1), output_dim=32, heads=2, input_resolution=64, width=4)
with torch.no_grad():
    for name, t in visual.state_dict().items():
        if name.endswith("num_batches_tracked"):
            t.fill_(7)
        elif name.endswith("running_var"):
            t.uniform_(0.5, 2.0)
        elif name.endswith("running_mean") or name.endswith(".bias"):
            t.normal_(0, 0.1)
        elif "bn" in name or "downsample.1" in name:
            t.uniform_(0.5, 1.5)

n = 2
pixels = torch.randn(n, 3, 64, 64)
dfeatures = torch.randn(n, 32)
os.makedirs(OUT, exist_ok=True)
torch.save({"visual." + k: v for k, v in visual.state_dict().items()}, f"{OUT}/visual.pt")
np.save(f"{OUT}/pixels.npy", pixels.numpy())
np.save(f"{OUT}/dfeatures.npy", dfeatures.numpy())

visual.train()
features = visual(pixels)
features.backward(dfeatures)
out = {"features": features.detach().numpy()}
out.update({"visual." + k: v.numpy() for k, v in visual.named_buffers()})
out.update({"visual." + k: p.grad.numpy() for k, p in visual.named_parameters()})
np.savez_compressed(f"{OUT}/train.npz", **out)
visual.eval()
with torch.no_grad():
    np.save(f"{OUT}/eval_features.npy", visual(pixels).numpy())
print("wrote", OUT)
