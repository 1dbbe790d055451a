package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The output's lease through generated schedules ({@link LeaseSimulation}): skewed and drifting clocks, delayed,
 * failed and half-lost store requests, and coordinators frozen at any step, downed by the cluster while frozen. A
 * failing schedule prints its seed; {@code -Dorchard.lease.seed=N} replays that one alone, with its trace.
 */
class LeaseSimulationTest {
    /** About 8 ms a schedule here: CI runs a thousand; longer campaigns set this. */
    private static final int SCHEDULES = Integer.getInteger("orchard.lease.schedules", 1_000);
    private static final long FIRST = Long.getLong("orchard.lease.first", 1);

    /**
     * The fence: every write a coordinator makes to the output lands while the lease file names it, whatever the
     * schedule (a write does not freeze between the fence's check and its landing: that case is the next test's);
     * and every schedule ends, the job finished or every coordinator exited.
     */
    @Test
    void everyWriteToTheOutputLandsUnderItsWritersLease() {
        campaign(SimulatedLeaseStore.Conditions.EVALUATED, "everyWriteToTheOutputLandsUnderItsWritersLease", SCHEDULES);
    }

    /**
     * The same on a store that evaluates conditions but cannot say so (S3Proxy 3.1.0, MinIO): the coordinators find
     * that out by probing it ({@code ConditionProbe}, through the same delayed, failing and frozen requests). CI runs
     * half as many schedules as the previous test. (When a release deleted the lease, a delete whose condition such a
     * server ignored removed a lease taken since the release's read: 4 of the first 10,000 schedules, 4368, 5993, 6222
     * and 8026, broke the fence. A release now writes the lease as released, on condition, on every store.)
     */
    @Test
    void onAStoreThatCannotSayWhetherItEvaluatesConditionsEveryWriteLandsUnderItsWritersLease() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                OutputLease.class);
        ch.qos.logback.classic.Level level = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.OFF); // what each probe found, a thousand times over
        try {
            campaign(SimulatedLeaseStore.Conditions.UNSAID,
                    "onAStoreThatCannotSayWhetherItEvaluatesConditionsEveryWriteLandsUnderItsWritersLease",
                    SCHEDULES / 2);
        } finally {
            log.setLevel(level);
        }
    }

    /**
     * The journal, where a coordinator's writes may also freeze past the fence's check and land once another took the
     * output over (which no lease can stop): the writes are {@link JobJournal}'s, and each coordinator that takes the
     * lease reads and seals the journal before it commits. Checked: no reader ever finds a unit committed twice, a
     * seal's reading is what readers see, and a finished job's journal is what its last coordinator counted (see
     * {@link LeaseSimulation}). Late writes must land in some schedules, or this would prove nothing (13 of these 500).
     * Without the seals (every journal object counted), 4 of them commit a unit twice, what made a later {@code --resume}
     * refuse the output: 59, 116, 208, 479. In 59, c0 froze 36.5 s with its commit of unit 13 in flight; c1 took the
     * output over (term 2), read the journal before that commit landed, and committed unit 13 itself; c0's commit
     * landed once c1 had finished.
     */
    @Test
    void theJournalIsWhatItsLatestSealerCountedWhateverLandsLate() {
        campaign(SimulatedLeaseStore.Conditions.EVALUATED, "theJournalIsWhatItsLatestSealerCountedWhateverLandsLate",
                SCHEDULES / 2, true);
    }

    private static void campaign(SimulatedLeaseStore.Conditions conditions, String test, int schedules) {
        campaign(conditions, test, schedules, false);
    }

    /** {@code journal}: the journal campaign, whose writes may freeze in flight. */
    private static void campaign(SimulatedLeaseStore.Conditions conditions, String test, int schedules,
                                 boolean journal) {
        Long only = Long.getLong("orchard.lease.seed");
        int finished = 0;
        int takeovers = 0;
        int lost = 0;
        int downed = 0;
        int partitions = 0;
        java.util.Map<String, Integer> exits = new java.util.TreeMap<>();
        List<Long> broken = new ArrayList<>();
        int late = 0;
        int withLate = 0;
        String firstReport = null;
        for (long seed = only != null ? only : FIRST; seed < (only != null ? only + 1 : FIRST + schedules); seed++) {
            LeaseSimulation sim = new LeaseSimulation(LeaseSchedule.of(seed, journal), conditions, journal);
            LeaseSimulation.Outcome outcome = sim.run();
            late += outcome.lateWrites();
            withLate += outcome.lateWrites() > 0 ? 1 : 0;
            boolean bad = !outcome.violations().isEmpty() || !sim.ended();
            if (bad || only != null) {
                String report = "schedule " + seed + ": " + outcome + (sim.ended() ? "" : " (it did not end)") + "\n"
                        + sim.schedule + "\nreplay: mvn -pl coordinator test"
                        + " -Dtest=LeaseSimulationTest#" + test
                        + " -Dorchard.lease.seed=" + seed + "\nlast events:\n" + sim.trace();
                if (bad) {
                    broken.add(seed);
                    firstReport = firstReport == null ? report : firstReport;
                } else {
                    System.out.println(report);
                }
            }
            finished += outcome.finished() ? 1 : 0;
            takeovers += outcome.takeovers();
            lost += outcome.lost();
            downed += outcome.downed();
            partitions += outcome.partitions();
            outcome.exits().forEach((why, count) -> exits.merge(why, count, Integer::sum));
        }
        System.out.printf("LeaseSimulationTest: %s%s: %d schedules from seed %d: the job finished in %d (the others"
                + " exited for --resume); %d leases taken, %d lost, %d coordinators cut off from their cluster, %d"
                + " downed;%s coordinators' exits: %s%n", conditions,
                journal ? ", the journal" : "", only != null ? 1 : schedules, only != null ? only : FIRST, finished,
                takeovers, lost, partitions, downed,
                journal ? " " + late + " journal writes landed late, in " + withLate + " schedules;" : "", exits);
        assertThat(broken).as("schedules that broke the " + (journal ? "journal" : "fence") + " or did not end: "
                + broken.size() + " " + broken + "; the first:\n" + firstReport).isEmpty();
        if (journal && only == null) {
            assertThat(withLate).as("schedules in which a journal write landed late").isPositive();
        }
    }

    /**
     * Schedules that once broke the fence, as they were generated then. 827: a coordinator downed while frozen ran
     * again, renewed its lease before the standby took it, and wrote on within its trust after the standby, seeing it
     * gone, took the lease at once (a gone holder's lease is now waited for until it is out of trust). 94: with the
     * pause check kept for stores that may ignore conditions, a renewal made by the fence's check returned 36 s after
     * it began (frozen with its answer in flight) and the write went ahead under the standby's lease (such a renewal
     * is now made again before the write).
     */
    @Test
    void schedulesThatOnceBrokeTheFence() {
        for (long seed : new long[] {827, 94}) {
            LeaseSimulation sim = new LeaseSimulation(LeaseSchedule.of(seed, false).asFirstGenerated());
            LeaseSimulation.Outcome outcome = sim.run();
            assertThat(outcome.violations()).as("schedule " + seed + "\n" + sim.trace()).isEmpty();
            assertThat(sim.ended()).isTrue();
            assertThat(outcome.downed()).as("it still downs a coordinator").isPositive();
        }
    }

    /**
     * What no lease can stop, found: a coordinator that freezes after the fence let its write through, and whose
     * write lands once another coordinator has taken the output over (object stores offer no compare-and-set across
     * objects). The checker must see it in some schedules, or the previous test would prove nothing.
     */
    @Test
    void aWriteFrozenPastTheFenceIsWhatTheLeaseCannotStop() {
        List<Long> broken = new ArrayList<>();
        long seed = FIRST;
        for (; seed < FIRST + SCHEDULES && broken.size() < 3; seed++) {
            LeaseSimulation sim = new LeaseSimulation(LeaseSchedule.of(seed, true));
            if (!sim.run().violations().isEmpty()) {
                broken.add(seed);
            }
        }
        System.out.println("LeaseSimulationTest: a write frozen in flight landed under another's lease in schedules "
                + broken + " of the " + (seed - FIRST) + " from seed " + FIRST);
        assertThat(broken).isNotEmpty();
    }
}
