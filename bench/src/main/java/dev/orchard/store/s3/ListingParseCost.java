package dev.orchard.store.s3;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * What reading ListObjectsV2 pages costs, with {@link ListingXml} or with the JDK's StAX parser alone, in a fresh JVM:
 * PAGES pages of 1,000 url-encoded keys as S3 writes them (Owner and StorageClass included, ~370 KB each). 11 pages
 * is a 10,200-image job's listing, JIT compilation included; 2,000 shows the steady cost per page. In the store's
 * package because ListPage is package-private there. One mode per JVM; alternate them:
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.store.s3.ListingParseCost stax|scan PAGES</pre>
 */
public final class ListingParseCost {

    private ListingParseCost() {
    }

    public static void main(String[] args) throws Exception {
        boolean stax = args[0].equals("stax");
        int pages = Integer.parseInt(args[1]);
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bench</Name>")
                .append("<Prefix>img%2F</Prefix><KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys>")
                .append("<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>");
        for (int i = 0; i < 1000; i++) {
            xml.append("<Contents><Key>img/s0").append(i % 10).append("/Apple+Braeburn/r_").append(i)
                    .append("_100-q93-f1.jpg</Key><LastModified>2026-11-29T20:10:11.000Z</LastModified>")
                    .append("<ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>").append(4000 + i)
                    .append("</Size><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>")
                    .append("<DisplayName>owner</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents>");
        }
        xml.append("</ListBucketResult>");
        byte[] page = xml.toString().getBytes(StandardCharsets.UTF_8);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
        int keys = 0;
        for (int p = 0; p < pages; p++) {
            keys += (stax ? ListPage.parseWithStax(page) : ListPage.parse(new ByteArrayInputStream(page))).objects().size();
        }
        long c1 = os.getProcessCpuTime(), t1 = System.nanoTime();
        System.out.printf("%s: %d pages (%d KB each), %d keys: %.0f ms CPU (process, JIT included), %.2f ms wall per page%n",
                args[0], pages, page.length / 1024, keys, (c1 - c0) / 1e6, (t1 - t0) / 1e6 / pages);
    }
}
