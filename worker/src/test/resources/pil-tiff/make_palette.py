#!/usr/bin/python3
"""Palette TIFFs (PhotometricInterpretation 3) whose 16-bit colour map holds each colour as value * 256, as Pillow
writes one, and the RGB pixels PIL decodes from them (NAME.rgb), for PilTiffTest. PIL takes a colour map entry's high
byte (value // 256, TiffImagePlugin._setup); the JDK's reader scales it (value * 255 // 65535), a level lower for most
colours. Run in this folder with Debian's python3-pil (Pillow 9.4): /usr/bin/python3 make_palette.py

  palette.tif   8-bit palette of 200 colours, saved by Pillow (the 23x17 gradient of make_fixtures.py, quantised)
  palette4.tif  4-bit palette of 16 colours, written here field by field (Pillow saves only 8-bit palettes), with
                rows of odd width padded to a byte, uncompressed (PIL's own decoder, rawmode P;4)"""
import struct
import os
import sys
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pil_gradient import gradient  # noqa: E402

W, H = 23, 17
rgb = gradient(W, H)
rgb.quantize(colors=200).save("palette.tif")

colours = [((37 * i + 11) % 256, (91 * i + 200) % 256, 255 - 16 * i) for i in range(16)]
row_bytes = (W + 1) // 2
pixels = bytearray()
for y in range(H):
    row = [(x + 3 * y) % 16 for x in range(W)] + [0]
    pixels += bytes((row[2 * i] << 4) | row[2 * i + 1] for i in range(row_bytes))
colour_map = [c[0] * 256 for c in colours] + [c[1] * 256 for c in colours] + [c[2] * 256 for c in colours]
entries = [(256, 3, 1, W), (257, 3, 1, H), (258, 3, 1, 4), (259, 3, 1, 1), (262, 3, 1, 3), (273, 4, 1, None),
           (277, 3, 1, 1), (278, 3, 1, H), (279, 4, 1, len(pixels)), (320, 3, len(colour_map), None)]
ifd_size = 2 + 12 * len(entries) + 4
map_at = 8 + ifd_size
pixels_at = map_at + 2 * len(colour_map)
ifd = struct.pack("<H", len(entries))
for tag, kind, count, value in entries:
    if tag == 273:
        value = pixels_at
    if tag == 320:
        ifd += struct.pack("<HHII", tag, kind, count, map_at)
    elif kind == 3:
        ifd += struct.pack("<HHIHH", tag, kind, count, value, 0)
    else:
        ifd += struct.pack("<HHII", tag, kind, count, value)
ifd += struct.pack("<I", 0)
with open("palette4.tif", "wb") as f:
    f.write(b"II*\0" + struct.pack("<I", 8) + ifd + struct.pack("<%dH" % len(colour_map), *colour_map) + pixels)

for name, bits in [("palette.tif", 8), ("palette4.tif", 4)]:
    with Image.open(name) as im:
        assert im.mode == "P" and im.tag_v2[262] == 3 and im.tag_v2[258] == (bits,), name
        assert all(v % 256 == 0 for v in im.tag_v2[320]), name + ": a colour map of value * 256"
        assert im.size == (W, H), name
        open(name[:-4] + ".rgb", "wb").write(im.convert("RGB").tobytes())
