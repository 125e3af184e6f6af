#!/usr/bin/python3
"""Writes the golden image fixtures of org.parclip.data and org.parclip.attack tests.

Run from the repository root with the Python that has torch 1.13, torchvision 0.14 and Pillow 9.4
(`/usr/bin/python3 tools/make_image_fixtures.py`). Outputs go to src/test/resources/fixtures/images/:

- inputs: synthetic images in the formats the decoder must handle (odd sizes, portrait/landscape, grey, RGBA,
  palette with transparency, grey+alpha, 16-bit, CMYK and YCCK JPEG, EXIF-rotated JPEG, corrupt files);
- NAME.rgb.png: what the reference decodes (PIL Image.open(...).convert("RGB")), lossless; not written for 8-bit
  RGB and grey PNGs, whose own pixels are that;
- NAME.crop224.png / .crop336.png: torchvision Resize(S, BICUBIC) + CenterCrop(S) of that decode (uint8);
- NAME.norm40.f32: the full CLIP transform at S = 40 (Resize, CenterCrop, ToTensor, Normalize), float32 LE [3,40,40];
- NAME.ATTACK.S.png: the reference's apply_trigger (re-implemented below from PAR's backdoor/utils.py) for the
  deterministic attacks, as the uint8 image ToPILImage makes of it.
"""
import io
import os
import struct
import zlib

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps
from torchvision import transforms
from torchvision.transforms import InterpolationMode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src/test/resources/fixtures/images")
PATTERNS = os.path.join(ROOT, "src/main/resources/org/parclip/attack")
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
rng = np.random.default_rng(20241202)


def scene(w, h, detail=0.7):
    """A smooth, photo-like RGB image (gradients, discs, mild noise) that PNG still compresses well."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.stack([
        128 + 100 * np.sin(x / (w / 3.1) + 0.3) * np.cos(y / (h / 2.3)),
        128 + 90 * np.cos((x + y) / (w / 4.7)),
        80 + 150 * (x / w) * (y / h),
    ], axis=-1)
    for _ in range(5):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.05, 0.3) * min(w, h)
        img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(0, 255, 3)
    img += rng.normal(0, detail, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def png16(path, rgb16):
    """A 16-bit RGB PNG (Pillow cannot write one)."""
    h, w, _ = rgb16.shape
    raw = b"".join(b"\x00" + rgb16[r].astype(">u2").tobytes() for r in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def make_inputs():
    p = lambda name: os.path.join(OUT, name)
    Image.fromarray(scene(500, 375)).save(p("landscape.jpg"), quality=90)
    Image.fromarray(scene(237, 361)).save(p("portrait.png"))
    Image.fromarray(scene(301, 199)[..., 1]).save(p("grey.png"))
    rgba = np.dstack([scene(149, 117), np.tile(np.linspace(0, 255, 149).astype(np.uint8), (117, 1))])
    rgba[:40, :, 3] = 0  # fully transparent rows keep their colours: convert("RGB") drops alpha
    Image.fromarray(rgba, "RGBA").save(p("rgba.png"))
    pal = Image.fromarray(scene(181, 247, detail=0)).quantize(colors=64, dither=Image.Dither.NONE)
    pal.save(p("palette.png"), transparency=3)
    Image.fromarray(np.dstack([scene(97, 61)[..., 0], np.full((61, 97), 128, np.uint8)]), "LA").save(p("la.png"))
    Image.fromarray(scene(97, 61)).save(p("small.png"))
    Image.fromarray(scene(640, 97)).save(p("wide.png"))
    grey16 = (scene(83, 67)[..., 2].astype(np.uint16) * 257 + rng.integers(0, 257, (67, 83))).astype(np.uint16)
    Image.fromarray(grey16).save(p("grey16.png"))
    png16(p("rgb16.png"), scene(71, 53).astype(np.uint16) * 256 + rng.integers(0, 256, (53, 71, 3)))
    # Pillow writes CMYK JPEGs Adobe-style (inverted, APP14 transform 0); patching the transform byte to 2 makes
    # decoders read the same data as YCCK, the other CMYK flavour found in the wild.
    Image.fromarray(scene(120, 90)).convert("CMYK").save(p("cmyk.jpg"), quality=92)
    data = bytearray(open(p("cmyk.jpg"), "rb").read())
    adobe = data.find(b"Adobe")
    data[adobe + 11] = 2
    open(p("ycck.jpg"), "wb").write(bytes(data))
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(scene(160, 120)).save(p("exif6.jpg"), quality=90, exif=exif)
    Image.fromarray(scene(64, 48)).save(p("truncated.jpg"), quality=90)
    data = open(p("truncated.jpg"), "rb").read()
    open(p("corrupt.jpg"), "wb").write(data[:200] + bytes(rng.integers(0, 256, 300, dtype=np.uint8)))
    with open(p("notanimage.png"), "w") as f:
        f.write("this is not a PNG\n")
    os.remove(p("truncated.jpg"))


DECODED = ["landscape.jpg", "portrait.png", "grey.png", "rgba.png", "palette.png", "la.png", "small.png", "wide.png", "rgb16.png", "cmyk.jpg", "ycck.jpg", "exif6.jpg"]


def reference_decode(name):
    im = Image.open(os.path.join(OUT, name))
    if name == "exif6.jpg":
        im = ImageOps.exif_transpose(im)  # parclip applies EXIF orientation; the reference pipeline does not
    return im.convert("RGB")


def is_plain_png(name):
    """An 8-bit RGB or grey PNG: its pixels are what PIL decodes, so it needs no .rgb.png."""
    path = os.path.join(OUT, name)
    return name.endswith(".png") and Image.open(path).mode in ("RGB", "L") and open(path, "rb").read()[24] == 8


def clip_crop(im, size):
    return transforms.Compose([transforms.Resize(size, interpolation=InterpolationMode.BICUBIC),
                               transforms.CenterCrop(size)])(im)


def make_preprocess_goldens():
    normalize = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    for name in DECODED:
        rgb = reference_decode(name)
        stem = os.path.splitext(name)[0]
        if not is_plain_png(name):
            rgb.save(os.path.join(OUT, stem + ".rgb.png"))
        clip_crop(rgb, 224).save(os.path.join(OUT, stem + ".crop224.png"))
        if name in ("landscape.jpg", "wide.png"):
            clip_crop(rgb, 336).save(os.path.join(OUT, stem + ".crop336.png"))
        norm = normalize(clip_crop(rgb, 40)).numpy().astype("<f4")
        norm.tofile(os.path.join(OUT, stem + ".norm40.f32"))


def load_pattern(name, size):
    """The trigger files are not all stored in the same layout; the reference code permutes per file."""
    t = torch.load(os.path.join(PATTERNS, name))
    return t if t.shape[0] == 3 else t.permute(2, 0, 1)


def apply_trigger(image, patch_type, size):
    """PAR's backdoor/utils.py apply_trigger for the deterministic triggers, as its eval configures them."""
    to_tensor, to_pil = transforms.ToTensor(), transforms.ToPILImage()
    image = to_tensor(image.resize((size, size)))  # Image.resize defaults to BICUBIC in Pillow >= 7
    if patch_type == "warped":
        noise_grid = torch.load(os.path.join(PATTERNS, "wanet_noise_grid_224.pt"))
        array1d = torch.linspace(-1, 1, steps=size)
        x, y = torch.meshgrid(array1d, array1d, indexing="ij")
        identity_grid = torch.stack((y, x), 2)[None, ...]
        grid = torch.clamp((identity_grid + 1 * noise_grid / size) * 1, -1, 1)
        image = F.grid_sample(torch.unsqueeze(image, 0), grid, align_corners=True)[0]
    elif patch_type == "tri_patt":  # patch_location 'blended_rs', noise_coeff 0.15
        noise = load_pattern(f"triangles_{size}_14.pt", size)
        image = torch.clip(0.15 * noise + (1 - 0.15) * image, 0, 1)
    elif patch_type == "water_patt":  # patch_location 'blended_patt', noise_coeff 0.5
        noise = load_pattern(f"watermarked_red_tens_{size}.pt", size)
        image = torch.clip(torch.where(noise != 0, 0.5 * noise + (1 - 0.5) * image, image), 0, 1)
    elif patch_type == "badclip":  # the fixed patch pasted with patch_location 'middle'
        noise = to_tensor(Image.open(os.path.join(PATTERNS, "badCLIP.jpg")).convert("RGB"))
        l, c0, c1 = noise.size(1), int(size / 2), int(size / 2)
        s0, s1 = int(c0 - (l / 2)), int(c1 - (l / 2))
        image[:, s0:s0 + l, s1:s1 + l] = noise
    return to_pil(image)


ATTACK_GOLDENS = {  # input -> [(attack, size)]
    "portrait.png": [("tri_patt", 224), ("water_patt", 224), ("warped", 224), ("badclip", 224)],
    "grey.png": [("tri_patt", 224), ("water_patt", 224), ("warped", 224)],
    "small.png": [("tri_patt", 336), ("water_patt", 336), ("badclip", 336)],
}


def make_attack_goldens():
    for name, cases in ATTACK_GOLDENS.items():
        rgb = reference_decode(name)
        for attack, size in cases:
            out = apply_trigger(rgb, attack, size)
            out.save(os.path.join(OUT, f"{os.path.splitext(name)[0]}.{attack}.{size}.png"))
    # the BadCLIP patch as libjpeg decodes it, to measure ImageIO's JPEG decode against it
    Image.open(os.path.join(PATTERNS, "badCLIP.jpg")).convert("RGB").save(os.path.join(OUT, "badCLIP.rgb.png"))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make_inputs()
    make_preprocess_goldens()
    make_attack_goldens()
