package dev.orchard.coordinator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What determines a job's result: where the images come from and which ones (input, glob, the manifest's
 * checksum), how they are labelled, which model and tensor turn them into features, how those are reduced, and
 * which classifier labels them ({@code classifierSha256}, null without one; absent from older markers, read as null).
 * It is written into the output's marker ({@code _orchard/job.json}) when a job starts (an update's beside its
 * generation's journal); {@code --resume} compares it with the new command's and refuses any difference, so a
 * resumed job never mixes two inputs, label rules or models in one output. An update ({@code --update}) may take
 * another input, glob, manifest or k, but never another model, spec, feature tensor, label rule, reduction or
 * classifier: the rows it keeps must mean the same as the rows it adds.
 */
public record JobIdentity(String input, String manifestSha256, String glob, String labels, String modelSha256,
                          String modelSpec, String reduce, int srpDim, long srpSeed, int pcaK, String classifierSha256,
                          Boolean byteStreamSplit, String decodeLimits) {

    /**
     * The record's own fields; {@code byteStreamSplit} is how the output's vectors are encoded (null where an older
     * Orchard wrote the marker): not what a row means, so no difference is refused over it, but a resumed job or an
     * update writes as the output's files are written (a part's row groups are copied, and one file mixed PLAIN and
     * BYTE_STREAM_SPLIT pages). {@code decodeLimits} ({@code DecodeLimits.describe()}) says which images are readable
     * and how large JPEGs are decoded: compared where both records hold it (null where an older Orchard wrote one).
     */
    @com.fasterxml.jackson.annotation.JsonCreator
    public JobIdentity {
    }

    /** An identity whose encoding is not recorded. */
    public JobIdentity(String input, String manifestSha256, String glob, String labels, String modelSha256,
                       String modelSpec, String reduce, int srpDim, long srpSeed, int pcaK, String classifierSha256) {
        this(input, manifestSha256, glob, labels, modelSha256, modelSpec, reduce, srpDim, srpSeed, pcaK,
                classifierSha256, null, null);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Each difference as "field: was X, now Y", empty when the two describe the same job. */
    public List<String> differences(JobIdentity now) {
        List<String> diffs = new ArrayList<>(selectionDifferences(now));
        diffs.addAll(meaningDifferences(now));
        return diffs;
    }

    /** Differences in which images, and how many components: an update may change these. */
    public List<String> selectionDifferences(JobIdentity now) {
        List<String> diffs = new ArrayList<>(imageDifferences(now));
        compare(diffs, "--pca-k", pcaK, now.pcaK);
        return diffs;
    }

    /** Differences in which images are taken (input, manifest, glob): an update drops the rows of those it leaves out. */
    public List<String> imageDifferences(JobIdentity now) {
        List<String> diffs = new ArrayList<>();
        compare(diffs, "input", input, now.input);
        compare(diffs, "input manifest (SHA-256)", manifestSha256, now.manifestSha256);
        compare(diffs, "--glob", glob, now.glob);
        return diffs;
    }

    /** Differences in what a row means (labels, model, tensor, reduction): an update refuses these. */
    public List<String> meaningDifferences(JobIdentity now) {
        List<String> diffs = new ArrayList<>();
        compare(diffs, "labels", labels, now.labels);
        compare(diffs, "model (SHA-256)", modelSha256, now.modelSha256);
        compare(diffs, "model spec and feature tensor", modelSpec, now.modelSpec);
        compare(diffs, "--reduce", reduce, now.reduce);
        compare(diffs, "--srp-dim", srpDim, now.srpDim);
        compare(diffs, "--seed", srpSeed, now.srpSeed);
        compare(diffs, "--classifier (SHA-256)", classifierSha256, now.classifierSha256);
        if (decodeLimits != null && now.decodeLimits != null) { // an earlier Orchard's record has none: not known
            // Nor the size bound in one written before it was the job's: compared without it
            boolean bothBound = dev.orchard.protocol.DecodeLimits.recordsObjectBound(decodeLimits)
                    == dev.orchard.protocol.DecodeLimits.recordsObjectBound(now.decodeLimits);
            compare(diffs, "decode limits (which images are readable)",
                    bothBound ? decodeLimits : dev.orchard.protocol.DecodeLimits.withoutObjectBound(decodeLimits),
                    bothBound ? now.decodeLimits : dev.orchard.protocol.DecodeLimits.withoutObjectBound(now.decodeLimits));
        }
        return diffs;
    }

    /** This identity with another number of components. */
    public JobIdentity withPcaK(int k) {
        return new JobIdentity(input, manifestSha256, glob, labels, modelSha256, modelSpec, reduce, srpDim, srpSeed, k,
                classifierSha256, byteStreamSplit, decodeLimits);
    }

    private static void compare(List<String> diffs, String what, Object was, Object now) {
        if (!Objects.equals(was, now)) {
            diffs.add(what + ": was " + (was == null ? "none" : was) + ", now " + (now == null ? "none" : now));
        }
    }

    /**
     * Writes the output's marker: this job's identity, Orchard's version and when it started. It is the first file
     * a job writes (it tells {@code --overwrite} the folder is Orchard's).
     */
    public void writeMarker(ObjectStore store, OutputLayout layout, String version) throws IOException {
        write(store, layout, 0, version);
    }

    /** Records this identity as generation g's (generation 0's is the output's marker). */
    public void write(ObjectStore store, OutputLayout layout, int g, String version) throws IOException {
        Map<String, Object> marker = new LinkedHashMap<>();
        marker.put("orchard", version);
        marker.put("created", Instant.now().toString());
        marker.put("generation", g);
        marker.put("identity", this);
        store.put(layout.identity(g), JSON.writeValueAsBytes(marker));
    }

    /** The identity recorded in an output's marker, or null when it has none (or an older Orchard wrote it). */
    public static JobIdentity readMarker(ObjectStore store, OutputLayout layout) throws IOException {
        return read(store, layout, 0);
    }

    /** What the file that records the identity is to a user who finds it damaged. */
    private static final String ROLE = "the record of the job that made this output, which --resume and --update"
            + " compare with the command";

    /**
     * What to do about a damaged record: generation 0's is Orchard's marker too, which {@code --overwrite} will not
     * trust either (it refused the overwrite the first message advised: a review).
     */
    private static String remedy(OutputLayout layout, int g) {
        return layout.identity(g).equals(layout.marker())
                ? "restore it from a copy, or choose another --output (--overwrite does not clear a folder whose marker"
                        + " it cannot read: delete the folder yourself if it is Orchard's)"
                : dev.orchard.store.DamagedFileException.RESTORE;
    }

    /** The identity recorded for generation g, or null when there is none. */
    public static JobIdentity read(ObjectStore store, OutputLayout layout, int g) throws IOException {
        if (!store.exists(layout.identity(g))) {
            return null;
        }
        JsonNode identity = dev.orchard.store.DamagedFileException.readTree(JSON, store.read(layout.identity(g)),
                layout.identity(g), ROLE, remedy(layout, g)).get("identity");
        try {
            return identity == null ? null : JSON.treeToValue(identity, JobIdentity.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new dev.orchard.store.DamagedFileException(layout.identity(g), "its identity is not what Orchard writes: "
                    + e.getOriginalMessage(), ROLE, remedy(layout, g), e);
        }
    }
}
