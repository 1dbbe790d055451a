package dev.orchard.store.s3;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * One page of a ListObjectsV2 answer: the objects (key, size, ETag), the "folders" (common prefixes, with a delimiter) and
 * whether more follow.
 *
 * <p>Orchard asks with {@code encoding-type=url}: XML 1.0 cannot carry most control characters, and an XML parser
 * turns a CR in a key into LF, so keys are only exact URL-encoded. A server that ignores the parameter does not echo
 * {@code <EncodingType>url</EncodingType>}, and its keys are then taken as they are.
 */
record ListPage(List<Entry> objects, List<String> folders, boolean truncated) {

    /**
     * @param eTag the object's version: its ETag as listed (quotes kept, as HEAD gives it); where the server sent none,
     *             its LastModified ({@code "modified 2026-12-06T05:37:14.000Z"}: an S3-compatible server that serves
     *             files put on its disk lists no ETag, and an image rewritten with the same size went unseen by
     *             --update, a user's walk); null if it sent neither
     */
    record Entry(String key, long size, String eTag) {
    }

    private static final XMLInputFactory XML = xmlFactory();

    /** The last key or folder of the page, in S3's (UTF-8 byte) order. */
    String last() {
        String lastObject = objects.isEmpty() ? null : objects.get(objects.size() - 1).key();
        String lastFolder = folders.isEmpty() ? null : folders.get(folders.size() - 1);
        if (lastObject == null || lastFolder == null) {
            return lastObject != null ? lastObject : lastFolder;
        }
        return KeyOrder.compare(lastObject, lastFolder) > 0 ? lastObject : lastFolder;
    }

    /** This page without what sorts at or before {@code key}. */
    ListPage after(String key) {
        return new ListPage(objects.stream().filter(o -> KeyOrder.compare(o.key(), key) > 0).toList(),
                folders.stream().filter(f -> KeyOrder.compare(f, key) > 0).toList(), truncated);
    }

    /** A page of 1,000 keys is ~300 KB of XML; a body larger than this is not a listing page. */
    static final int MAX_PAGE_BYTES = 64 << 20;

    static ListPage parse(InputStream body) throws IOException {
        byte[] xml = body.readNBytes(MAX_PAGE_BYTES + 1);
        if (xml.length > MAX_PAGE_BYTES) {
            throw new IOException("Unreadable ListObjectsV2 answer: over " + MAX_PAGE_BYTES + " bytes");
        }
        Reader reader = new Reader();
        if (!ListingXml.scan(xml, reader)) {
            reader = new Reader();
            readWithStax(xml, reader);
        }
        return reader.page();
    }

    /** The page as the JDK's StAX parser reads it: what {@link ListingXml} leaves to it, and its tests' reference. */
    static ListPage parseWithStax(byte[] xml) throws IOException {
        Reader reader = new Reader();
        readWithStax(xml, reader);
        return reader.page();
    }

    private static void readWithStax(byte[] body, Reader reader) throws IOException {
        try {
            XMLStreamReader xml = XML.createXMLStreamReader(new java.io.ByteArrayInputStream(body));
            try {
                while (xml.hasNext()) {
                    int event = xml.next();
                    if (event == XMLStreamConstants.START_ELEMENT) {
                        String name = xml.getLocalName();
                        reader.start(name);
                        if (reader.wantsText(name)) {
                            reader.text(name, xml.getElementText()); // ends the element: nothing else needs its end
                        }
                    } else if (event == XMLStreamConstants.END_ELEMENT) {
                        reader.end(xml.getLocalName());
                    }
                }
            } finally {
                xml.close();
            }
        } catch (XMLStreamException e) {
            throw new IOException("Unreadable ListObjectsV2 answer: " + e.getMessage(), e);
        }
    }

    /**
     * What a page's elements mean, as either parser reports them: objects ({@code Contents}: Key, Size, ETag), folders
     * ({@code CommonPrefixes}: Prefix), {@code IsTruncated} and {@code EncodingType}.
     */
    static final class Reader {
        private final List<Entry> objects = new ArrayList<>();
        private final List<String> folders = new ArrayList<>();
        private boolean truncated;
        private boolean urlEncoded;
        private String key;
        private long size;
        private String eTag;
        private String lastModified;
        private boolean inContents;
        private boolean inFolder;
        private String failure;

        void start(String name) {
            switch (name) {
                case "Contents" -> {
                    inContents = true;
                    key = null;
                    size = 0;
                    eTag = null;
                    lastModified = null;
                }
                case "CommonPrefixes" -> inFolder = true;
                default -> {
                }
            }
        }

        /** Whether the element's text matters here (then it must hold text only). */
        boolean wantsText(String name) {
            return switch (name) {
                case "Key", "ETag", "Size", "LastModified" -> inContents;
                case "Prefix" -> inFolder;
                case "IsTruncated", "EncodingType" -> true;
                default -> false;
            };
        }

        void text(String name, String text) {
            switch (name) {
                case "Key" -> key = text;
                case "ETag" -> eTag = text.trim();
                case "LastModified" -> lastModified = text.trim();
                case "Size" -> {
                    try {
                        size = Long.parseLong(text.trim());
                    } catch (NumberFormatException e) {
                        failure = failure != null ? failure : "Size " + e.getMessage();
                    }
                }
                case "Prefix" -> folders.add(text);
                case "IsTruncated" -> truncated = Boolean.parseBoolean(text.trim());
                case "EncodingType" -> urlEncoded = "url".equalsIgnoreCase(text.trim());
                default -> {
                }
            }
        }

        void end(String name) {
            if (name.equals("Contents")) {
                objects.add(new Entry(key, size, eTag != null && !eTag.isEmpty() ? eTag
                        : lastModified != null && !lastModified.isEmpty() ? "modified " + lastModified : null));
                inContents = false;
            } else if (name.equals("CommonPrefixes")) {
                inFolder = false;
            }
        }

        ListPage page() throws IOException {
            if (failure != null) {
                throw new IOException("Unreadable ListObjectsV2 answer: " + failure);
            }
            if (urlEncoded) {
                try {
                    objects.replaceAll(o -> new Entry(urlDecode(o.key()), o.size(), o.eTag()));
                    folders.replaceAll(ListPage::urlDecode);
                } catch (IllegalArgumentException e) {
                    throw new IOException("Unreadable ListObjectsV2 answer: a key is not URL-encoded as asked ("
                            + e.getMessage() + ")", e);
                }
            }
            if (objects.stream().anyMatch(o -> o.key() == null)) {
                throw new IOException("Unreadable ListObjectsV2 answer: an object without a key");
            }
            if (truncated && objects.isEmpty() && folders.isEmpty()) {
                throw new IOException("Unreadable ListObjectsV2 answer: truncated, but empty");
            }
            return new ListPage(objects, folders, truncated);
        }
    }

    /**
     * A key as S3 lists it under {@code encoding-type=url}, decoded: "+" is a space, "%XY" a byte of the key's UTF-8.
     * Written out because the SDK's way (the JDK's URLDecoder, per key of every listing page) cost ~0.2-0.6 s of
     * optimising-compiler time per job whose keys have a space (bench/README.md); SigV4Test compares the two on random
     * keys. What S3 does not send (a '%' without two hex digits, a character outside ASCII) goes to the SDK's decoder,
     * which rejects or decodes it as before.
     */
    static String urlDecode(String key) {
        if (key == null || key.indexOf('%') < 0 && key.indexOf('+') < 0) {
            return key;
        }
        int length = key.length();
        byte[] bytes = new byte[length];
        int n = 0;
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (c == '+') {
                bytes[n++] = ' ';
            } else if (c == '%') {
                int high = i + 2 < length ? Character.digit(key.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(key.charAt(i + 2), 16);
                if (low < 0) {
                    return SdkHttpUtils.urlDecode(key);
                }
                bytes[n++] = (byte) (high << 4 | low);
                i += 2;
            } else if (c < 0x80) {
                bytes[n++] = (byte) c;
            } else {
                return SdkHttpUtils.urlDecode(key);
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    private static XMLInputFactory xmlFactory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false); // no entities, no external anything
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        return factory;
    }
}
