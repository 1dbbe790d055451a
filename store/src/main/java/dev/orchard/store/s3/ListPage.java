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

    /** @param eTag the object's ETag as listed (quotes kept, as HEAD gives it), or null if the server sent none */
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

    static ListPage parse(InputStream body) throws IOException {
        List<Entry> objects = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        boolean truncated = false;
        boolean urlEncoded = false;
        try {
            XMLStreamReader xml = XML.createXMLStreamReader(body);
            try {
                String key = null;
                long size = 0;
                String eTag = null;
                boolean inContents = false;
                boolean inFolder = false;
                while (xml.hasNext()) {
                    if (xml.next() != XMLStreamConstants.START_ELEMENT) {
                        if (xml.getEventType() == XMLStreamConstants.END_ELEMENT && xml.getLocalName().equals("Contents")) {
                            objects.add(new Entry(key, size, eTag));
                            inContents = false;
                        } else if (xml.getEventType() == XMLStreamConstants.END_ELEMENT
                                && xml.getLocalName().equals("CommonPrefixes")) {
                            inFolder = false;
                        }
                        continue;
                    }
                    switch (xml.getLocalName()) {
                        case "Contents" -> {
                            inContents = true;
                            key = null;
                            size = 0;
                            eTag = null;
                        }
                        case "CommonPrefixes" -> inFolder = true;
                        case "Key" -> key = inContents ? xml.getElementText() : key;
                        case "ETag" -> {
                            if (inContents) {
                                eTag = xml.getElementText().trim();
                            }
                        }
                        case "Size" -> {
                            if (inContents) {
                                size = Long.parseLong(xml.getElementText().trim());
                            }
                        }
                        case "Prefix" -> {
                            if (inFolder) {
                                folders.add(xml.getElementText());
                            }
                        }
                        case "IsTruncated" -> truncated = Boolean.parseBoolean(xml.getElementText().trim());
                        case "EncodingType" -> urlEncoded = "url".equalsIgnoreCase(xml.getElementText().trim());
                        default -> {
                        }
                    }
                }
            } finally {
                xml.close();
            }
        } catch (XMLStreamException | NumberFormatException e) {
            throw new IOException("Unreadable ListObjectsV2 answer: " + e.getMessage(), e);
        }
        if (urlEncoded) {
            objects.replaceAll(o -> new Entry(urlDecode(o.key()), o.size(), o.eTag()));
            folders.replaceAll(ListPage::urlDecode);
        }
        if (objects.stream().anyMatch(o -> o.key() == null)) {
            throw new IOException("Unreadable ListObjectsV2 answer: an object without a key");
        }
        if (truncated && objects.isEmpty() && folders.isEmpty()) {
            throw new IOException("Unreadable ListObjectsV2 answer: truncated, but empty");
        }
        return new ListPage(objects, folders, truncated);
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
