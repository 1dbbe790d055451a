#!/usr/bin/python3
"""TIFFs whose pixels PIL takes as they are stored, and the SHA-256 of the RGB pixels PIL decodes from them, for
PilTiffTest. Run in this folder with Debian's python3-pil (Pillow 9.4): /usr/bin/python3 make_fixtures.py > sha256.txt

  rgb-icc.tif     8-bit RGB with an embedded ICC profile (a linear-gamma RGB one, written below): PIL does not apply it
  rgba-icc.tif    the same with an alpha channel (unassociated): PIL's convert("RGB") drops it
  cmyk.tif        8-bit CMYK (PhotometricInterpretation 5): PIL's cmyk2rgb, nk = 255 - K, R = nk - MULDIV255(C, nk)
  gray-icc.tif    8-bit grey with the profile: taken as it is
  cmyk-rgb-icc.tif  cmyk.tif with the RGB profile (a malformed file: PIL ignores the profile, as for any)

and, with ImageMagick (convert), TIFFs whose pixels PIL converts itself, with PIL's RGB pixels beside them (.rgb):
  ycbcr.tif       YCbCr (PhotometricInterpretation 6, deflate): the JDK's reader converts to RGB, ±1 of PIL's
  lab.tif         CIELab (PhotometricInterpretation 8): the JDK's reader converts, a few levels from PIL's
and with Pillow:
  cmyk-jpeg.tif   CMYK, JPEG-compressed: the JDK's reader decodes it wrongly (Orchard refuses it)
  lab-icc.tif     CIELab as Pillow saves it, with an abstract Lab profile the JDK's reader converts through (refused)

The profile is made here, so no third party's profile is copied: ICC v2, display class, RGB to XYZ, the sRGB
primaries adapted to D50 and a gamma of 1.0 (a linear RGB space, whose conversion to sRGB moves every mid-tone).
One line per file: hex digest, a tab, the file name."""
import hashlib
import os
import struct
import subprocess
import sys
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pil_gradient import gradient  # noqa: E402


def s15(v):
    return struct.pack(">i", int(round(v * 65536)))


def xyz(x, y, z):
    return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)


def text(s):
    return b"text" + b"\0" * 4 + s.encode("ascii") + b"\0"


def desc(s):
    ascii = s.encode("ascii") + b"\0"
    return (b"desc" + b"\0" * 4 + struct.pack(">I", len(ascii)) + ascii
            + b"\0" * 8 + b"\0" * 3 + b"\0" * 67)  # no Unicode, no ScriptCode description


gamma_one = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", 0x0100) + b"\0\0"
tags = [(b"desc", desc("Orchard test: linear RGB")), (b"cprt", text("No copyright, use freely")),
        (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)), (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", gamma_one), (b"gTRC", gamma_one), (b"bTRC", gamma_one)]
offset = 128 + 4 + 12 * len(tags)
table, data = b"", b""
for sig, body in tags:
    while (offset + len(data)) % 4:
        data += b"\0"
    table += sig + struct.pack(">II", offset + len(data), len(body))
    data += body
size = offset + len(data)
header = (struct.pack(">I", size) + b"none" + struct.pack(">I", 0x02100000) + b"mntr" + b"RGB " + b"XYZ "
          + b"\0" * 12 + b"acsp" + b"\0" * 4 + b"\0" * 4 + b"\0" * 4 + b"\0" * 4 + b"\0" * 8 + struct.pack(">I", 0)
          + s15(0.9642) + s15(1.0) + s15(0.8249) + b"none" + b"\0" * 44)
assert len(header) == 128
profile = header + struct.pack(">I", len(tags)) + table + data

W, H = 23, 17
rgb = gradient(W, H)
rgb.save("rgb-icc.tif", icc_profile=profile)
rgba = rgb.copy()
rgba.putalpha(Image.linear_gradient("L").resize((W, H)))
rgba.save("rgba-icc.tif", icc_profile=profile)
rgb.convert("L").save("gray-icc.tif", icc_profile=profile)
cmyk = Image.new("CMYK", (W, H))
px = cmyk.load()
for y in range(H):
    for x in range(W):
        px[x, y] = (255 * x // (W - 1), 255 * y // (H - 1), (x * y * 7) % 256, (40 + 3 * x + 2 * y) % 256)
cmyk.save("cmyk.tif")
cmyk.save("cmyk-rgb-icc.tif", icc_profile=profile)

plain = rgb.copy()
plain.save("plain.png")
subprocess.run(["convert", "plain.png", "-colorspace", "YCbCr", "-compress", "zip", "ycbcr.tif"], check=True)
subprocess.run(["convert", "plain.png", "-colorspace", "Lab", "-compress", "none", "lab.tif"], check=True)
os.remove("plain.png")
cmyk.save("cmyk-jpeg.tif", compression="jpeg")
rgb.convert("LAB").save("lab-icc.tif")
with Image.open("lab-icc.tif") as im:
    assert im.tag_v2[262] == 8 and im.info.get("icc_profile"), "Pillow saves LAB with a profile"
for name in ["ycbcr.tif", "lab.tif"]:
    with Image.open(name) as im:
        assert im.tag_v2[262] == (6 if name == "ycbcr.tif" else 8), name
        open(name[:-4] + ".rgb", "wb").write(im.convert("RGB").tobytes())

for name in ["rgb-icc.tif", "rgba-icc.tif", "cmyk.tif", "gray-icc.tif", "cmyk-rgb-icc.tif"]:
    with Image.open(name) as im:
        assert name == "cmyk.tif" or len(im.info.get("icc_profile", b"")) == size, name
        print(hashlib.sha256(im.convert("RGB").tobytes()).hexdigest() + "\t" + name)
