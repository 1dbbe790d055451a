package dev.orchard.worker.image;

import java.nio.charset.StandardCharsets;

/**
 * Names the image formats people keep beside their JPEGs that no ImageIO reader here takes, by their signatures, so
 * that such a file is recorded as what it is ("a WebP image, a format Orchard does not read") rather than as "not an
 * image".
 */
final class UnreadFormat {
    /** The formats that are read (through ImageIO and its plugins on the class path). */
    static final String READ = "JPEG, PNG, GIF, BMP, TIFF";

    private UnreadFormat() {
    }

    /** The format {@code bytes} start as, where it is one that is not read; null otherwise. */
    static String of(byte[] bytes) {
        if (starts(bytes, 0, "RIFF") && starts(bytes, 8, "WEBP")) {
            return "WebP";
        }
        if (starts(bytes, 4, "ftyp")) { // ISO base media: HEIF photos (iPhones), AVIF
            String brand = ascii(bytes, 8, 4);
            if (brand.startsWith("avi")) {
                return "AVIF";
            }
            if (brand.startsWith("hei") || brand.startsWith("hev") || brand.equals("mif1") || brand.equals("msf1")) {
                return "HEIF/HEIC";
            }
        }
        if (bytes.length >= 12 && (bytes[0] & 0xff) == 0 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0x0c
                && starts(bytes, 4, "jP  ") || bytes.length >= 4 && (bytes[0] & 0xff) == 0xff
                && (bytes[1] & 0xff) == 0x4f && (bytes[2] & 0xff) == 0xff && (bytes[3] & 0xff) == 0x51) {
            return "JPEG 2000";
        }
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0x0a
                || starts(bytes, 4, "JXL ")) {
            return "JPEG XL";
        }
        return null;
    }

    private static boolean starts(byte[] bytes, int offset, String text) {
        return bytes.length >= offset + text.length() && ascii(bytes, offset, text.length()).equals(text);
    }

    private static String ascii(byte[] bytes, int offset, int length) {
        return bytes.length < offset + length ? "" : new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }
}
