package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchard.coordinator.listing.ImageSource;
import dev.orchard.coordinator.outputs.JobOutputs;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.MessageLimits;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.store.InterceptedStore;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@link Coordinator} actor's start, on a real local output, with the store held at one chosen call so that
 * another command's write, or a stop, lands exactly there (no timing: the test waits for the call to be reached):
 * _SUCCESS appearing between its first look and its lease, another command changing the recorded job after this
 * one checked it, and a stop while it starts. No workers: none of these starts may hand out a unit.
 */
class CoordinatorStartTest {
    /** A wait for something the design guarantees happens; reached only when it does not. */
    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Config LOCAL = ConfigFactory.parseString("pekko.actor.provider = local")
            .withFallback(ConfigFactory.load());
    private static final JobIdentity IDENTITY = new JobIdentity("/data/in", null, "**", "folder", "0".repeat(64),
            "mobilenetv2", "pca", 0, 0, 10, null, true, null);

    @TempDir
    Path temp;

    private final ActorTestKit kit = ActorTestKit.create("coordinator-start", LOCAL);
    private final LocalObjectStore local = new LocalObjectStore();

    @AfterEach
    void down() {
        kit.shutdownTestKit();
    }

    /** What the coordinator told its listener, and whether it ever listed the input. */
    private static final class Told implements JobListener {
        final CompletableFuture<Throwable> failed = new CompletableFuture<>();
        final CompletableFuture<JobSummary> finished = new CompletableFuture<>();
        final CompletableFuture<Long> listingEnded = new CompletableFuture<>();
        final AtomicBoolean listingAsked = new AtomicBoolean();
        /** "status STAGE" and "phase DESCRIPTION", in the order told. */
        final List<String> told = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        /** Completed at the first status of the features stage. */
        final CompletableFuture<Void> featuresStage = new CompletableFuture<>();

        @Override
        public void status(dev.orchard.coordinator.work.WorkState.Snapshot snapshot) {
            told.add("status " + snapshot.stage());
            if (snapshot.stage().toString().equals("FEATURES")) {
                featuresStage.complete(null);
            }
        }

        @Override
        public void phase(String description) {
            told.add("phase " + description);
        }

        @Override
        public void listed(long listed, boolean complete) {
            if (complete) {
                listingEnded.complete(listed);
            }
        }

        @Override
        public void finished(JobSummary summary) {
            finished.complete(summary);
        }

        @Override
        public void failed(Throwable cause) {
            failed.complete(cause);
        }

        /** Twelve images (k is 10), never read: no worker joins. */
        ImageSource images() {
            return (after, skipped) -> {
                listingAsked.set(true);
                return after == null ? java.util.stream.IntStream.range(0, 12)
                        .mapToObj(i -> new ImageRef("/data/in/a/" + i + ".jpg", "a")) : Stream.empty();
            };
        }
    }

    /** The store held at the first call {@code where} matches, until {@link #open}; no timing, only latches. */
    private static final class Gate {
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch go = new CountDownLatch(1);

        ObjectStore around(ObjectStore store, java.util.function.BiPredicate<String, Object[]> where) {
            return InterceptedStore.around(store, (method, args, call) -> {
                if (reached.getCount() > 0 && where.test(method, args)) {
                    reached.countDown();
                    assertThat(go.await(BOUND.toSeconds(), TimeUnit.SECONDS)).as("the gate opened").isTrue();
                }
                return call.proceed();
            });
        }

        void awaitReached() throws InterruptedException {
            assertThat(reached.await(BOUND.toSeconds(), TimeUnit.SECONDS)).as("the gate reached").isTrue();
        }

        void open() {
            go.countDown();
        }
    }

    private Coordinator.Setup setup(ObjectStore store, Location output, int generation, JobIdentity identity,
                                    Told told) {
        LeasedStore leased = new LeasedStore(store);
        JobDescription job = new JobDescription("start-test", output.toString(), "/model.onnx", "0".repeat(64),
                ModelSpec.mobileNetV2(), 32);
        var settings = new WorkState.Settings(64, MessageLimits.unitImageBytes(256 * 1024), 3, 3,
                Duration.ofMinutes(30).toMillis(), 5_000, 30_000, 2_000, 10_000, 0, 0, 10, 128L << 20, 4096);
        return new Coordinator.Setup(job, told.images(), new JobOutputs(leased, output, generation),
                new JobJournal(leased, output, generation), leased, output, settings, Duration.ofSeconds(30), Duration.ofSeconds(20), "127.0.0.1:25520", () -> ClusterMembership.NONE, told,
                Map.of(), null, identity);
    }

    /** Whether the lease file is there and says it was given back. */
    private boolean givenBack(Location output) throws Exception {
        OutputLease.Holder written = written(output);
        return written != null && written.released();
    }

    /** Whether the lease file is there and says it is held. */
    private boolean held(Location output) throws Exception {
        OutputLease.Holder written = written(output);
        return written != null && !written.released();
    }

    private OutputLease.Holder written(Location output) throws Exception {
        ObjectStore.Tagged file = local.readTagged(new OutputLayout(output).lease());
        return file == null ? null : new com.fasterxml.jackson.databind.ObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(file.bytes(), OutputLease.Holder.class);
    }

    /**
     * Another coordinator finished the job and wrote _SUCCESS after this one first looked for it and before it took
     * the lease (a standby taking the singleton as the first one ends): this one, holding the lease, looks again,
     * gives the lease back and writes nothing after _SUCCESS.
     */
    @Test
    void successWrittenAsTheLeaseIsClaimedEndsTheStartWithTheLeaseGivenBack() throws Exception {
        Location output = Location.local(temp.resolve("out"));
        OutputLayout layout = new OutputLayout(output);
        AtomicInteger leaseReads = new AtomicInteger();
        ObjectStore store = InterceptedStore.around(local, (method, args, call) -> {
            if (method.equals("readTagged") && args[0].equals(layout.lease()) && leaseReads.getAndIncrement() == 0) {
                local.put(layout.success(), "{}".getBytes()); // the other coordinator's last write
            }
            return call.proceed();
        });
        Told told = new Told();

        kit.spawn(Coordinator.create(setup(store, output, 0, null, told)));

        assertThat(told.failed.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(JobFinishedAlready.class);
        assertThat(givenBack(output)).as("the lease given back").isTrue();
        assertThat(told.listingAsked).as("nothing listed").isFalse();
        assertThat(local.read(layout.success())).as("_SUCCESS as the other coordinator wrote it").isEqualTo("{}".getBytes());
    }

    /**
     * An --overwrite (or a --resume with another --pca-k) recorded another job in the output after this command
     * checked and recorded its own, and before its coordinator took the lease: the coordinator refuses, names the
     * difference and gives the lease back, having written nothing.
     */
    @Test
    void aJobRecordedByAnotherCommandSinceThisOneCheckedIsRefused() throws Exception {
        Location output = Location.local(temp.resolve("out"));
        OutputLayout layout = new OutputLayout(output);
        IDENTITY.withPcaK(20).writeMarker(local, layout, "test"); // the other command's record
        Told told = new Told();

        kit.spawn(Coordinator.create(setup(local, output, 0, IDENTITY, told)));

        Throwable refusal = told.failed.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(refusal).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Another command changed the job recorded in " + output)
                .hasMessageContaining("--pca-k: was 20, now 10");
        assertThat(givenBack(output)).isTrue();
        assertThat(told.listingAsked).isFalse();
    }

    /** An update whose record of its generation is gone (an --overwrite cleared the output's bookkeeping) is refused. */
    @Test
    void anUpdateWhoseRecordIsGoneIsRefused() throws Exception {
        Location output = Location.local(temp.resolve("out"));
        Told told = new Told();

        kit.spawn(Coordinator.create(setup(local, output, 1, IDENTITY, told)));

        assertThat(told.failed.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the record of the update to generation 1 is gone");
        assertThat(givenBack(output)).isTrue();
    }

    /** The control: the job its command recorded starts, lists its input, and holds the lease while it runs. */
    @Test
    void theJobItsCommandRecordedStarts() throws Exception {
        Location output = Location.local(temp.resolve("out"));
        IDENTITY.writeMarker(local, new OutputLayout(output), "test");
        Told told = new Told();

        ActorRef<CoordinatorCommand> coordinator = kit.spawn(Coordinator.create(setup(local, output, 0, IDENTITY, told)));

        assertThat(told.listingEnded.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(12);
        assertThat(held(output)).isTrue();
        // A phase comes with the units' figures of its stage, not up to a tick later (an observability walk).
        List<String> said = List.copyOf(told.told);
        int phase = said.indexOf("phase listing and extracting features");
        assertThat(phase).as(said.toString()).isPositive();
        assertThat(said.get(phase - 1)).isEqualTo("status FEATURES");
        kit.stop(coordinator, BOUND);
        assertThat(givenBack(output)).as("given back as it stopped").isTrue();
        assertThat(told.failed).isNotDone();
    }

    /**
     * A coordinator whose command had no --resume takes up the journal it finds: a standby started beside an output
     * that held only its job's marker (JobSetup takes that as this job's, not begun), taking over once the first
     * coordinator (lease term 1) planned the job. It read the journal only for --resume or an update: it sealed it
     * with nothing taken up (every later --resume disowned the earlier commits too), listed the input again and did
     * every unit again (a review of the real wiring against the simulator, whose coordinators always read it).
     */
    @Test
    void aCoordinatorWhoseCommandHadNoResumeTakesUpTheJournalItFinds() throws Exception {
        Location output = Location.local(temp.resolve("out"));
        IDENTITY.writeMarker(local, new OutputLayout(output), "test");
        JobJournal first = new JobJournal(local, output, 0);
        first.seal(1);
        List<ImageRef> images = java.util.stream.IntStream.range(0, 12)
                .mapToObj(i -> new ImageRef("/data/in/a/" + i + ".jpg", "a")).toList();
        first.write(new dev.orchard.coordinator.work.JournalEntry.PlanGroup(0,
                List.of(new dev.orchard.coordinator.work.JournalEntry.PlannedUnit(0, images)), List.of()));
        first.write(new dev.orchard.coordinator.work.JournalEntry.PlanComplete(1, 12));
        Told told = new Told();

        ActorRef<CoordinatorCommand> coordinator = kit.spawn(Coordinator.create(setup(local, output, 0, IDENTITY, told)));

        told.featuresStage.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        // Its seal (written before the stage starts) names what it took up of term 1's journal.
        Path seal = temp.resolve("out/_orchard/seals/seal-000002.json");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(seal.toFile(), JobJournal.Seal.class).adopted())
                .contains("plan/units-000000-t1.jsonl", "plan/_COMPLETE-t1");
        assertThat(told.listingAsked).as("the input listed again, though the journal holds the whole plan").isFalse();
        kit.stop(coordinator, BOUND);
        assertThat(told.failed).isNotDone();
    }

    /**
     * Stopped while it claimed the output (the actor system terminating, or the singleton stopped, before its start
     * ended): the stop waits for the start, at most its bound (10 s, which the claim held here outlasts), and the start,
     * finding the coordinator stopped, takes no lease. Before, the stop found no lease to give back and did not wait;
     * the start then took the lease, which stayed held until it lapsed, and the next coordinator on the output waited
     * for that.
     */
    @Test
    void stoppedWhileItClaimsTheOutputItLeavesNoLeaseHeld() throws Exception {
        Location output = Location.local(temp.resolve("out"));
        OutputLayout layout = new OutputLayout(output);
        Gate gate = new Gate(); // at the claim's read: the lease not yet taken
        ObjectStore store = gate.around(local, (method, args) -> method.equals("readTagged") && args[0].equals(layout.lease()));
        var deadLetters = kit.<org.apache.pekko.actor.DeadLetter>createTestProbe();
        kit.system().eventStream().tell(new org.apache.pekko.actor.typed.eventstream.EventStream.Subscribe<>(
                org.apache.pekko.actor.DeadLetter.class, deadLetters.getRef()));
        Told told = new Told();

        ActorRef<CoordinatorCommand> coordinator = kit.spawn(Coordinator.create(setup(store, output, 0, null, told)));
        gate.awaitReached();
        kit.stop(coordinator, BOUND); // its PostStop runs here, while the start waits at the claim
        gate.open();

        // The start goes on, off the actor, and ends: its result reaches the stopped coordinator as a dead letter.
        deadLetters.fishForMessage(BOUND, letter -> letter.message().getClass().getSimpleName().equals("AdaptMessage")
                ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
        assertThat(held(output)).as("a lease held after its coordinator stopped").isFalse();
        assertThat(told.listingAsked).isFalse();
    }

    /**
     * Asked to stop (CoordinatedShutdown's first phase) while its start reads the output, the lease already taken:
     * once the start ends, it hands out nothing and lists nothing, and gives the lease back as it stops (a reviewer
     * found it went on to hand out units after the node was told it had stopped). The next phase opens the store and
     * waits for the coordinator to stop, as the singleton's hand-over would.
     */
    @Test
    void askedToStopAsItStartsItStartsNothingAndGivesTheLeaseBack() throws Exception {
        Location output = Location.local(temp.resolve("out"));
        OutputLayout layout = new OutputLayout(output);
        AtomicInteger successLooks = new AtomicInteger();
        Gate gate = new Gate(); // at the look again for _SUCCESS, the lease held
        ObjectStore store = gate.around(local, (method, args) -> method.equals("exists")
                && args[0].equals(layout.success()) && successLooks.incrementAndGet() == 2);
        Told told = new Told();
        ActorRef<CoordinatorCommand> coordinator = kit.spawn(Coordinator.create(setup(store, output, 0, null, told)));
        gate.awaitReached();
        assertThat(held(output)).as("taken").isTrue();

        var probe = kit.<Void>createTestProbe();
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(kit.system()));
        shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "test-start-ends", () -> {
            gate.open();
            return CompletableFuture.supplyAsync(() -> {
                probe.expectTerminated(coordinator, BOUND);
                return Done.getInstance();
            });
        });
        shutdown.runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture().get(2 * BOUND.toSeconds(), TimeUnit.SECONDS);

        assertThat(told.listingAsked).as("nothing listed").isFalse();
        assertThat(givenBack(output)).as("the lease given back").isTrue();
        assertThat(told.failed).isNotDone();
        assertThat(told.finished).isNotDone();
    }
}
