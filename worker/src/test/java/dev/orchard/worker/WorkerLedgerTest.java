package dev.orchard.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ledger's rules about coordinators, each the step of a schedule that once broke them: the worker is told to drop
 * what it kept for the job (the rows held for publishing) when its own coordinator says the job is over, not when a
 * coordinator it no longer serves does; and a coordinator it has left never takes it back. (The protocol simulator
 * checks both in every generated schedule.)
 */
class WorkerLedgerTest {
    private static final JobDescription JOB = new JobDescription("job", "/out", "/model.onnx", "sha",
            ModelSpec.mobileNetV2(), 8);

    @Test
    void onlyItsOwnCoordinatorsEndOfTheJobDropsTheJobsRows() {
        WorkerLedger<Long> ledger = new WorkerLedger<>("w1", null, new WorkerLedger.Settings(2, 4, 1_000, 1_000), Long::sum);
        WorkUnit unit = WorkUnit.features(7, 0, 1, List.of(new ImageRef("/in/a.jpg", "a")));
        assertThat(ledger.assigned(new WorkerCommand.Assign(7, 1, JOB, unit), 0))
                .contains(new WorkerLedger.Run(JOB, unit));

        assertThat(ledger.jobFinished(new WorkerCommand.JobFinished(6), 10)).as("an earlier coordinator's end")
                .doesNotContain(new WorkerLedger.JobEnded());
        assertThat(ledger.epoch()).isEqualTo(7);

        assertThat(ledger.jobFinished(new WorkerCommand.JobFinished(7), 20))
                .contains(new WorkerLedger.Cancel(unit.attemptRef()), new WorkerLedger.JobEnded());
        assertThat(ledger.holdsNothing()).isTrue();
        assertThat(ledger.jobFinished(new WorkerCommand.JobFinished(7), 30)).as("told twice: it serves none now")
                .doesNotContain(new WorkerLedger.JobEnded());
    }

    /**
     * The images a worker tells its coordinator it has done (the status page's per-worker count) are those of its
     * FEATURES attempts: a publish or regroup reads rows already counted (a worker that published a 200-row part
     * showed 298 images done of a 202-image job).
     */
    @Test
    void imagesDoneCountFeaturesAttemptsOnly() {
        WorkerLedger<Long> ledger = new WorkerLedger<>("w1", null, new WorkerLedger.Settings(2, 4, 1_000, 1_000), Long::sum);
        WorkUnit features = WorkUnit.features(7, 0, 1, List.of(new ImageRef("/in/a.jpg", "a")));
        ledger.assigned(new WorkerCommand.Assign(7, 1, JOB, features), 0);
        List<WorkerLedger.Effect> done = ledger.attemptFinished(features.attemptRef(),
                new UnitReport(3, List.of(), 0, 0, UnitReport.StageNanos.ZERO), 1L, 10);
        assertThat(lastImagesDone(done)).isEqualTo(3);

        WorkUnit publish = WorkUnit.publish(7, 0, 2, List.of());
        ledger.assigned(new WorkerCommand.Assign(7, 2, JOB, publish), 20);
        List<WorkerLedger.Effect> published = ledger.attemptFinished(publish.attemptRef(),
                new UnitReport(200, List.of(), 0, 0, UnitReport.StageNanos.ZERO), null, 30);
        assertThat(lastImagesDone(published)).isEqualTo(3);
    }

    /**
     * A stopping worker commits what it finished, also a unit whose verdict comes after the stop began: it went into
     * the window and waited for --commit-every or the minute (nobody asks a worker for a file mid-job), so the worker
     * waited out its 9 s and the unit was done again (a reviewer read it in the code).
     */
    @Test
    void aStoppingWorkerWritesAUnitAcceptedAfterTheStopBeganAndCountsWhatWasKept() {
        WorkerLedger<Long> ledger = new WorkerLedger<>("w1", null, new WorkerLedger.Settings(2, 32, 1_000, 1_000, 60_000),
                Long::sum);
        WorkUnit first = WorkUnit.features(7, 0, 1, List.of(new ImageRef("/in/a.jpg", "a")));
        WorkUnit second = WorkUnit.features(7, 1, 2, List.of(new ImageRef("/in/b.jpg", "b")));
        ledger.assigned(new WorkerCommand.Assign(7, 1, JOB, first), 0);
        ledger.assigned(new WorkerCommand.Assign(7, 2, JOB, second), 0);
        ledger.attemptFinished(first.attemptRef(), new UnitReport(1, List.of(), 0, 0, UnitReport.StageNanos.ZERO), 3L, 10);
        ledger.verdict(new WorkerCommand.Verdict(7, 0, 1, true), 20);
        ledger.attemptFinished(second.attemptRef(), new UnitReport(1, List.of(), 0, 0, UnitReport.StageNanos.ZERO), 4L, 30);

        String firstFile = written(ledger.leave(40)).name(); // the window of the first
        ledger.statisticsWritten(firstFile, null, 50);
        WorkerLedger.WriteStatistics<?> late = written(ledger.verdict(new WorkerCommand.Verdict(7, 1, 2, true), 60));
        assertThat(late.attempts()).as("written at once, not at the 32nd unit or the minute").containsExactly(second.attemptRef());
        ledger.statisticsWritten(late.name(), null, 70);
        ledger.commitAck(new WorkerCommand.CommitAck(7, firstFile, true), 80);
        assertThat(ledger.holdsNothing()).isFalse();
        ledger.commitAck(new WorkerCommand.CommitAck(7, late.name(), false), 90);
        assertThat(ledger.holdsNothing()).as("the stop may go on").isTrue();
        assertThat(ledger.stopCommits().kept()).isEqualTo(1);
        assertThat(ledger.stopCommits().notKept()).as("refused by the coordinator").isEqualTo(1);
    }

    private static WorkerLedger.WriteStatistics<?> written(List<WorkerLedger.Effect> effects) {
        return effects.stream().filter(e -> e instanceof WorkerLedger.WriteStatistics<?>)
                .map(e -> (WorkerLedger.WriteStatistics<?>) e).reduce((a, b) -> { throw new AssertionError("two"); })
                .orElseThrow(() -> new AssertionError("no statistics file written: " + effects));
    }

    /**
     * A crash makes the job do again every accepted unit not yet in a statistics file: with --commit-every
     * alone, 32 units (minutes of large photos). The window is written once its oldest unit has waited
     * {@code commitAfterMs}, however few it holds.
     */
    @Test
    void anAcceptedUnitWaitsAtMostCommitAfterForItsStatisticsFile() {
        WorkerLedger<Long> ledger = new WorkerLedger<>("w1", null, new WorkerLedger.Settings(2, 32, 1_000, 1_000, 5_000),
                Long::sum);
        WorkUnit unit = WorkUnit.features(7, 0, 1, List.of(new ImageRef("/in/a.jpg", "a")));
        ledger.assigned(new WorkerCommand.Assign(7, 1, JOB, unit), 0);
        ledger.attemptFinished(unit.attemptRef(), new UnitReport(1, List.of(), 0, 0, UnitReport.StageNanos.ZERO), 5L, 100);
        assertThat(ledger.verdict(new WorkerCommand.Verdict(7, 0, 1, true), 1_000)).as("1 of 32: kept in the window")
                .noneMatch(e -> e instanceof WorkerLedger.WriteStatistics<?>);
        assertThat(ledger.tick(5_999)).as("4,999 ms after its verdict").noneMatch(e -> e instanceof WorkerLedger.WriteStatistics<?>);
        List<WorkerLedger.WriteStatistics<?>> written = ledger.tick(6_000).stream()
                .filter(e -> e instanceof WorkerLedger.WriteStatistics<?>).<WorkerLedger.WriteStatistics<?>>map(e -> (WorkerLedger.WriteStatistics<?>) e)
                .toList();
        assertThat(written).as("5,000 ms after").singleElement().satisfies(w -> {
            assertThat(w.attempts()).containsExactly(unit.attemptRef());
            assertThat(w.statistics()).isEqualTo(5L);
        });
    }

    private static long lastImagesDone(List<WorkerLedger.Effect> effects) {
        return effects.stream().filter(e -> e instanceof WorkerLedger.Send s
                        && s.message() instanceof dev.orchard.protocol.CoordinatorCommand.WorkerStatus)
                .map(e -> ((dev.orchard.protocol.CoordinatorCommand.WorkerStatus) ((WorkerLedger.Send) e).message()).info()
                        .imagesDone())
                .reduce((a, b) -> b).orElseThrow();
    }

    /**
     * Seed 1122565 of the protocol simulator: a late assignment from the coordinator of the finished first run
     * reached the worker after the update's coordinator had assigned it a unit. The worker took the old coordinator
     * back and dropped the new one's accepted statistics, which the new one then waited for for ever. An assignment
     * from a coordinator whose job finished is a late message: it changes nothing. (One from a coordinator the worker
     * left for another may be the live one's: the worker cannot tell, and serves it.)
     */
    @Test
    void aLateAssignmentFromACoordinatorWhoseJobFinishedChangesNothing() {
        WorkerLedger<Long> ledger = new WorkerLedger<>("w1", null, new WorkerLedger.Settings(2, 4, 1_000, 1_000), Long::sum);
        WorkUnit first = WorkUnit.features(5, 0, 1, List.of(new ImageRef("/in/a.jpg", "a")));
        ledger.assigned(new WorkerCommand.Assign(5, 1, JOB, first), 0);
        ledger.attemptFinished(first.attemptRef(), UnitReport.empty(), 1L, 10);
        ledger.verdict(new WorkerCommand.Verdict(5, 0, 1, true), 20);
        ledger.jobFinished(new WorkerCommand.JobFinished(5), 30);

        WorkUnit next = WorkUnit.features(9, 0, 1, List.of(new ImageRef("/in/a.jpg", "a")));
        ledger.assigned(new WorkerCommand.Assign(9, 1, JOB, next), 40);
        ledger.attemptFinished(next.attemptRef(), UnitReport.empty(), 2L, 50);
        ledger.verdict(new WorkerCommand.Verdict(9, 0, 1, true), 60);

        WorkUnit late = WorkUnit.features(5, 3, 12, List.of(new ImageRef("/in/b.jpg", "b")));
        assertThat(ledger.assigned(new WorkerCommand.Assign(5, 12, JOB, late), 70)).as("the finished coordinator's")
                .noneMatch(e -> e instanceof WorkerLedger.Run || e instanceof WorkerLedger.Cancel);
        assertThat(ledger.epoch()).isEqualTo(9);
        assertThat(ledger.commitRequested(new WorkerCommand.CommitStatistics(9), 80)).as("the accepted statistics")
                .anyMatch(e -> e instanceof WorkerLedger.WriteStatistics<?> w && w.statistics().equals(2L));

        ledger.assigned(new WorkerCommand.Assign(13, 1, JOB, WorkUnit.features(13, 0, 1, List.of())), 90);
        assertThat(ledger.epoch()).as("another coordinator").isEqualTo(13);
        ledger.assigned(new WorkerCommand.Assign(9, 2, JOB, WorkUnit.features(9, 1, 2, List.of())), 100);
        assertThat(ledger.epoch()).as("the one it left for that one, whose job did not finish").isEqualTo(9);
    }

    /**
     * Seed 2605678 of the protocol simulator: a late assignment of the first run's coordinator (its job not yet over
     * for the worker) took the worker away from the update's coordinator after it had run that one's unit 0; the
     * update's coordinator then sent unit 0's assignment again, as it does when statuses do not show one, and the
     * worker, back on its epoch, ran the same attempt a second time. The second run overwrote the first's rows
     * (an image read this time failed) after the first had been accepted with its count. A worker that comes back to
     * a coordinator remembers the assignments it had seen of it, and runs none of them again.
     */
    @Test
    void aWorkerThatComesBackToACoordinatorRunsNoneOfItsAssignmentsAgain() {
        WorkerLedger<Long> ledger = new WorkerLedger<>("w1", null, new WorkerLedger.Settings(2, 4, 1_000, 1_000), Long::sum);
        WorkUnit unit = WorkUnit.features(9, 0, 1, List.of(new ImageRef("/in/a.jpg", "a")));
        WorkerCommand.Assign assign = new WorkerCommand.Assign(9, 1, JOB, unit);
        assertThat(ledger.assigned(assign, 0)).contains(new WorkerLedger.Run(JOB, unit));
        ledger.attemptFinished(unit.attemptRef(), UnitReport.empty(), 1L, 10);

        WorkUnit late = WorkUnit.publish(5, 0, 2, List.of());
        assertThat(ledger.assigned(new WorkerCommand.Assign(5, 2, JOB, late), 20)).contains(new WorkerLedger.Run(JOB, late));
        assertThat(ledger.epoch()).isEqualTo(5);

        assertThat(ledger.assigned(assign, 30)).as("the same assignment, sent again")
                .noneMatch(e -> e instanceof WorkerLedger.Run);
        assertThat(ledger.epoch()).isEqualTo(9);
        WorkUnit next = WorkUnit.features(9, 0, 2, List.of(new ImageRef("/in/a.jpg", "a")));
        assertThat(ledger.assigned(new WorkerCommand.Assign(9, 2, JOB, next), 40)).as("a new assignment")
                .contains(new WorkerLedger.Run(JOB, next));
    }
}
