package dev.orchard.coordinator.work;

import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What {@link WorkState} decides in answer to an event, as a value: the coordinator actor carries each out
 * (messages to workers, I/O on its own dispatcher, reports to the listener) and feeds the I/O results back as
 * events; the simulator does the same with simulated workers, stores and clocks.
 */
public sealed interface Decision {

    /** Send a worker a message. */
    record Tell(String worker, WorkerCommand message) implements Decision {
    }

    /** Hand a worker an attempt; the actor adds the job description of the current phase. */
    record Assign(String worker, long seq, WorkUnit unit) implements Decision {
    }

    /** Write a journal entry; report back with {@code journalled} or {@code journalFailed}. */
    record Journal(JournalEntry entry) implements Decision {
    }

    /** Remove what a losing attempt wrote (best effort: leftovers go with {@code _orchard/attempts/}). */
    record DeleteAttempt(Phase phase, AttemptRef attempt) implements Decision {
    }

    /** Remove a statistics file that was refused (never merged). */
    record DeleteStatistics(String file) implements Decision {
    }

    /**
     * Merge the journalled statistics {@code files}, which together must hold each unit of {@code units} exactly
     * once, with (for an update) the stored statistics of the base generation's untouched parts {@code baseParts}
     * (by number, each with the rows its generation recorded, which its statistics must count) and those of the kept
     * rows of the regrouped ones ({@code regrouped}), solve the PCA and write its model; report
     * back with {@code solved} or {@code solveFailed}. {@code published}: the journal says the parts were published,
     * projected with the model written then, which is kept where it is there (not solved again).
     */
    record Solve(List<String> files, BitSet units, SortedMap<Integer, Long> baseParts, List<AttemptRef> regrouped,
                 boolean published) implements Decision {
        public Solve {
            baseParts = Collections.unmodifiableSortedMap(new TreeMap<>(baseParts));
            regrouped = List.copyOf(regrouped);
        }

        public Solve(List<String> files, BitSet units) {
            this(files, units, Collections.emptySortedMap(), List.of(), false);
        }
    }

    /**
     * Delete every publish attempt there is (earlier coordinators' of this job: this one has none yet), fenced; report
     * back with {@code publishAttemptsCleared}. No publish unit is handed out before: a promotion of an earlier
     * coordinator that lands late (its process frozen past its lease's check) then finds no files to move.
     */
    record ClearPublishAttempts() implements Decision {
    }

    /**
     * Make the winning attempt's files of one part visible under the final names; report back with
     * {@code promoted} or {@code promoteFailed}.
     */
    record Promote(int part, AttemptRef attempt) implements Decision {
    }

    /** Write the job's final files (pca.csv, errors.csv, report, _SUCCESS last) and remove the attempts. */
    record WriteOutputs(Outputs outputs) implements Decision {
    }

    /**
     * Progress for the listener: images listed, and images through the features phase (rows + errors), of which
     * {@code imagesBefore} were through it before this coordinator started (a resumed job's, from its journal).
     */
    record Progress(long listed, boolean listingComplete, long imagesDone, long imagesBefore, long errors)
            implements Decision {
    }

    /** The job entered a stage. */
    record StageStarted(WorkState.Stage stage, String description) implements Decision {
    }

    /** Something an operator should read in the log. */
    record Warn(String text) implements Decision {
    }

    /** A step of the job an operator may look for in the log, nothing amiss (logged at INFO). */
    record Note(String text) implements Decision {
    }

    /** The job is done: tell the listener; the actor stops. */
    record Finished(Outputs outputs) implements Decision {
    }

    /** The job failed; {@code badInput} when the input itself is at fault (exit code 2). */
    record Failed(String reason, boolean badInput) implements Decision {
    }

    /**
     * Everything the final files need, frozen: how many parts were published, every error (listing, images,
     * quarantined), the counts and stage times for the report, each worker's share, and what the generation holds,
     * for its inventory. {@code images} and
     * {@code rows} count the whole generation (for an update, the base generation's kept rows too); {@code unlabelled}
     * the rows of this run's units without a label (an update's kept rows not among them).
     */
    record Outputs(int parts, List<ImageError> errors, long images, long rows, long unlabelled, int units,
                   dev.orchard.protocol.UnitReport.StageNanos stages, long bytesRead, Map<String, Double> stageSeconds,
                   Map<String, WorkerShare> workers, GenerationContents contents) {
    }

    /** One worker's part in the job. */
    record WorkerShare(String host, int assigned, int won, long images) {
    }
}
