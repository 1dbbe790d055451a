package dev.orchard.coordinator;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.coordinator.work.JournalEntry;
import dev.orchard.coordinator.work.JournalEntry.Commit;
import dev.orchard.coordinator.work.JournalEntry.PlanComplete;
import dev.orchard.coordinator.work.JournalEntry.PlanGroup;
import dev.orchard.coordinator.work.JournalEntry.PlannedUnit;
import dev.orchard.coordinator.work.JournalEntry.Published;
import dev.orchard.coordinator.work.JournalEntry.Quarantine;
import dev.orchard.coordinator.work.JournalEntry.Regrouped;
import dev.orchard.coordinator.work.JournalEntry.Split;
import dev.orchard.coordinator.work.JournalEntry.State;
import dev.orchard.protocol.ImageError;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.StoredObject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The coordinator's durable record under {@code <output>/_orchard/} (an update's under its generation's folder,
 * {@code _orchard/gen-NNNNNN/}), enough for a restarted coordinator to finish the job without redoing committed
 * units or counting any image twice:
 * <pre>
 *   plan/units-NNNNNN.jsonl     a group of planned units (one JSON line per unit: id, images), and what the
 *                               listing skipped with a reason (first line, when any)
 *   plan/split-NNNNNN.json      unit NNNNNN was split into single-image units (it kept losing its workers)
 *   plan/_COMPLETE              written when the listing has finished: unit and image counts
 *   plan/_PUBLISHED             every part is published: a resumed job only writes its final files
 *   commits/NAME.json           the statistics file partials/NAME.stats the coordinator accepted, and for each unit in it the
 *                               accepted attempt (whose rows file holds its rows) and its report
 *   commits/quarantine-NNNNNN.json   a single-image unit given up on: its image goes to errors.csv
 *   commits/regrouped-NNNNNN.json    an update's accepted regroup of base part NNNNNN
 * </pre>
 * Every {@link JournalEntry} is written once, atomically, and never changed. Statistics files the journal does
 * not name are ignored.
 */
public final class JobJournal {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final ObjectStore store;
    private final Location root;

    public JobJournal(ObjectStore store, Location output) {
        this(store, output, 0);
    }

    /** The journal of the job that makes {@code generation} of the output. */
    public JobJournal(ObjectStore store, Location output, int generation) {
        this.store = store;
        this.root = new OutputLayout(output).generation(generation);
    }

    public void write(JournalEntry entry) throws IOException {
        if (entry instanceof PlanGroup g) {
            StringBuilder lines = new StringBuilder();
            if (!g.skipped().isEmpty()) {
                lines.append(JSON.writeValueAsString(new Skipped(g.skipped()))).append('\n');
            }
            for (PlannedUnit unit : g.units()) {
                lines.append(JSON.writeValueAsString(unit)).append('\n');
            }
            store.put(root.resolve(String.format("plan/units-%06d.jsonl", g.group())),
                    lines.toString().getBytes(StandardCharsets.UTF_8));
        } else if (entry instanceof PlanComplete c) {
            store.put(root.resolve("plan/_COMPLETE"), JSON.writeValueAsBytes(c));
        } else if (entry instanceof Split s) {
            store.put(root.resolve(String.format("plan/split-%06d.json", s.parent())), JSON.writeValueAsBytes(s));
        } else if (entry instanceof Commit c) {
            store.put(root.resolve("commits/" + c.statistics() + ".json"), JSON.writeValueAsBytes(c));
        } else if (entry instanceof Quarantine q) {
            store.put(root.resolve(String.format("commits/quarantine-%06d.json", q.unit())), JSON.writeValueAsBytes(q));
        } else if (entry instanceof Published p) {
            store.put(root.resolve("plan/_PUBLISHED"), JSON.writeValueAsBytes(p));
        } else if (entry instanceof Regrouped r) {
            store.put(root.resolve(String.format("commits/regrouped-%06d.json", r.part())), JSON.writeValueAsBytes(r));
        }
    }

    /** The first line of a plan group that skipped inputs. */
    private record Skipped(List<ImageError> skipped) {
    }

    public boolean exists() throws IOException {
        try (Stream<StoredObject> plan = list("plan")) {
            return plan.findAny().isPresent();
        }
    }

    public State read() throws IOException {
        List<PlanGroup> groups = new ArrayList<>();
        List<Split> splits = new ArrayList<>();
        PlanComplete complete = null;
        Published published = null;
        for (StoredObject o : sorted("plan")) {
            String name = o.location().name();
            byte[] bytes = store.read(o.location());
            if (name.equals("_COMPLETE")) {
                complete = JSON.readValue(bytes, PlanComplete.class);
            } else if (name.equals("_PUBLISHED")) {
                published = JSON.readValue(bytes, Published.class);
            } else if (name.startsWith("split-") && name.endsWith(".json")) {
                splits.add(JSON.readValue(bytes, Split.class));
            } else if (name.startsWith("units-") && name.endsWith(".jsonl")) {
                groups.add(readGroup(Integer.parseInt(name.substring(6, name.length() - 6)), bytes));
            }
        }
        List<Commit> commits = new ArrayList<>();
        List<Quarantine> quarantines = new ArrayList<>();
        List<Regrouped> regrouped = new ArrayList<>();
        for (StoredObject o : sorted("commits")) {
            String name = o.location().name();
            if (name.startsWith("quarantine-") && name.endsWith(".json")) {
                quarantines.add(JSON.readValue(store.read(o.location()), Quarantine.class));
            } else if (name.startsWith("regrouped-") && name.endsWith(".json")) {
                regrouped.add(JSON.readValue(store.read(o.location()), Regrouped.class));
            } else if (name.endsWith(".json")) {
                commits.add(JSON.readValue(store.read(o.location()), new TypeReference<Commit>() { }));
            }
        }
        return new State(groups, splits, complete, commits, quarantines, published, regrouped);
    }

    private static PlanGroup readGroup(int group, byte[] bytes) throws IOException {
        List<PlannedUnit> units = new ArrayList<>();
        List<ImageError> skipped = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("{\"skipped\"")) {
                    skipped.addAll(JSON.readValue(line, Skipped.class).skipped());
                } else {
                    units.add(JSON.readValue(line, PlannedUnit.class));
                }
            }
        }
        return new PlanGroup(group, units, skipped);
    }

    private List<StoredObject> sorted(String folder) throws IOException {
        try (Stream<StoredObject> objects = list(folder)) {
            return objects.sorted(Comparator.comparing(o -> o.location().key())).toList();
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
