#!/usr/bin/python3
"""Checks that safetensors written by `par convert` load into PyTorch as open_clip would load them.

    check_safetensors_load.py OUT.safetensors REFERENCE          (--format openclip output)
    check_safetensors_load.py --hf OUT_DIR REFERENCE             (--format hf output)

REFERENCE is the checkpoint that was converted (torch.save state dict or TorchScript archive). The openclip check
builds an OpenAI-architecture CLIP with open_clip's parameter names (clip_skeleton.py) from the file's shapes and
calls load_state_dict(strict=True); the hf check builds a module with transformers' CLIPModel parameter names and
shapes from config.json and does the same. Both then compare every value with the reference cast to the file's
dtype by PyTorch itself (so fp16/bf16 rounding must match PyTorch's exactly). Exit status 0 when all checks pass.
"""
import json
import os
import sys
from collections import OrderedDict

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import clip_skeleton as cs  # noqa: E402


def reference_state_dict(path):
    try:
        return torch.jit.load(path, map_location="cpu").state_dict()
    except RuntimeError:
        sd = torch.load(path, map_location="cpu")
        return sd.get("state_dict", sd)


def module_with(shapes):
    """A module tree whose parameters have exactly these dotted names and shapes."""
    root = nn.Module()
    for name, shape in shapes.items():
        *path, leaf = name.split(".")
        m = root
        for p in path:
            if not hasattr(m, p):
                m.add_module(p, nn.Module())
            m = getattr(m, p)
        m.register_parameter(leaf, nn.Parameter(torch.zeros(shape)))
    return root


def hf_shapes(config):
    """transformers' CLIPModel parameter names and shapes for a config (position_ids buffers excluded)."""
    t, v, e = config["text_config"], config["vision_config"], config["projection_dim"]
    shapes = OrderedDict()

    def tower(prefix, c):
        w, f = c["hidden_size"], c["intermediate_size"]
        for i in range(c["num_hidden_layers"]):
            p = f"{prefix}.encoder.layers.{i}."
            for proj in "kvq":
                shapes[p + f"self_attn.{proj}_proj.weight"], shapes[p + f"self_attn.{proj}_proj.bias"] = [w, w], [w]
            shapes[p + "self_attn.out_proj.weight"], shapes[p + "self_attn.out_proj.bias"] = [w, w], [w]
            for ln in ("layer_norm1", "layer_norm2"):
                shapes[p + ln + ".weight"], shapes[p + ln + ".bias"] = [w], [w]
            shapes[p + "mlp.fc1.weight"], shapes[p + "mlp.fc1.bias"] = [f, w], [f]
            shapes[p + "mlp.fc2.weight"], shapes[p + "mlp.fc2.bias"] = [w, f], [w]

    w = t["hidden_size"]
    shapes["text_model.embeddings.token_embedding.weight"] = [t["vocab_size"], w]
    shapes["text_model.embeddings.position_embedding.weight"] = [t["max_position_embeddings"], w]
    tower("text_model", t)
    shapes["text_model.final_layer_norm.weight"] = shapes["text_model.final_layer_norm.bias"] = [w]
    w, p = v["hidden_size"], v["patch_size"]
    shapes["vision_model.embeddings.class_embedding"] = [w]
    shapes["vision_model.embeddings.patch_embedding.weight"] = [w, v["num_channels"], p, p]
    shapes["vision_model.embeddings.position_embedding.weight"] = [(v["image_size"] // p) ** 2 + 1, w]
    shapes["vision_model.pre_layrnorm.weight"] = shapes["vision_model.pre_layrnorm.bias"] = [w]
    tower("vision_model", v)
    shapes["vision_model.post_layernorm.weight"] = shapes["vision_model.post_layernorm.bias"] = [w]
    shapes["visual_projection.weight"] = [e, w]
    shapes["text_projection.weight"] = [e, t["hidden_size"]]
    shapes["logit_scale"] = []
    return shapes


def compare(loaded, expected):
    bad = [k for k in expected if not torch.equal(loaded[k], expected[k].to(loaded[k].dtype))]
    if bad:
        raise SystemExit(f"FAIL: {len(bad)} tensors differ from the reference, e.g. {bad[:3]}")


def main(argv):
    hf = argv[0] == "--hf"
    if hf:
        argv = argv[1:]
    out, ref_path = argv
    ref = reference_state_dict(ref_path)
    if hf:
        tensors, meta = cs.read_safetensors(os.path.join(out, "model.safetensors"))
        with open(os.path.join(out, "config.json")) as f:
            config = json.load(f)
        model = module_with(hf_shapes(config))
        expected = cs.openai_to_hf(ref)
    else:
        tensors, meta = cs.read_safetensors(out)
        assert meta.get("format") == "pt", meta
        model = cs.CLIP(**cs.infer_clip({k: list(v.shape) for k, v in tensors.items()}))
        expected = ref
    result = model.load_state_dict(tensors, strict=True)
    compare(tensors, expected)
    dtypes = sorted({str(t.dtype) for t in tensors.values()})
    print(f"OK {out}: load_state_dict(strict=True) -> {result}; {len(tensors)} tensors {dtypes} equal the "
          f"reference; metadata {meta}")


if __name__ == "__main__":
    main(sys.argv[1:])
