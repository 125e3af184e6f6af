#!/usr/bin/python3
"""Image-file features of the reference's tiny ViT (fixture-vit/model.pt) through PIL + torchvision's CLIP
transform (Resize(R, bicubic), CenterCrop(R), ToTensor, Normalize): the end-to-end reference for `par encode
--images`. Run from the repository root; writes src/test/resources/fixtures/encode-images/ (PNG and JPEG images of
several shapes, and png_features.npy / jpg_features.npy in file-name order)."""
import os
import sys

import numpy as np
import torch
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(__file__))
from clip_reference import CLIP  # noqa: E402

OUT = "src/test/resources/fixtures/encode-images"
sd = torch.load("src/test/resources/fixtures/fixture-vit/model.pt")
width = sd["visual.conv1.weight"].shape[0]
patch = sd["visual.conv1.weight"].shape[-1]
grid = round((sd["visual.positional_embedding"].shape[0] - 1) ** 0.5)
model = CLIP(embed_dim=sd["text_projection"].shape[1], image_resolution=patch * grid,
             vision_layers=len({k.split(".")[3] for k in sd if k.startswith("visual.transformer.resblocks.")}),
             vision_width=width, vision_patch_size=patch, context_length=sd["positional_embedding"].shape[0],
             vocab_size=sd["token_embedding.weight"].shape[0], transformer_width=sd["ln_final.weight"].shape[0],
             transformer_heads=sd["ln_final.weight"].shape[0] // 64,
             transformer_layers=len({k.split(".")[2] for k in sd if k.startswith("transformer.resblocks.")})).eval()
model.load_state_dict(sd)
size = patch * grid
tf = transforms.Compose([transforms.Resize(size, interpolation=transforms.InterpolationMode.BICUBIC),
                         transforms.CenterCrop(size), transforms.ToTensor(),
                         transforms.Normalize((0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711))])

rng = np.random.default_rng(5)
os.makedirs(f"{OUT}/png", exist_ok=True)
os.makedirs(f"{OUT}/jpg", exist_ok=True)
shapes = [(75, 50), (41, 90), (64, 64), (33, 47)]
for i, (w, h) in enumerate(shapes):
    # smooth gradients plus noise: realistic enough for resampling, small enough to commit
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([(x * 255 / w), (y * 255 / h), ((x + y) * 127 / (w + h))], -1)
    img = np.clip(img + rng.normal(0, 25, img.shape), 0, 255).astype(np.uint8)
    Image.fromarray(img).save(f"{OUT}/png/{i:02d}.png")
    Image.fromarray(img).save(f"{OUT}/jpg/{i:02d}.jpg", quality=90)
for kind in ("png", "jpg"):
    files = sorted(os.listdir(f"{OUT}/{kind}"))
    pixels = torch.stack([tf(Image.open(f"{OUT}/{kind}/{f}").convert("RGB")) for f in files])
    with torch.no_grad():
        np.save(f"{OUT}/{kind}_features.npy", model.encode_image(pixels).numpy())
print("wrote", OUT)
