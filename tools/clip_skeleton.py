"""OpenAI-architecture CLIP modules with open_clip's parameter names, for the checkpoint tools.

Shared by make_checkpoint_fixtures.py (which scripts a tiny one to TorchScript, so forward passes exist and are
scriptable) and check_safetensors_load.py (which loads Java-written safetensors into one with strict=True).
Also holds a dependency-free safetensors reader/writer, since the safetensors package is not installed here.
"""
import json
import math
import re
import struct
from collections import OrderedDict

import numpy as np
import torch
from torch import nn


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, width, heads, attn_mask=None):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, width * 4)), ("gelu", QuickGELU()), ("c_proj", nn.Linear(width * 4, width))]))
        self.ln_2 = nn.LayerNorm(width)
        self.attn_mask = attn_mask  # a plain tensor attribute, as in OpenAI's model: not in the state dict

    def forward(self, x):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False, attn_mask=self.attn_mask)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, attn_mask=None):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, attn_mask) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    def __init__(self, image, patch, width, layers, heads, embed):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch, stride=patch, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(width))
        self.positional_embedding = nn.Parameter(torch.randn((image // patch) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(torch.randn(width, embed))

    def forward(self, x):
        x = self.conv1(x).flatten(2).permute(0, 2, 1)
        cls = self.class_embedding.unsqueeze(0).unsqueeze(0).expand(x.shape[0], 1, x.shape[2])
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.transformer(self.ln_pre(x).permute(1, 0, 2)).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.avgpool = nn.AvgPool2d(stride) if stride > 1 else nn.Identity()
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if stride > 1 or inplanes != planes * 4:
            self.downsample = nn.Sequential(OrderedDict([
                ("-1", nn.AvgPool2d(stride)), ("0", nn.Conv2d(inplanes, planes * 4, 1, bias=False)),
                ("1", nn.BatchNorm2d(planes * 4))]))


class AttentionPool2d(nn.Module):
    def __init__(self, spacial_dim, embed_dim, num_heads, output_dim):
        super().__init__()
        self.positional_embedding = nn.Parameter(torch.randn(spacial_dim ** 2 + 1, embed_dim))
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.c_proj = nn.Linear(embed_dim, output_dim)


class ModifiedResNet(nn.Module):
    def __init__(self, layers, output_dim, heads, input_resolution, width):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width // 2, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width // 2)
        self.conv2 = nn.Conv2d(width // 2, width // 2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width // 2)
        self.conv3 = nn.Conv2d(width // 2, width, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(width)
        self._inplanes = width
        self.layer1 = self._make_layer(width, layers[0])
        self.layer2 = self._make_layer(width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(width * 8, layers[3], stride=2)
        self.attnpool = AttentionPool2d(input_resolution // 32, width * 32, heads, output_dim)

    def _make_layer(self, planes, blocks, stride=1):
        layers = [Bottleneck(self._inplanes, planes, stride)]
        self._inplanes = planes * 4
        layers += [Bottleneck(self._inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)


class CLIP(nn.Module):
    def __init__(self, embed, image, vision_layers, vision_width, patch, context, vocab, text_width, text_heads,
                 text_layers):
        super().__init__()
        if isinstance(vision_layers, (tuple, list)):
            self.visual = ModifiedResNet(vision_layers, embed, vision_width * 32 // 64, image, vision_width)
        else:
            self.visual = VisionTransformer(image, patch, vision_width, vision_layers, vision_width // 64, embed)
        mask = torch.full((context, context), float("-inf")).triu(1)
        self.transformer = Transformer(text_width, text_layers, text_heads, mask)
        self.token_embedding = nn.Embedding(vocab, text_width)
        self.positional_embedding = nn.Parameter(torch.randn(context, text_width))
        self.ln_final = nn.LayerNorm(text_width)
        self.text_projection = nn.Parameter(torch.randn(text_width, embed))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, image, text):
        x = self.token_embedding(text) + self.positional_embedding
        x = self.ln_final(self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2))
        t = x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection
        return self.visual(image), t


def infer_clip(shapes):
    """CLIP constructor arguments from {name: shape}, by the OpenAI loader's rules (spec section 3)."""
    vit = "visual.proj" in shapes
    if vit:
        vision_width = shapes["visual.conv1.weight"][0]
        vision_layers = len([k for k in shapes if k.startswith("visual.") and k.endswith(".attn.in_proj_weight")])
        patch = shapes["visual.conv1.weight"][-1]
        grid = round((shapes["visual.positional_embedding"][0] - 1) ** 0.5)
        image = patch * grid
    else:
        vision_layers = tuple(len({k.split(".")[2] for k in shapes if k.startswith(f"visual.layer{b}")})
                              for b in (1, 2, 3, 4))
        vision_width = shapes["visual.layer1.0.conv1.weight"][0]
        patch = None
        image = 32 * round((shapes["visual.attnpool.positional_embedding"][0] - 1) ** 0.5)
    text_width = shapes["ln_final.weight"][0]
    text_layers = len({k.split(".")[2] for k in shapes if k.startswith("transformer.resblocks")})
    return dict(embed=shapes["text_projection"][1], image=image, vision_layers=vision_layers,
                vision_width=vision_width, patch=patch, context=shapes["positional_embedding"][0],
                vocab=shapes["token_embedding.weight"][0], text_width=text_width, text_heads=text_width // 64,
                text_layers=text_layers)


# --- safetensors without the safetensors package -------------------------------------------------------------
_ST_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32,
              "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_, "BF16": np.int16}


def read_safetensors(path):
    """(OrderedDict name -> torch tensor, metadata dict); validates the layout rules the reference loader checks."""
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=OrderedDict)
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    spans = sorted(tuple(v["data_offsets"]) for v in header.values())
    end = 0
    for b, e in spans:
        assert b == end, f"gap or overlap at {b} (expected {end})"
        end = e
    assert end == len(data), f"data area is {len(data)} bytes, tensors cover {end}"
    out = OrderedDict()
    for name, v in header.items():
        b, e = v["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype=_ST_DTYPES[v["dtype"]]).reshape(v["shape"])
        t = torch.from_numpy(arr.copy())
        if v["dtype"] == "BF16":
            t = t.view(torch.bfloat16)
        out[name] = t
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    """The layout the reference writer produces: keys sorted, header space-padded to 8 bytes, data packed."""
    names = {torch.float32: "F32", torch.float16: "F16", torch.float64: "F64", torch.int64: "I64",
             torch.int32: "I32", torch.bfloat16: "BF16"}
    header, blobs, at = OrderedDict(), [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        b = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# --- Hugging Face CLIPModel names (spec section 4) -------------------------------------------------------------
_BLOCK = [("attn.out_proj", "self_attn.out_proj"), ("ln_1", "layer_norm1"), ("mlp.c_fc", "mlp.fc1"),
          ("mlp.c_proj", "mlp.fc2"), ("ln_2", "layer_norm2")]


def openai_to_hf(sd):
    """An OpenAI ViT CLIP state dict under HF CLIPModel names (q, k, v split; projections transposed)."""
    hf = OrderedDict()
    direct = {"positional_embedding": "text_model.embeddings.position_embedding.weight",
              "token_embedding.weight": "text_model.embeddings.token_embedding.weight",
              "ln_final.weight": "text_model.final_layer_norm.weight",
              "ln_final.bias": "text_model.final_layer_norm.bias", "logit_scale": "logit_scale",
              "visual.class_embedding": "vision_model.embeddings.class_embedding",
              "visual.positional_embedding": "vision_model.embeddings.position_embedding.weight",
              "visual.conv1.weight": "vision_model.embeddings.patch_embedding.weight",
              "visual.ln_pre.weight": "vision_model.pre_layrnorm.weight",
              "visual.ln_pre.bias": "vision_model.pre_layrnorm.bias",
              "visual.ln_post.weight": "vision_model.post_layernorm.weight",
              "visual.ln_post.bias": "vision_model.post_layernorm.bias"}
    for k, v in sd.items():
        m = re.match(r"(visual\.)?transformer\.resblocks\.(\d+)\.(.*)", k)
        if k in direct:
            hf[direct[k]] = v
        elif k == "text_projection":
            hf["text_projection.weight"] = v.t().contiguous()
        elif k == "visual.proj":
            hf["visual_projection.weight"] = v.t().contiguous()
        elif m:
            tower = "vision_model" if m.group(1) else "text_model"
            prefix, rest = f"{tower}.encoder.layers.{m.group(2)}.", m.group(3)
            if rest.startswith("attn.in_proj_"):
                kind = rest[len("attn.in_proj_"):]
                for part, chunk in zip("qkv", v.chunk(3, dim=0)):
                    hf[f"{prefix}self_attn.{part}_proj.{kind}"] = chunk.contiguous()
            else:
                for o, h in _BLOCK:
                    if rest.startswith(o + "."):
                        hf[prefix + h + rest[len(o):]] = v
                        break
                else:
                    raise KeyError(k)
        else:
            raise KeyError(k)
    return hf
