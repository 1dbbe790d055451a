package dev.orchard.store.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.StoredObject;
import dev.orchard.store.parquet.InventoryFixtures;
import dev.orchard.store.parquet.InventoryFixtures.Row;
import dev.orchard.store.s3.S3ObjectStore;
import dev.orchard.store.s3.S3TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestsTest {

    @TempDir
    Path dir;

    private final LocalObjectStore local = new LocalObjectStore();

    private static List<String> locations(Stream<StoredObject> objects) {
        try (objects) {
            return objects.map(o -> o.location().toString()).toList();
        }
    }

    @Test
    void textManifestSkipsCommentsAndKeepsKeysExactlyAsWritten() throws Exception {
        Path manifest = Files.writeString(dir.resolve("list.txt"), """
                # images for the test run
                s3://bucket/Test/Apple Red 1/r_1.jpg

                s3://other/Cherry 2/ü.jpg \s
                s3a://bucket/crlf.jpg\r
                """);
        assertThat(locations(Manifests.read(local, Location.local(manifest)))).containsExactly(
                "s3://bucket/Test/Apple Red 1/r_1.jpg",
                "s3://other/Cherry 2/ü.jpg  ", // S3 keys may end with spaces: only the line ending goes
                "s3://bucket/crlf.jpg");
    }

    /** An entry with credentials in it (s3a://KEY:SECRET@bucket/…) is refused, shown without them (spaces first too). */
    @Test
    void textManifestEntryWithCredentialsIsRefusedWithoutThem() throws Exception {
        Path manifest = Files.writeString(dir.resolve("secret.txt"), "s3://bucket/a.jpg\n"
                + "s3a://AKIAWALK:walk/Secret0123@bucket/b.jpg\n");
        assertThatThrownBy(() -> locations(Manifests.read(local, Location.local(manifest))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3a://…@bucket/b.jpg").hasMessageContaining("must not hold credentials")
                .hasMessageNotContaining("Secret0123").hasMessageNotContaining("AKIAWALK");
        Path spaced = Files.writeString(dir.resolve("spaced.txt"), " s3a://AKIAWALK:walk/Secret0123@bucket/b.jpg\n");
        assertThatThrownBy(() -> locations(Manifests.read(local, Location.local(spaced))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("starts with spaces")
                .hasMessageNotContaining("Secret0123").hasMessageNotContaining("AKIAWALK");
    }

    @Test
    void textManifestOfLocalFilesResolvesRelativePaths() throws Exception {
        Path manifest = Files.writeString(dir.resolve("list.txt"), "/data/images/a.jpg\nBanana/b 1.jpg\n Banana/c.jpg\n"
                + "Banana/12:30.jpg\n");
        assertThat(locations(Manifests.read(local, Location.local(manifest)))).containsExactly(
                "/data/images/a.jpg", dir.resolve("Banana/b 1.jpg").toString(), dir.resolve(" Banana/c.jpg").toString(),
                dir.resolve("Banana/12:30.jpg").toString());
    }

    @Test
    void aManifestNamesS3ObjectsOrLocalFilesNeverBoth() throws Exception {
        Path mixed = Files.writeString(dir.resolve("mixed.txt"), "s3://bucket/a.jpg\n/etc/passwd.jpg\n");
        assertThatThrownBy(() -> locations(Manifests.read(local, Location.local(mixed))))
                .hasMessageContaining("line 2").hasMessageContaining("a local file").hasMessageContaining("S3 objects");
        Path indented = Files.writeString(dir.resolve("indented.txt"), "  s3://bucket/a.jpg\n");
        assertThatThrownBy(() -> locations(Manifests.read(local, Location.local(indented))))
                .hasMessageContaining("starts with spaces");
    }

    @Test
    void csvIsParsedByTheBookAndNamedWhenBroken() throws Exception {
        Path manifest = Files.writeString(dir.resolve("objects.csv"), "bucket,key\r\nb,\" spaced key \"\r\n"
                + "b,\"two\nlines.jpg\"\r\n  ,  \r\nb,plain.jpg\r\n");
        assertThat(locations(Manifests.read(local, Location.local(manifest))))
                .containsExactly("s3://b/ spaced key ", "s3://b/two\nlines.jpg", "s3://b/plain.jpg");
        Path broken = Files.writeString(dir.resolve("broken.csv"), "bucket,key\nb,\"unclosed.jpg\n");
        assertThatThrownBy(() -> locations(Manifests.read(local, Location.local(broken))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broken.csv is not valid CSV");
    }

    /** A CSV of local paths (Orchard's own pca.csv fed back, a 'path' column) was read as bucket,key records. */
    @Test
    void aCsvOfFilesIsRefusedSayingWhatACsvManifestNames() throws Exception {
        Path pcaCsv = Files.writeString(dir.resolve("pca.csv"), "filename,label,pca\n/data/a.jpg,Kiwi,\"[1.0]\"\n");
        Path paths = Files.writeString(dir.resolve("paths.csv"), "path\n/data/a.jpg\n");
        Path noBucket = Files.writeString(dir.resolve("nob.csv"), "bucket,key,size\n,a.jpg,3\n");
        for (Path csv : List.of(pcaCsv, paths, noBucket)) {
            assertThatThrownBy(() -> locations(Manifests.read(local, Location.local(csv)))).as(csv.toString())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(csv.toString())
                    .hasMessageContaining("a CSV manifest names S3 objects")
                    .hasMessageContaining("for local files, list one path per line in a text manifest");
        }
        // A header-less inventory whose bucket is named "path" is an inventory still.
        Path inventory = Files.writeString(dir.resolve("inv.csv"), "\"path\",\"images/a.jpg\",\"3\"\n");
        assertThat(locations(Manifests.read(local, Location.local(inventory)))).containsExactly("s3://path/images/a.jpg");
    }

    @Test
    void csvWithHeaderKeepsKeysAsTheyAreAndReadsSizes() throws Exception {
        Path manifest = Files.writeString(dir.resolve("objects.csv"), """
                size,bucket,key
                12,bucket,"images/Apple, Red/1.jpg"
                ,bucket,"images/say ""cheese"".jpg"
                """);
        try (Stream<StoredObject> objects = Manifests.read(local, Location.local(manifest))) {
            assertThat(objects.toList()).containsExactly(
                    new StoredObject(Location.parse("s3://bucket/images/Apple, Red/1.jpg"), 12),
                    new StoredObject(Location.parse("s3://bucket/images/say \"cheese\".jpg"), -1));
        }
    }

    @Test
    void inventoryCsvWithoutHeaderIsUrlDecodedAndMayBeGzipped() throws Exception {
        String inventory = """
                "bucket","images/Apple+Red+1/r_1.jpg","","true","false","1234"
                "bucket","images/%C3%BC%2B.jpg","","true","false","5"
                """;
        Path manifest = dir.resolve("inventory.csv.gz");
        Files.write(manifest, gzip(inventory));
        assertThat(locations(Manifests.read(local, Location.local(manifest))))
                .containsExactly("s3://bucket/images/Apple Red 1/r_1.jpg", "s3://bucket/images/ü+.jpg");
    }

    @Test
    void parquetInventoryStreamsEveryRowGroup() throws Exception {
        List<Row> rows = IntStream.range(0, 2_500)
                .mapToObj(i -> new Row("bucket", "images/c" + (i % 3) + "/" + i + ".jpg", i % 10 == 0 ? null : (long) i))
                .toList();
        Path manifest = dir.resolve("inventory.parquet");
        InventoryFixtures.write(manifest, rows, 1_000);
        try (Stream<StoredObject> objects = Manifests.read(local, Location.local(manifest))) {
            List<StoredObject> read = objects.toList();
            assertThat(read).hasSize(rows.size());
            assertThat(read.get(7)).isEqualTo(new StoredObject(Location.parse("s3://bucket/images/c1/7.jpg"), 7));
            assertThat(read.get(2_490).size()).isEqualTo(-1);
        }
    }

    /**
     * S3 Inventory writes its Parquet reports with Snappy, as Spark, pyarrow and DuckDB do by default: such files,
     * written by DuckDB (src/test/resources/manifests/README.md), were refused ("uses SNAPPY compression").
     */
    @Test
    void parquetInventoriesCompressedAsOthersWriteThemAreRead() throws Exception {
        for (String codec : List.of("snappy", "gzip")) {
            Path manifest = dir.resolve("inventory-" + codec + ".parquet");
            try (var in = ManifestsTest.class.getResourceAsStream("/manifests/inventory-" + codec + ".parquet")) {
                Files.copy(in, manifest);
            }
            try (Stream<StoredObject> objects = Manifests.read(local, Location.local(manifest))) {
                List<StoredObject> read = objects.toList();
                assertThat(read).as(codec).hasSize(300);
                for (int i = 0; i < 300; i++) {
                    assertThat(read.get(i)).as(codec).isEqualTo(new StoredObject(
                            Location.parse("s3://bucket/images/c" + (i % 3) + "/" + i + " ü.jpg"), i));
                }
            }
        }
    }

    @Test
    void parquetWithoutBucketAndKeySaysWhatItNeeds() throws Exception {
        Path manifest = dir.resolve("features.parquet");
        try (var writer = new dev.orchard.store.parquet.VectorRowsWriter(local, Location.local(manifest), "features", dir.resolve("t"))) {
            writer.write(new dev.orchard.store.parquet.VectorRow("p", "l", new float[] {1f}));
            writer.commit();
        }
        assertThatThrownBy(() -> Manifests.read(local, Location.local(manifest)).close())
                .hasMessageContaining("needs string columns 'bucket' and 'key'");
    }

    @Test
    void manifestsAreReadFromS3Too() throws Exception {
        try (S3TestServer server = S3TestServer.start("bucket");
             S3ObjectStore store = S3ObjectStore.create(server.settings())) {
            Location text = Location.parse("s3://bucket/lists/run 1.txt.gz");
            store.put(text, gzip("Apple/1.jpg\n# skipped\ns3://bucket/x/2.jpg\n"));
            assertThat(locations(Manifests.read(store, text)))
                    .containsExactly("s3://bucket/lists/Apple/1.jpg", "s3://bucket/x/2.jpg");

            Path parquet = dir.resolve("inv.parquet");
            InventoryFixtures.write(parquet, List.of(new Row("bucket", "a b/ü.jpg", 3L)), 10);
            Location remote = Location.parse("s3://bucket/lists/inv.parquet");
            store.putFile(remote, parquet);
            try (Stream<StoredObject> objects = Manifests.read(store, remote)) {
                assertThat(objects.toList()).containsExactly(new StoredObject(Location.parse("s3://bucket/a b/ü.jpg"), 3));
            }

            // A manifest on S3 names S3 objects only: a local path would be read from each worker's own disk.
            Location onS3 = Location.parse("s3://bucket/lists/run.txt");
            store.put(onS3, "Apple/1.jpg\n/home/me/secret.jpg\n".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> locations(Manifests.read(store, onS3)))
                    .hasMessageContaining("line 2").hasMessageContaining("a manifest on S3 names S3 objects");
            store.put(onS3, "file:///home/me/secret.jpg\n".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> locations(Manifests.read(store, onS3))).hasMessageContaining("line 1");
        }
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
