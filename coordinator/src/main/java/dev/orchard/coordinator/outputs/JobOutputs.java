package dev.orchard.coordinator.outputs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orchard.coordinator.listing.ListingErrors;
import dev.orchard.protocol.ImageError;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PcaModelJson;
import dev.orchard.stats.PrincipalComponents;
import dev.orchard.stats.UnitStatistics;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The coordinator's writing side: merges committed statistics into the PCA model and writes the job's files. Text
 * values in the CSV files are made safe to open in a spreadsheet ({@link SpreadsheetCell}).
 */
public final class JobOutputs {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectStore store;
    private final Location output;
    private final OutputLayout layout;
    private final ListingErrors listingErrors;

    public JobOutputs(ObjectStore store, Location output) {
        this(store, output, null);
    }

    /** @param listingErrors what the input's listing could not list, for errors.csv (null: nothing) */
    public JobOutputs(ObjectStore store, Location output, ListingErrors listingErrors) {
        this.store = store;
        this.output = output;
        this.layout = new OutputLayout(output);
        this.listingErrors = listingErrors;
    }

    /** What the listing could not list (unreadable folders, links not followed, ...), for errors.csv. */
    public List<ImageError> listingErrors() throws IOException {
        return listingErrors == null ? List.of() : listingErrors.all();
    }

    public Location pcaModelLocation() {
        return layout.pcaModel();
    }

    /**
     * Merges the committed statistics files, checking that together they hold each unit of {@code expected}
     * exactly once, solves the PCA and writes {@code pca-model.json}. Files are merged in name order, so a rerun
     * gives bit-identical statistics.
     */
    public PcaModel solvePca(List<String> statisticsFiles, BitSet expected, int k) throws IOException {
        List<String> ordered = new ArrayList<>(statisticsFiles);
        ordered.sort(Comparator.naturalOrder());
        CovariancePartial total = null;
        BitSet seen = new BitSet();
        for (String file : ordered) {
            UnitStatistics stats = UnitStatistics.decode(store.read(Location.parse(file)));
            for (int unit : stats.unitIds()) {
                if (seen.get(unit)) {
                    throw new IllegalStateException("unit " + unit + " is counted twice (again in " + file + ")");
                }
                seen.set(unit);
            }
            if (total == null) {
                total = stats.partial().copy();
            } else {
                total.merge(stats.partial());
            }
        }
        if (!seen.equals(expected)) {
            BitSet missing = (BitSet) expected.clone();
            missing.andNot(seen);
            throw new IllegalStateException("statistics are missing for units " + missing);
        }
        if (total == null || total.count() < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 readable images; this job has "
                    + (total == null ? 0 : total.count()) + ". Check the input and errors.csv.");
        }
        PcaModel model = PrincipalComponents.fit(total, k);
        store.put(pcaModelLocation(), PcaModelJson.write(model));
        return model;
    }

    /**
     * {@code pca.csv}: filename, label, pca (as "[v1, v2, …]"), the layout the classic notebooks export. Streamed
     * part by part through a local file, so its size is not bounded by memory.
     */
    public void writePcaCsv(List<Integer> parts) throws IOException {
        Path temp = Files.createTempFile("orchard-pca", ".csv");
        try (Writer text = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(text, CSVFormat.RFC4180.builder().setHeader("filename", "label", "pca").get())) {
            for (int part : parts) {
                for (VectorRow row : VectorRowsReader.readAll(store, layout.part(OutputLayout.PCA, part), "pca")) {
                    StringBuilder vector = new StringBuilder("[");
                    float[] v = row.values();
                    for (int i = 0; i < v.length; i++) {
                        vector.append(i == 0 ? "" : ", ").append(v[i]);
                    }
                    csv.printRecord(SpreadsheetCell.of(row.path()), row.label() == null ? "" : SpreadsheetCell.of(row.label()),
                            vector.append(']'));
                }
            }
        }
        try {
            store.putFile(layout.pcaCsv(), temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** {@code errors.csv}: path, reason, sorted by path (written even when empty, so "no errors" is explicit). */
    public void writeErrors(List<ImageError> errors) throws IOException {
        List<ImageError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparing(ImageError::path));
        StringWriter text = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(text, CSVFormat.RFC4180.builder().setHeader("path", "reason").get())) {
            for (ImageError e : sorted) {
                csv.printRecord(SpreadsheetCell.of(e.path()), SpreadsheetCell.of(e.reason()));
            }
        }
        store.put(layout.errorsCsv(), text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code _SUCCESS}: written last, so its presence means every other output is complete. */
    public void writeSuccess(Map<String, Object> report) throws IOException {
        store.put(layout.success(), JSON.writeValueAsBytes(report));
    }
}
