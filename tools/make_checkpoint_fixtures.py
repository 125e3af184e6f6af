#!/usr/bin/python3
"""Writes the small checkpoint fixtures of src/test/resources/fixtures/checkpoints/ (< 2 MB in all).

Values are seeded; legacy files name storages by memory address, so their bytes differ between runs.

- mixed.pt / mixed_legacy.pt: a state dict of every storage dtype, a scalar, an empty tensor, a transposed
  (non-contiguous) tensor, an offset view sharing its storage, a Parameter; zip and legacy torch.save formats.
- train.pt: a training checkpoint {"epoch", "state_dict" with DDP "module." prefixes, "optimizer", ...}.
- legacy_view.pt: a legacy file whose storage is a view (offset 2, 5 elements) of a 10-element root storage;
  its tensor "v" is [[3, 4], [5, 6]].
- mixed_ref.npz: the values of mixed.pt by name (bfloat16 widened to float32).
- tiny_clip_jit_fp16.pt: a tiny ViT CLIP scripted to TorchScript, fp16 except LayerNorms (as OpenAI releases).
- tiny_clip_hf.bin / tiny_clip_hf.safetensors: the same weights under Hugging Face CLIPModel names, fp16.
- tiny_clip_ref.npz: the tiny CLIP's state dict under OpenAI names (float16 values).
- malicious*.pt / malicious.pkl: pickles calling os.system; loading must refuse them before anything runs.
- triggers.json: shapes and checksums of the attack trigger tensors in shared/data/triggers.
"""
import json
import os
import pickle
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clip_skeleton as cs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src/test/resources/fixtures/checkpoints")
TRIGGERS = os.path.join(ROOT, "src/main/resources/org/parclip/attack")
PWNED = "/tmp/parclip-pickle-pwned"  # the malicious pickles would create this file


def mixed():
    g = torch.Generator().manual_seed(1)
    base = torch.randn(10, generator=g)
    sd = OrderedDict()
    sd["f32"] = torch.randn(3, 4, generator=g)
    sd["f16"] = torch.randn(5, generator=g).half()
    sd["bf16"] = torch.randn(2, 3, generator=g).bfloat16()
    sd["f64"] = torch.randn(3, generator=g).double()
    sd["i64"] = torch.tensor([-(2 ** 40), -1, 0, 7], dtype=torch.int64)
    sd["i32"] = torch.tensor([-5, 6], dtype=torch.int32)
    sd["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(0, 3)
    sd["transposed"] = torch.randn(3, 5, generator=g).t()
    sd["base"] = base
    sd["view"] = base[2:7]
    sd["param"] = torch.nn.Parameter(torch.randn(2, generator=g))
    return sd


def tiny_clip():
    torch.manual_seed(0)
    model = cs.CLIP(embed=32, image=8, vision_layers=1, vision_width=64, patch=4, context=8, vocab=16,
                    text_width=64, text_heads=1, text_layers=1)
    with torch.no_grad():
        for p in model.parameters():  # fp16-representable values, so fp16 and fp32 copies are equal
            p.copy_(torch.randn_like(p).half().float())
    return model


def write_legacy_view(path):
    """A legacy file whose tensor lives in a storage view, as PyTorch < 1.0 wrote them (same values as arange)."""
    root = torch.arange(10, dtype=torch.float32)

    class ViewPickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, torch.FloatStorage):
                return "storage", torch.FloatStorage, "root", "cpu", 10, ("view", 2, 5)
            return None

    with open(path, "wb") as f:
        for header in (0x1950a86a20f9469cfc6c, 1001,
                       {"protocol_version": 1001, "little_endian": True,
                        "type_sizes": {"short": 2, "int": 4, "long": 4}}):
            pickle.dump(header, f, protocol=2)
        ViewPickler(f, protocol=2).dump(OrderedDict(v=_Rebuild(
            torch._utils._rebuild_tensor_v2, (root[2:7].storage(), 1, (2, 2), (2, 1), False, OrderedDict()))))
        pickle.dump(["root"], f, protocol=2)
        f.write(struct.pack("<q", 10) + root.numpy().tobytes())


class _Rebuild:
    """Pickles as a call of a torch rebuild function with the given arguments."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


class Pwn:
    def __reduce__(self):
        return os.system, ("touch " + PWNED,)


def checksum(t):
    """sum(x * (i % 7 + 1)) over the flattened C-order values, in float64: catches layout mistakes."""
    x = t.contiguous().reshape(-1).double()
    w = (torch.arange(x.numel(), dtype=torch.float64) % 7) + 1
    return float((x * w).sum())


def main():
    os.makedirs(OUT, exist_ok=True)
    path = lambda name: os.path.join(OUT, name)  # noqa: E731

    sd = mixed()
    torch.save(sd, path("mixed.pt"))
    torch.save(sd, path("mixed_legacy.pt"), _use_new_zipfile_serialization=False)
    write_legacy_view(path("legacy_view.pt"))
    np.savez(path("mixed_ref.npz"), **{k: (v.float() if v.dtype == torch.bfloat16 else v).detach().numpy().copy(order="C")
                                        for k, v in sd.items()})
    train_sd = OrderedDict(("module." + k, v) for k, v in list(sd.items())[:4])
    torch.save({"epoch": 3, "name": "run-1", "state_dict": train_sd,
                "optimizer": {"state": {0: {"step": 10, "exp_avg": torch.ones(3, 4)}},
                              "param_groups": [{"lr": 1e-5, "betas": (0.9, 0.98), "params": [0, 1]}]},
                "best_acc": 0.5}, path("train.pt"))

    model = tiny_clip().eval()
    ref = OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())
    np.savez(path("tiny_clip_ref.npz"), **{k: v.half().numpy() for k, v in ref.items()})
    half = tiny_clip().eval().half()
    for name, mod in half.named_modules():
        if isinstance(mod, torch.nn.LayerNorm):
            mod.float()
    torch.jit.save(torch.jit.script(half), path("tiny_clip_jit_fp16.pt"))
    hf = cs.openai_to_hf(OrderedDict((k, v.half()) for k, v in ref.items()))
    hf_bin = OrderedDict(hf)
    hf_bin["text_model.embeddings.position_ids"] = torch.arange(8).unsqueeze(0)
    hf_bin["vision_model.embeddings.position_ids"] = torch.arange(5).unsqueeze(0)
    torch.save(hf_bin, path("tiny_clip_hf.bin"))
    cs.write_safetensors(path("tiny_clip_hf.safetensors"), hf, {"format": "pt"})

    torch.save({"weights": torch.ones(2), "payload": Pwn()}, path("malicious.pt"))
    torch.save({"weights": torch.ones(2), "payload": Pwn()}, path("malicious_legacy.pt"),
               _use_new_zipfile_serialization=False)
    with open(path("malicious.pkl"), "wb") as f:
        pickle.dump(Pwn(), f, protocol=2)

    triggers = {}
    for name in sorted(os.listdir(TRIGGERS)):
        if name.endswith(".pt"):
            t = torch.load(os.path.join(TRIGGERS, name))
            triggers[name] = {"shape": list(t.shape), "checksum": checksum(t),
                              "first": [float(v) for v in t.contiguous().reshape(-1)[:5]]}
    with open(path("triggers.json"), "w") as f:
        json.dump(triggers, f, indent=1)
    total = sum(os.path.getsize(path(n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {OUT}")


if __name__ == "__main__":
    main()
