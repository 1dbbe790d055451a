package dev.orchard.worker.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import org.w3c.dom.Node;

/**
 * A GIF's first frame where PIL puts it: on the GIF's canvas (its logical screen, widened to the frame if the frame
 * reaches past it), at the frame's offset. The JDK's reader returns the frame alone, at its own size: a GIF whose first
 * frame was 200×150 at (60, 40) of a 300×250 screen became a row 0.88 (cosine) from PIL's (a user's walk). Outside the
 * frame the canvas holds what Pillow 9.4 fills it with ({@code GifImagePlugin.load_prepare}): palette entry 0, or the
 * frame's transparent index when it has one (taken as its colour, since {@code convert("RGB")} drops transparency),
 * from the frame's palette, its own or else the global one.
 */
final class GifCanvas {
    private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
    private static final String IMAGE_FORMAT = "javax_imageio_gif_image_1.0";

    private final int width;
    private final int height;
    private final int left;
    private final int top;
    private final int fillIndex;
    private final boolean hasPalette;

    private GifCanvas(int width, int height, int left, int top, int fillIndex, boolean hasPalette) {
        this.width = width;
        this.height = height;
        this.left = left;
        this.top = top;
        this.fillIndex = fillIndex;
        this.hasPalette = hasPalette;
    }

    /**
     * The canvas of the first frame of the GIF {@code reader} reads, or null where the frame is the whole canvas (nearly
     * every GIF) or the reader is not the GIF reader.
     */
    static GifCanvas of(ImageReader reader) throws IOException {
        if (!"gif".equalsIgnoreCase(reader.getFormatName())) {
            return null; // no other format's metadata is parsed for it (a PNG's walks all its chunks)
        }
        IIOMetadata stream = reader.getStreamMetadata();
        IIOMetadata image = reader.getImageMetadata(0);
        if (stream == null || image == null || !STREAM_FORMAT.equals(stream.getNativeMetadataFormatName())
                || !IMAGE_FORMAT.equals(image.getNativeMetadataFormatName())) {
            return null;
        }
        Node streamTree = stream.getAsTree(STREAM_FORMAT);
        Node imageTree = image.getAsTree(IMAGE_FORMAT);
        IIOMetadataNode screen = child(streamTree, "LogicalScreenDescriptor");
        IIOMetadataNode frame = child(imageTree, "ImageDescriptor");
        if (screen == null || frame == null) {
            return null;
        }
        int left = number(frame, "imageLeftPosition");
        int top = number(frame, "imageTopPosition");
        int width = Math.max(number(screen, "logicalScreenWidth"), left + number(frame, "imageWidth"));
        int height = Math.max(number(screen, "logicalScreenHeight"), top + number(frame, "imageHeight"));
        if (left == 0 && top == 0 && width == number(frame, "imageWidth") && height == number(frame, "imageHeight")) {
            return null;
        }
        IIOMetadataNode control = child(imageTree, "GraphicControlExtension");
        int fill = control != null && "TRUE".equalsIgnoreCase(control.getAttribute("transparentColorFlag"))
                ? number(control, "transparentColorIndex") : 0;
        boolean palette = child(imageTree, "LocalColorTable") != null || child(streamTree, "GlobalColorTable") != null;
        return new GifCanvas(width, height, left, top, fill, palette);
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** {@code frame} (the reader's first frame, decoded to RGB) on the canvas; {@code decoded} gives its palette. */
    RgbImage place(RgbImage frame, BufferedImage decoded) {
        int colour;
        if (!hasPalette) {
            colour = fillIndex * 0x010101; // PIL reads a GIF without a palette as grey levels ("L")
        } else if (decoded.getColorModel() instanceof IndexColorModel palette && fillIndex < palette.getMapSize()) {
            colour = palette.getRGB(fillIndex) & 0xffffff;
        } else {
            colour = 0;
        }
        // The frame as decoded, should it differ from its descriptor's size (a damaged file): never past the canvas.
        int canvasWidth = Math.max(width, left + frame.width());
        int canvasHeight = Math.max(height, top + frame.height());
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(canvasWidth, canvasHeight), 3)];
        byte r = (byte) (colour >> 16);
        byte g = (byte) (colour >> 8);
        byte b = (byte) colour;
        for (int i = 0; i < rgb.length; i += 3) {
            rgb[i] = r;
            rgb[i + 1] = g;
            rgb[i + 2] = b;
        }
        int rowBytes = frame.width() * 3;
        for (int y = 0; y < frame.height(); y++) {
            System.arraycopy(frame.rgb(), y * rowBytes, rgb, ((top + y) * canvasWidth + left) * 3, rowBytes);
        }
        return new RgbImage(canvasWidth, canvasHeight, rgb);
    }

    private static IIOMetadataNode child(Node parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (name.equals(n.getNodeName())) {
                return (IIOMetadataNode) n;
            }
        }
        return null;
    }

    private static int number(IIOMetadataNode node, String attribute) {
        try {
            return Integer.parseInt(node.getAttribute(attribute));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
