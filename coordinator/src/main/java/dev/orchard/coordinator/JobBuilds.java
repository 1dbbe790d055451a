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
 * Which Orchard builds ({@link Build}) made the rows a generation of an output holds, in the order they came: the
 * builds of the generation it updates (an update keeps their rows), then each build whose coordinator took the job
 * on, added before that coordinator journals anything. The nodes of one cluster are of one build ({@code
 * SameBuildCheck}), but a {@code --resume} is another command, maybe of another Orchard: its rows and the earlier ones
 * then sit side by side in one output, and this record (in {@code _SUCCESS} as {@code versions.builds}) says so.
 * {@link #UNRECORDED} stands for rows an Orchard that kept no such record made.
 */
public final class JobBuilds {
    /** The builds of rows written by an Orchard that recorded none. */
    public static final String UNRECORDED = "unrecorded";

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobBuilds() {
    }

    /** The builds recorded for generation g, empty when there is no record. */
    public static List<String> read(ObjectStore store, OutputLayout layout, int g) throws IOException {
        if (!store.exists(layout.builds(g))) {
            return List.of();
        }
        JsonNode builds = JSON.readTree(store.read(layout.builds(g))).get("builds");
        List<String> read = new ArrayList<>();
        if (builds != null) {
            builds.forEach(b -> read.add(b.asText()));
        }
        return List.copyOf(read);
    }

    /**
     * What a coordinator that takes generation g on finds recorded, and records with its own build.
     *
     * @param earlier            the record it found, empty when it starts the generation (a first run, or an
     *                           update's first coordinator) or an Orchard that kept none ran it before
     * @param now                the record with this coordinator's build, last unless it was there
     * @param anotherBuildBefore whether a coordinator of another build (or of an Orchard that kept no record) ran this
     *                           generation before: its rows and this one's will sit side by side
     */
    public record Taken(List<String> earlier, List<String> now, boolean anotherBuildBefore) {
        /** The builds of the rows there before this coordinator's: the record less its own build. */
        public List<String> before(String build) {
            return now.stream().filter(b -> !b.equals(build)).toList();
        }
    }

    /**
     * Adds {@code build} to generation g's record unless it is there. A generation's first coordinator starts it from
     * the builds of the generation before (an update; {@code baseRows} says whether that one holds rows at all), and
     * {@link #UNRECORDED} stands first where rows were made that no record names: {@code journalled} says whether this
     * generation's journal has rows committed already.
     */
    public static Taken take(ObjectStore store, OutputLayout layout, int g, String build, boolean journalled,
                             boolean baseRows) throws IOException {
        List<String> earlier = read(store, layout, g);
        List<String> now = new ArrayList<>(earlier);
        boolean another = !earlier.isEmpty() && !earlier.contains(build) || earlier.isEmpty() && journalled;
        if (earlier.isEmpty()) {
            if (g > 0) {
                now.addAll(read(store, layout, g - 1));
                if (now.isEmpty() && baseRows) {
                    now.add(UNRECORDED);
                }
            }
            if (journalled && !now.contains(UNRECORDED)) {
                now.add(UNRECORDED); // an earlier coordinator of this generation kept no record
            }
        }
        if (!now.contains(build)) {
            now.add(build);
        }
        if (!now.equals(earlier)) {
            store.put(layout.builds(g), JSON.writeValueAsBytes(Map.of("builds", now)));
        }
        return new Taken(earlier, List.copyOf(now), another);
    }
}
