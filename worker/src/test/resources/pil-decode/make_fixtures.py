#!/usr/bin/python3
"""SHA-256 of the RGB pixels PIL decodes from shared JPEGs, for PilDecodeTest. Run with Debian's python3-pil
(Pillow 9.4 on libjpeg62-turbo 2.1.5): /usr/bin/python3 make_fixtures.py /path/to/shared > sha256.txt
One line per file: hex digest, a tab, the path relative to the shared folder."""
import glob, hashlib, os, sys
from PIL import Image

shared = sys.argv[1]
files = sorted(glob.glob(os.path.join(shared, "data/fruits360-sample/*/*.jpg")))
files += sorted(glob.glob(os.path.join(shared, "models/testimages/*")))
for f in files:
    with Image.open(f) as img:
        rgb = img.convert("RGB")  # no EXIF transpose: the files used here have none to apply
        print(hashlib.sha256(rgb.tobytes()).hexdigest() + "\t" + os.path.relpath(f, shared))
