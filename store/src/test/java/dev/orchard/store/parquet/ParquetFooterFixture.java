package dev.orchard.store.parquet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.KeyValue;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.Util;

/** Parquet files for tests of what reads only a footer. */
public final class ParquetFooterFixture {
    private ParquetFooterFixture() {
    }

    /**
     * A file that is a Parquet footer and nothing before it but the leading magic, with {@code metadata}, {@code pad}
     * bytes of body first: what a reader of the footer alone sees of any Parquet file.
     */
    public static byte[] footerOnly(Map<String, String> metadata, int pad) throws Exception {
        FileMetaData footer = new FileMetaData(1, List.of(new SchemaElement("schema")), 0, List.of());
        List<KeyValue> pairs = new ArrayList<>();
        metadata.forEach((k, v) -> pairs.add(new KeyValue(k).setValue(v)));
        footer.setKey_value_metadata(pairs);
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        Util.writeFileMetaData(footer, encoded);
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write("PAR1".getBytes(StandardCharsets.US_ASCII));
        file.write(new byte[pad]);
        file.write(encoded.toByteArray());
        int n = encoded.size();
        file.write(new byte[] {(byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)});
        file.write("PAR1".getBytes(StandardCharsets.US_ASCII));
        return file.toByteArray();
    }

}
