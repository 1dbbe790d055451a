#!/usr/bin/python3
"""Reference outputs of torchvision's Resize(R) + CenterCrop(C) on PIL 9.4 (antialiased bilinear), for
PreprocessorPilTest. Run with Debian's python3-pil: /usr/bin/python3 make_fixtures.py (deterministic).
Each case.bin: int32 BE width, height, R, C, then width*height*3 RGB input bytes, then C*C*3 expected bytes."""
import struct
import numpy as np
from PIL import Image

def resize_crop(img, r, c):
    w, h = img.size
    if r == 0:  # no shorter-side resize: straight to c x c, aspect ratio not kept
        return img.resize((c, c), Image.BILINEAR)
    if w <= h:
        ow, oh = r, int(r * h / w)
    else:
        oh, ow = r, int(r * w / h)
    out = img.resize((ow, oh), Image.BILINEAR)
    left = int(round((ow - c) / 2.0))
    top = int(round((oh - c) / 2.0))
    return out.crop((left, top, left + c, top + c))

rng = np.random.default_rng(20261121)
cases = {
    "noise-100x100-r256-c224": (100, 100, 256, 224, "noise"),
    "noise-13x17-r40-c32": (13, 17, 40, 32, "noise"),
    "noise-150x97-r40-c32": (150, 97, 40, 32, "noise"),
    "gradient-333x41-r40-c32": (333, 41, 40, 32, "gradient"),
    "noise-97x400-r40-c32": (97, 400, 40, 32, "noise"),
    "noise-20x300-r0-c32": (20, 300, 0, 32, "noise"),
    # Horizontal shrinks by 4.7x (11 taps: the widest the transposed pass takes) and by 6.25x (15 taps: the direct
    # pass), on images a few rows high so that the fixtures stay small.
    "noise-150x20-r0-c32": (150, 20, 0, 32, "noise"),
    "noise-200x12-r0-c32": (200, 12, 0, 32, "noise"),
    # A crop whose width is not a multiple of 16: Preprocessor transposes columns back in bands of 16, the last one
    # narrower (an upscale, 3 taps).
    "noise-61x45-r52-c40": (61, 45, 52, 40, "noise"),
}
for name, (w, h, r, c, kind) in cases.items():
    if kind == "noise":
        px = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
    else:
        y, x = np.mgrid[0:h, 0:w]
        px = np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x + y) % 256], axis=-1).astype(np.uint8)
    img = Image.fromarray(px, "RGB")
    expected = np.asarray(resize_crop(img, r, c), dtype=np.uint8)
    assert expected.shape == (c, c, 3)
    with open(name + ".bin", "wb") as f:
        f.write(struct.pack(">4i", w, h, r, c))
        f.write(px.tobytes())
        f.write(expected.tobytes())
