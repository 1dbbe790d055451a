package dev.orchard.coordinator.listing;

import dev.orchard.store.Location;
import dev.orchard.store.s3.KeyOrder;
import java.util.Comparator;

/**
 * The order a listing gives paths in, so that "after this path" means the same thing to the lister and to a
 * resumed coordinator: S3 lists keys in UTF-8 byte order (code point order); a local folder is walked depth first
 * with each folder's entries in name (byte, hence code point) order, which is the order of paths compared segment
 * by segment.
 */
public final class ListingOrder {

    private ListingOrder() {
    }

    public static Comparator<String> of(Location.Scheme scheme) {
        return scheme == Location.Scheme.S3 ? ListingOrder::codePoints : ListingOrder::segments;
    }

    static int segments(String a, String b) {
        String[] x = a.split("/", -1);
        String[] y = b.split("/", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = codePoints(x[i], y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    static int codePoints(String a, String b) {
        return KeyOrder.compare(a, b);
    }
}
