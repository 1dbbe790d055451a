package dev.orchard.store.s3;

/**
 * S3 lists keys in UTF-8 byte order, which is Unicode code point order. Java's {@link String#compareTo} compares
 * UTF-16 units and disagrees for characters outside the Basic Multilingual Plane (emoji, rare CJK).
 */
public final class KeyOrder {

    private KeyOrder() {
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
