package dev.orchard.store.s3;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The pages of one ListObjectsV2 listing, each asked for only when the consumer wants it: nothing holds more than a
 * page (1,000 keys) at a time, however many keys the prefix has.
 *
 * <p>Each page starts after the last key or folder of the one before ({@code start-after}), not at S3's continuation
 * token: S3 returns that token as it is, S3Proxy URL-encodes it under {@code encoding-type=url}, and no client can
 * tell the two apart. After a folder, a server may repeat it; what sorts at or before the last entry is dropped.
 */
final class Pages implements Iterable<ListPage> {

    private final S3Requests s3;
    private final String bucket;
    private final String prefix;
    private final String delimiter;

    /** @param delimiter "/" for a listing by "folders", {@code null} for every key below the prefix */
    Pages(S3Requests s3, String bucket, String prefix, String delimiter) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.delimiter = delimiter;
    }

    @Override
    public Iterator<ListPage> iterator() {
        return new Iterator<>() {
            private ListPage pending;
            private String last;
            private boolean done;

            @Override
            public boolean hasNext() {
                while (pending == null && !done) {
                    ListPage page = s3.listObjects(bucket, prefix, delimiter, last, 0);
                    String pageLast = page.last();
                    if (last != null) {
                        page = page.after(last);
                    }
                    if (page.truncated() && (pageLast == null || last != null && KeyOrder.compare(pageLast, last) <= 0)) {
                        // Never stop early on a page that does not move on: that would lose keys without a word.
                        throw SdkClientException.create("The S3 server answered the same page of ListObjectsV2 twice "
                                + "(it ignores start-after) listing s3://" + bucket + "/" + prefix);
                    }
                    done = !page.truncated();
                    last = pageLast;
                    if (!page.objects().isEmpty() || !page.folders().isEmpty()) {
                        pending = page;
                    }
                }
                return pending != null;
            }

            @Override
            public ListPage next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ListPage page = pending;
                pending = null;
                return page;
            }
        };
    }

    Stream<ListPage> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }
}
