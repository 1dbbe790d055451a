#!/usr/bin/python3
"""GIFs whose first frame is not their whole canvas, and the RGB pixels PIL decodes from them (NAME.rgb, with the size
in NAME.size), for PilGifTest. Run in this folder with Debian's python3-pil (Pillow 9.4): /usr/bin/python3 make_fixtures.py

Each is a 20x15 frame saved by Pillow, then its logical screen and the frame's position patched:
  offset.gif              a 31x23 screen, the frame at (6, 4): the rest is palette entry 0
  offset-transparent.gif  the same with a transparent index (5): the rest is that entry's colour
  past-screen.gif         a 12x10 screen, the frame at (3, 2): the canvas grows to 23x17, as PIL's does"""
import struct
import os
import sys
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pil_gradient import gradient  # noqa: E402

W, H = 20, 15
frame = gradient(W, H)
frame = frame.quantize(colors=64)


def patched(name, screen, position, **save):
    frame.save(name, **save)
    g = bytearray(open(name, "rb").read())
    g[6:10] = struct.pack("<HH", *screen)
    j = 13 + (3 * (2 << (g[10] & 7)) if g[10] & 0x80 else 0)  # past the global colour table
    while g[j] != 0x2C:  # past the extensions, to the image descriptor
        k = j + 2
        while g[k]:
            k += g[k] + 1
        j = k + 1
    g[j + 1:j + 5] = struct.pack("<HH", *position)
    open(name, "wb").write(bytes(g))
    with Image.open(name) as im:
        rgb = im.convert("RGB")
        open(name[:-4] + ".rgb", "wb").write(rgb.tobytes())
        open(name[:-4] + ".size", "w").write("%dx%d\n" % rgb.size)


patched("offset.gif", (31, 23), (6, 4))
patched("offset-transparent.gif", (31, 23), (6, 4), transparency=5)
patched("past-screen.gif", (12, 10), (3, 2))
