"""The picture the PIL fixture scripts start from (pil-tiff/, pil-gif/): red rising to the right, green downwards,
blue a product pattern, so that every pixel differs from its neighbours in some channel."""
from PIL import Image


def gradient(w, h):
    """A w x h RGB image of the gradient."""
    rgb = Image.new("RGB", (w, h))
    px = rgb.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = (255 * x // (w - 1), 255 * y // (h - 1), (x * y * 7) % 256)
    return rgb
