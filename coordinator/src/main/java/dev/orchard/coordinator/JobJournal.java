package dev.orchard.coordinator;

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
import dev.orchard.store.DamagedFileException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The coordinator's durable record under {@code <output>/_orchard/} (an update's under its generation's folder,
 * {@code _orchard/gen-NNNNNN/}), enough for a restarted coordinator to finish the job without redoing committed
 * units or counting any image twice:
 * <pre>
 *   seals/seal-T.json           written by the coordinator of lease term T before anything else it journals: the
 *                               journal objects of earlier terms it found and took up (its {@link #read})
 *   plan/units-NNNNNN-tT.jsonl  a group of planned units (one JSON line per unit: id, images), and what the
 *                               listing skipped with a reason (first line, when any)
 *   plan/split-NNNNNN-tT.json   unit NNNNNN was split into single-image units (it kept losing its workers)
 *   plan/_COMPLETE-tT           written when the listing has finished: unit and image counts
 *   plan/_PUBLISHED-tT          every part is published: a resumed job only writes its final files
 *   commits/NAME-tT.json        the statistics file partials/NAME.stats the coordinator accepted, and for each unit in it the
 *                               accepted attempt (whose rows file holds its rows) and its report
 *   commits/quarantine-NNNNNN-tT.json   a single-image unit given up on: its image goes to errors.csv
 *   commits/regrouped-NNNNNN-tT.json    an update's accepted regroup of base part NNNNNN
 * </pre>
 * T is the writer's lease term ({@link OutputLease#term()}); a journal written before terms has names without one
 * (term 0). Every {@link JournalEntry} is written once, atomically, and never changed. Statistics files the journal
 * does not name are ignored.
 * <p>The seals answer what the lease cannot: a write of a coordinator that was taken over from, already past the lease's
 * check when its process stood still, may land after its successor read the journal (object stores have no
 * compare-and-set across objects). Its successor did not count it, and a later reader must not either: the journal is
 * what the latest seal names, and what its own term wrote. So a late commit of a unit the successor also committed is
 * ignored rather than refused as a unit committed twice; a late plan group, split or quarantine is ignored rather than
 * mixed into the successor's plan. A seal is the higher the later its term was taken, so a seal that itself lands late
 * is outranked.
 */
public final class JobJournal {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Pattern TERMED = Pattern.compile("(.*)-t(\\d+)");
    private static final Pattern SEAL = Pattern.compile("seal-(\\d+)\\.json");

    private final ObjectStore store;
    private final Location root;
    /** The objects the last {@link #read} took up (names below {@link #root}), for the seal. */
    private List<String> adopted = List.of();
    /** The highest term whose seal the last {@link #read} found (0: none); -1 before a read. */
    private long sealedAtRead = -1;
    /** The term this coordinator writes under, once it has sealed; 0 before. (Writes run on several threads.) */
    private volatile long term;

    public JobJournal(ObjectStore store, Location output) {
        this(store, output, 0);
    }

    /** The journal of the job that makes {@code generation} of the output. */
    public JobJournal(ObjectStore store, Location output, int generation) {
        this.store = store;
        this.root = new OutputLayout(output).generation(generation);
    }

    /** What a seal records: the term that wrote it, and the objects of earlier terms it took up. */
    record Seal(long term, List<String> adopted) {
    }

    /** The highest term that sealed this journal, as listed now; 0 if none did. */
    long sealedTerm() throws IOException {
        long highest = 0;
        try (Stream<StoredObject> seals = list("seals")) {
            for (StoredObject o : (Iterable<StoredObject>) seals::iterator) {
                Matcher m = SEAL.matcher(o.location().name());
                if (m.matches()) {
                    highest = Math.max(highest, Long.parseLong(m.group(1)));
                }
            }
        }
        return highest;
    }

    /**
     * Seals the journal for the holder of {@code lease}, before anything else it journals: first raises the lease's term
     * above every seal found (by the last {@link #read}, or listed now for a journal not read: a new job), even where
     * the lease file had lost count (removed, or written by an older Orchard), then {@link #seal}s at that term.
     */
    public void sealUnder(OutputLease lease) throws IOException {
        lease.raiseTerm((sealedAtRead >= 0 ? sealedAtRead : sealedTerm()) + 1);
        seal(lease.term());
    }

    /**
     * Seals the journal for the coordinator of lease term {@code term}, higher than any term that sealed it before
     * ({@link #sealedTerm}): names every object the last {@link #read} took up (none, if it was not read: a new job), so
     * that whatever else an earlier term wrote, landing later, is ignored. Before the first {@link #write}.
     */
    void seal(long term) throws IOException {
        if (term <= 0) {
            throw new IllegalArgumentException("a journal is sealed by a lease's term, not " + term);
        }
        store.put(root.resolve(String.format("seals/seal-%06d.json", term)),
                JSON.writeValueAsBytes(new Seal(term, adopted)));
        this.term = term;
    }

    public void write(JournalEntry entry) throws IOException {
        if (term == 0) {
            throw new IllegalStateException("The journal in " + root + " is written only once it is sealed");
        }
        if (entry instanceof PlanGroup g) {
            StringBuilder lines = new StringBuilder();
            if (!g.skipped().isEmpty()) {
                lines.append(JSON.writeValueAsString(new Skipped(g.skipped()))).append('\n');
            }
            for (PlannedUnit unit : g.units()) {
                lines.append(JSON.writeValueAsString(unit)).append('\n');
            }
            put(String.format("plan/units-%06d", g.group()), ".jsonl", lines.toString().getBytes(StandardCharsets.UTF_8));
        } else if (entry instanceof PlanComplete c) {
            put("plan/_COMPLETE", "", JSON.writeValueAsBytes(c));
        } else if (entry instanceof Split s) {
            put(String.format("plan/split-%06d", s.parent()), ".json", JSON.writeValueAsBytes(s));
        } else if (entry instanceof Commit c) {
            put("commits/" + c.statistics(), ".json", JSON.writeValueAsBytes(c));
        } else if (entry instanceof Quarantine q) {
            put(String.format("commits/quarantine-%06d", q.unit()), ".json", JSON.writeValueAsBytes(q));
        } else if (entry instanceof Published p) {
            put("plan/_PUBLISHED", "", JSON.writeValueAsBytes(p));
        } else if (entry instanceof Regrouped r) {
            put(String.format("commits/regrouped-%06d", r.part()), ".json", JSON.writeValueAsBytes(r));
        }
    }

    private void put(String stem, String extension, byte[] bytes) throws IOException {
        store.put(root.resolve(stem + "-t" + term + extension), bytes);
    }

    /** The first line of a plan group that skipped inputs. */
    private record Skipped(List<ImageError> skipped) {
    }

    public boolean exists() throws IOException {
        try (Stream<StoredObject> plan = list("plan")) {
            return plan.findAny().isPresent();
        }
    }

    /**
     * The journal as the latest seal left it: the objects it names, and those its own term wrote since (where no seal
     * is, the objects without a term: a journal written before seals). Remembers which, for this coordinator's
     * {@link #seal}.
     */
    public State read() throws IOException {
        Seal seal = latestSeal();
        Counted counted = Counted.by(seal);
        List<String> kept = new ArrayList<>();
        List<PlanGroup> groups = new ArrayList<>();
        List<Split> splits = new ArrayList<>();
        Termed<PlanComplete> complete = new Termed<>();
        Termed<Published> published = new Termed<>();
        for (StoredObject o : sorted("plan")) {
            Name name = keep(o, counted, kept);
            if (name == null) {
                continue;
            }
            byte[] bytes = store.read(o.location());
            if (name.base().equals("_COMPLETE")) {
                complete.offer(name.term(), entry(bytes, o.location(), PlanComplete.class));
            } else if (name.base().equals("_PUBLISHED")) {
                published.offer(name.term(), entry(bytes, o.location(), Published.class));
            } else if (name.base().startsWith("split-") && name.extension().equals(".json")) {
                splits.add(entry(bytes, o.location(), Split.class));
            } else if (name.base().startsWith("units-") && name.extension().equals(".jsonl")) {
                groups.add(readGroup(Integer.parseInt(name.base().substring(6)), bytes, o.location()));
            }
        }
        List<Commit> commits = new ArrayList<>();
        List<Quarantine> quarantines = new ArrayList<>();
        List<Regrouped> regrouped = new ArrayList<>();
        for (StoredObject o : sorted("commits")) {
            Name name = keep(o, counted, kept);
            if (name == null || !name.extension().equals(".json")) {
                continue;
            }
            if (name.base().startsWith("quarantine-")) {
                quarantines.add(entry(store.read(o.location()), o.location(), Quarantine.class));
            } else if (name.base().startsWith("regrouped-")) {
                regrouped.add(entry(store.read(o.location()), o.location(), Regrouped.class));
            } else {
                commits.add(entry(store.read(o.location()), o.location(), Commit.class));
            }
        }
        groups.sort(Comparator.comparingInt(PlanGroup::group));
        adopted = List.copyOf(kept);
        sealedAtRead = seal == null ? 0 : seal.term();
        return new State(groups, splits, complete.value, commits, quarantines, published.value, regrouped);
    }

    /** {@code o}'s name, if the journal counts it ({@link Counted}), added to {@code kept}; null if not. */
    private Name keep(StoredObject o, Counted counted, List<String> kept) {
        String relative = root.relativize(o.location());
        Name name = Name.of(o.location().name());
        if (counted.counts(relative, name.term())) {
            kept.add(relative);
            return name;
        }
        return null; // landed after the term that sealed the journal had read it, or written by a term never sealed
    }

    /**
     * What a reading counts: the objects the latest seal names, and those its own term wrote. Where there is no seal
     * ({@code names} null), the objects without a term: a journal written before seals. A termed object is written only
     * after its term's seal, so one without any seal landed after the journal was cleared (--overwrite) from a
     * coordinator of the job before, frozen with its write in flight: not this job's (a review's schedule, once every
     * coordinator read the journal, --resume or not).
     */
    private record Counted(long term, java.util.Set<String> names) {
        static Counted by(Seal seal) {
            return seal == null ? new Counted(0, null) : new Counted(seal.term(), java.util.Set.copyOf(seal.adopted()));
        }

        boolean counts(String relative, long writtenBy) {
            return names == null ? writtenBy == 0 : writtenBy == term || names.contains(relative);
        }
    }

    /** A journal file's entry, {@code bytes} read from {@code file}. */
    private static <T> T entry(byte[] bytes, Location file, Class<T> type) throws IOException {
        return DamagedFileException.readJson(JSON, bytes, file, type, DamagedFileException.JOURNAL,
                DamagedFileException.RESTORE);
    }

    /** The seal of the highest term; null if the journal has none. */
    private Seal latestSeal() throws IOException {
        long term = sealedTerm();
        Location seal = root.resolve(String.format("seals/seal-%06d.json", term));
        return term == 0 ? null : entry(store.read(seal), seal, Seal.class);
    }

    /** A journal object's name: without its term and extension, its term (0: none), and its extension. */
    private record Name(String base, long term, String extension) {
        static Name of(String name) {
            String extension = name.endsWith(".jsonl") ? ".jsonl" : name.endsWith(".json") ? ".json" : "";
            String stem = name.substring(0, name.length() - extension.length());
            Matcher m = TERMED.matcher(stem);
            return m.matches() ? new Name(m.group(1), Long.parseLong(m.group(2)), extension)
                               : new Name(stem, 0, extension);
        }
    }

    /** Of an entry written once per job, the one of the highest term (terms that resumed a job may each write it). */
    private static final class Termed<T> {
        private long term = -1;
        private T value;

        void offer(long term, T value) {
            if (term > this.term) {
                this.term = term;
                this.value = value;
            }
        }
    }

    private static PlanGroup readGroup(int group, byte[] bytes, Location file) throws IOException {
        List<PlannedUnit> units = new ArrayList<>();
        List<ImageError> skipped = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
            int number = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                if (line.startsWith("{\"skipped\"")) {
                    skipped.addAll(DamagedFileException.readJsonLine(JSON, line, file, number, Skipped.class,
                            DamagedFileException.JOURNAL, DamagedFileException.RESTORE).skipped());
                } else {
                    units.add(DamagedFileException.readJsonLine(JSON, line, file, number, PlannedUnit.class,
                            DamagedFileException.JOURNAL, DamagedFileException.RESTORE));
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
