package dev.orchard.coordinator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.UnitReport;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.StoredObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The coordinator's durable record under {@code <output>/_orchard/}, enough for a restarted coordinator to finish
 * the job without redoing committed units or counting any image twice:
 * <pre>
 *   plan/units-NNNNNN.jsonl   the units, as planned (one JSON line per unit: id, images)
 *   plan/_COMPLETE            written when the listing has finished: unit and image counts
 *   commits/NAME.json           a statistics file NAME the coordinator accepted, the units it holds and their
 *                               reports (named after the file: unique, so no counter to recover on resume)
 * </pre>
 * Every file is written once, atomically, and never changed. Statistics files the journal does not name (from a
 * worker whose commit was never accepted) are ignored.
 */
public final class JobJournal {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One planned unit. */
    public record PlannedUnit(int id, List<ImageRef> images) {
    }

    /** A unit's report as journalled with its commit. */
    public record UnitRecord(int id, int rows, long bytesRead, List<ImageError> errors, UnitReport.StageNanos stages) {
        UnitReport report() {
            return new UnitReport(rows, errors, bytesRead, stages);
        }
    }

    /** An accepted statistics file and the units in it. */
    public record Commit(String statistics, List<UnitRecord> units) {
    }

    /** The listing's end: how many units and images it gave. */
    public record PlanComplete(int units, long images) {
    }

    /** What a restarted coordinator finds. */
    public record State(List<PlannedUnit> units, PlanComplete complete, List<Commit> commits) {
        public long plannedImages() {
            return units.stream().mapToLong(u -> u.images().size()).sum();
        }
    }

    private final ObjectStore store;
    private final Location root;

    public JobJournal(ObjectStore store, Location output) {
        this.store = store;
        this.root = new dev.orchard.store.OutputLayout(output).bookkeeping();
    }

    public void writePlan(int group, List<PlannedUnit> units) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (PlannedUnit unit : units) {
            lines.append(JSON.writeValueAsString(unit)).append('\n');
        }
        store.put(root.resolve(String.format("plan/units-%06d.jsonl", group)), lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    public void writePlanComplete(PlanComplete complete) throws IOException {
        store.put(root.resolve("plan/_COMPLETE"), JSON.writeValueAsBytes(complete));
    }

    public void writeCommit(Commit commit) throws IOException {
        String name = Location.parse(commit.statistics()).name();
        store.put(root.resolve("commits/" + name + ".json"), JSON.writeValueAsBytes(commit));
    }

    public boolean exists() throws IOException {
        try (Stream<StoredObject> plan = list("plan")) {
            return plan.findAny().isPresent();
        }
    }

    public State read() throws IOException {
        List<PlannedUnit> units = new ArrayList<>();
        PlanComplete complete = null;
        List<Commit> commits = new ArrayList<>();
        for (StoredObject o : sorted("plan")) {
            byte[] bytes = store.read(o.location());
            if (o.location().name().equals("_COMPLETE")) {
                complete = JSON.readValue(bytes, PlanComplete.class);
            } else if (o.location().name().endsWith(".jsonl")) {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        if (!line.isBlank()) {
                            units.add(JSON.readValue(line, PlannedUnit.class));
                        }
                    }
                }
            }
        }
        units.sort(java.util.Comparator.comparingInt(PlannedUnit::id));
        for (int i = 0; i < units.size(); i++) {
            if (units.get(i).id() != i) {
                throw new IllegalStateException("The journal in " + root + " is missing unit " + i
                        + ": it was not written by this version of Orchard, or was edited");
            }
        }
        for (StoredObject o : sorted("commits")) {
            if (o.location().name().endsWith(".json")) {
                commits.add(JSON.readValue(store.read(o.location()), new TypeReference<Commit>() { }));
            }
        }
        return new State(units, complete, commits);
    }

    private List<StoredObject> sorted(String folder) throws IOException {
        try (Stream<StoredObject> objects = list(folder)) {
            return objects.sorted(java.util.Comparator.comparing(o -> o.location().key())).toList();
        }
    }

    private Stream<StoredObject> list(String folder) throws IOException {
        Location dir = root.resolve(folder);
        try {
            return store.list(dir).filter(o -> !o.location().name().startsWith("."));
        } catch (java.nio.file.NoSuchFileException e) {
            return Stream.empty();
        }
    }
}
