package dev.orchard.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The end of a job, as the ledger decides it: the worker is told to drop what it kept for the job (the rows held for
 * publishing) when its own coordinator says the job is over, not when a coordinator it no longer serves does. (The
 * protocol simulator checks the same rule in every generated schedule.)
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
}
