#!/usr/bin/python3
"""Four-channel JPEGs and the SHA-256 of the RGB pixels PIL decodes from them, for PilCmykTest. Run in this folder
with Debian's python3-pil (Pillow 9.4 on libjpeg62-turbo 2.1.5): /usr/bin/python3 make_fixtures.py > sha256.txt

  adobe.jpg          CMYK as PIL writes it (libjpeg adds the Adobe marker, transform 0; component ids C, M, Y, K)
  no-adobe.jpg       the same without its Adobe marker (libjpeg: plain CMYK)
  no-adobe-ids.jpg   that, with component ids 1-4 as other writers (the JDK's) put them: still plain CMYK to libjpeg
  progressive.jpg    adobe.jpg's image, progressive
  ycck.jpg           adobe.jpg with its Adobe transform set to 2: libjpeg reads its samples as YCCK

One line per file: hex digest, a tab, the file name."""
import hashlib
from PIL import Image

W, H = 61, 37  # odd sizes: no whole MCU rows or columns
img = Image.new("CMYK", (W, H))
px = img.load()
for y in range(H):
    for x in range(W):
        px[x, y] = (255 * x // (W - 1), 255 * y // (H - 1), (x * y * 7) % 256, (40 + 3 * x + 2 * y) % 256)
img.save("adobe.jpg", quality=92)
img.save("progressive.jpg", quality=92, progressive=True)


def segments(b):
    """(marker, segment bytes) up to the first SOS, then (0xDA, the rest)."""
    i = 2
    while i < len(b):
        assert b[i] == 0xFF
        m = b[i + 1]
        if m == 0xDA:
            yield m, b[i:]
            return
        n = (b[i + 2] << 8) | b[i + 3]
        yield m, b[i:i + 2 + n]
        i += 2 + n


data = open("adobe.jpg", "rb").read()
stripped = b"\xff\xd8" + b"".join(s for m, s in segments(data) if not (m == 0xEE and s[4:9] == b"Adobe"))
open("no-adobe.jpg", "wb").write(stripped)

ids = {ord("C"): 1, ord("M"): 2, ord("Y"): 3, ord("K"): 4}
out = b"\xff\xd8"
for m, s in segments(stripped):
    s = bytearray(s)
    if m == 0xC0:  # SOF0: length(2) precision(1) height(2) width(2) count(1), then 3 bytes a component
        for c in range(s[9]):
            s[10 + 3 * c] = ids[s[10 + 3 * c]]
    elif m == 0xDA:  # SOS: length(2) count(1), then 2 bytes a component; the scan data follows
        for c in range(s[4]):
            s[5 + 2 * c] = ids[s[5 + 2 * c]]
    out += bytes(s)
open("no-adobe-ids.jpg", "wb").write(out)

ycck = b"\xff\xd8"
for m, s in segments(data):
    if m == 0xEE and s[4:9] == b"Adobe":  # APP14: length(2) "Adobe"(5) version(2) flags0(2) flags1(2) transform(1)
        s = s[:15] + b"\x02" + s[16:]
    ycck += s
open("ycck.jpg", "wb").write(ycck)

for name in ["adobe.jpg", "no-adobe.jpg", "no-adobe-ids.jpg", "progressive.jpg", "ycck.jpg"]:
    with Image.open(name) as im:
        assert im.mode == "CMYK", name
        assert name != "ycck.jpg" or im.info["adobe_transform"] == 2
        print(hashlib.sha256(im.convert("RGB").tobytes()).hexdigest() + "\t" + name)
