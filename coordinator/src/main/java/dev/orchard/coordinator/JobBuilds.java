package dev.orchard.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which Orchard builds ({@link Build}) made the results a generation of an output holds, in the order they came: the
 * builds of the generation it updates (an update keeps their rows), then each build whose coordinator journalled a
 * result (a unit's rows, an image given up on, a regrouped or published part), added just before its first one. The
 * nodes of one cluster are of one build ({@code SameBuildCheck}), but a {@code --resume} is another command, maybe of
 * another Orchard: its rows and the earlier ones then sit side by side in one output, and this record (in
 * {@code _SUCCESS} as {@code versions.builds}) says so. {@link #UNRECORDED} stands for results an Orchard that kept no
 * such record made. The record is what the coordinators wrote, under their lease; a write of one that stood still past
 * its lease and landed late is not fenced as the journal is (the record may then lack a build).
 */
public final class JobBuilds {
    /** The builds of results written by an Orchard that recorded none (or whose record is unreadable). */
    public static final String UNRECORDED = "unrecorded";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobBuilds.class);

    private JobBuilds() {
    }

    /** The builds recorded for generation g: empty when there is no record, {@link #UNRECORDED} when it is unreadable. */
    public static List<String> read(ObjectStore store, OutputLayout layout, int g) throws IOException {
        String problem;
        try {
            if (!store.exists(layout.builds(g))) {
                return List.of();
            }
            JsonNode builds = JSON.readTree(store.read(layout.builds(g))).get("builds");
            List<String> read = new ArrayList<>();
            if (builds != null && builds.isArray()) {
                builds.forEach(b -> read.add(b.asText()));
            }
            if (!read.isEmpty()) {
                return List.copyOf(read);
            }
            problem = "it names no build";
        } catch (IOException e) { // a parse error too
            problem = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        // Only a record: the job goes on, and the record is written anew with the next result and at the end.
        LOG.warn("Cannot read which Orchard builds made this output's results from {} ({}): taken as unrecorded, and"
                + " written anew", layout.builds(g), problem);
        return List.of(UNRECORDED);
    }

    /**
     * What a coordinator that takes generation g on finds, before it writes anything.
     *
     * @param before             the builds of the results there: the generation's record; for a generation no
     *                           coordinator has journalled a result of yet, its base generation's builds (an update)
     * @param recorded           whether the generation has a record of its own
     * @param anotherBuildBefore whether a coordinator of another build (or of an Orchard that kept no record) journalled
     *                           results of this generation: they and this coordinator's will sit side by side
     */
    public record Found(List<String> before, boolean recorded, boolean anotherBuildBefore) {
        /** The record once {@code build} has journalled a result: {@code before} with it, last unless it is there. */
        public List<String> with(String build) {
            List<String> now = new ArrayList<>(before);
            if (!now.contains(build)) {
                now.add(build);
            }
            return List.copyOf(now);
        }
    }

    /**
     * Reads what generation g's record says, for a coordinator of {@code build} (asked only where there is something to
     * compare it with) that takes it on. {@code journalled}: whether the generation's journal has results already (a
     * record-less one is an earlier Orchard's; a record without any is one whose coordinator wrote it and then failed
     * to journal its first result, or died between the two: not taken); {@code baseRows}: whether the generation it
     * updates holds rows (without a record of their builds, the build its {@code _SUCCESS} names, as an Orchard before
     * this record wrote it, stands for them).
     */
    public static Found find(ObjectStore store, OutputLayout layout, int g, java.util.function.Supplier<String> build,
                             boolean journalled, boolean baseRows) throws IOException {
        List<String> recorded = journalled ? read(store, layout, g) : List.of();
        if (!recorded.isEmpty()) {
            return new Found(recorded, true, !recorded.contains(recordedName(build.get())));
        }
        List<String> before = new ArrayList<>();
        if (g > 0) {
            before.addAll(read(store, layout, g - 1));
            if (before.isEmpty() && baseRows) {
                before.add(successBuild(store, layout));
            }
        }
        if (journalled && !before.contains(UNRECORDED)) {
            before.add(UNRECORDED); // a coordinator of an Orchard that kept no record journalled results
        }
        return new Found(List.copyOf(before), false, journalled);
    }

    /** The build the output's {@code _SUCCESS} names as its coordinator's, or {@link #UNRECORDED}. */
    private static String successBuild(ObjectStore store, OutputLayout layout) throws IOException {
        if (store.exists(layout.success())) {
            try {
                String build = JSON.readTree(store.read(layout.success())).at("/versions/build").asText("");
                if (!build.isEmpty()) {
                    return recordedName(build);
                }
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                // not known: unrecorded
            }
        }
        return UNRECORDED;
    }

    /** Writes generation g's record. */
    public static void write(ObjectStore store, OutputLayout layout, int g, List<String> builds) throws IOException {
        store.put(layout.builds(g), JSON.writeValueAsBytes(Map.of("builds", builds)));
    }

    /** The name a build is recorded by: one that is different in every JVM (no jar to read) is "unknown". */
    public static String recordedName(String build) {
        return build.startsWith("unknown") || build.startsWith("unreadable jar") ? "unknown" : build;
    }
}
