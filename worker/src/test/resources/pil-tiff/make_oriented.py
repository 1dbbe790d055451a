#!/usr/bin/python3
"""TIFFs with an orientation tag (274), which PIL applies as it loads a TIFF (TiffImagePlugin.load_end), and the RGB
pixels PIL decodes from them (NAME.rgb), for PilTiffTest. Run in this folder with Debian's python3-pil (Pillow 9.4):
/usr/bin/python3 make_oriented.py

  oriented-6.tif  23x17 stored, orientation 6 (turn 90 degrees clockwise), LZW (PIL decodes it through libtiff)
  oriented-3.tif  orientation 3 (turn 180 degrees), uncompressed (PIL's own decoder)
  oriented-5.tif  orientation 5 (transpose), uncompressed"""
import os
import sys
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from pil_gradient import gradient  # noqa: E402

W, H = 23, 17
rgb = gradient(W, H)
for orientation, compression in [(6, "tiff_lzw"), (3, None), (5, None)]:
    name = "oriented-%d.tif" % orientation
    rgb.save(name, tiffinfo={274: orientation}, compression=compression)
    with Image.open(name) as im:
        assert im.tag_v2[274] == orientation, name
        upright = im.convert("RGB")
        assert upright.size == ((H, W) if orientation >= 5 else (W, H)), (name, upright.size)
        open(name[:-4] + ".rgb", "wb").write(upright.tobytes())
