package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The command line builds only the subcommand a line names; help and mistakes still see every command. */
class OrchardCommandTest {

    private record Result(int exit, String messages) {
    }

    private static Result execute(String... args) {
        StringWriter err = new StringWriter();
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true));
        try {
            int exit = Orchard.execute(new PrintWriter(err, true), args);
            return new Result(exit, printed + err.toString());
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void helpListsEveryCommandInOrder() {
        Result help = execute("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.messages()).containsSubsequence("run ", "coordinator ", "worker ", "classify ", "help ");
        Result helpRun = execute("help", "run");
        assertThat(helpRun.exit()).isZero();
        assertThat(helpRun.messages()).contains("Usage: orchard run", "--input");
        // Each command's summary is a whole sentence (classify's was cut off mid-phrase: "... by label, standardised").
        assertThat(help.messages()).contains("classify     Learns a linear classifier from a job's output, or labels",
                "images with one (--apply).");
    }

    /** --overwrite's help names everything it deletes: OutputLayout's list, and classify's outputs (both were missing). */
    @Test
    void overwritesHelpNamesWhatItDeletes() {
        String help = execute("run", "--help").messages().replaceAll("\\s+", " ");
        String overwrite = help.substring(help.indexOf("--overwrite Replace"), help.indexOf("--resume Finish"));
        String compact = overwrite.replace(" ", ""); // picocli may wrap inside a name ("errors.\ncsv")
        for (String name : dev.orchard.store.OutputLayout.KNOWN_OUTPUTS) {
            assertThat(compact).contains(name);
        }
        assertThat(overwrite).contains("classify-<mode>/", "predictions-<classifier>.parquet");
    }

    @Test
    void aNamedCommandIsItsOwnAndAMistakeIsABadOption() {
        Result run = execute("run", "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.messages()).contains("Usage: orchard run", "--update");
        Result classify = execute("classify", "--help");
        assertThat(classify.exit()).isZero();
        assertThat(classify.messages()).contains("Usage: orchard classify", "[--pair=CLASS CLASS |")
                .as("one --pair is taken").doesNotContain("[--pair=CLASS CLASS]...");
        // A job's listing and size bound are the job's options, not every S3 user's (classify listed both, unused).
        assertThat(classify.messages()).contains("--endpoint-url", "--s3-max-attempts")
                .doesNotContain("--list-parallelism", "--max-object-bytes");
        assertThat(execute("worker", "--help").messages()).contains("--endpoint-url")
                .doesNotContain("--list-parallelism", "--max-object-bytes");
        assertThat(run.messages()).contains("--list-parallelism", "--max-object-bytes");
        Result typo = execute("rn", "--input", "x");
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.messages()).contains("Unmatched argument", "run");
    }

    /**
     * A bad option says what is wrong and where the options are, not the whole usage (120 lines for run, the one
     * that mattered above them); a duration takes the short forms a user types.
     */
    @Test
    void aBadOptionIsOneLineAndAPointerToHelp() {
        Result duration = execute("run", "--input", "in", "--output", "out", "--unit-timeout", "10x");
        assertThat(duration.exit()).isEqualTo(2);
        assertThat(duration.messages()).contains("--unit-timeout", "'10x' is not a duration", "10m",
                "See 'orchard run --help'").doesNotContain("Usage:");
        assertThat(duration.messages().lines().count()).isLessThanOrEqualTo(3);
        Result repeated = execute("run", "--pca-k", "5", "--pca-k", "6");
        assertThat(repeated.exit()).isEqualTo(2);
        assertThat(repeated.messages()).contains("--pca-k").doesNotContain("Usage:");
    }

    @Test
    void durationsTakeShortFormsAndIso8601() {
        assertThat(DurationOption.parse("10m")).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(DurationOption.parse("90s")).isEqualTo(java.time.Duration.ofSeconds(90));
        assertThat(DurationOption.parse("2h")).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(DurationOption.parse("500ms")).isEqualTo(java.time.Duration.ofMillis(500));
        assertThat(DurationOption.parse("1d")).isEqualTo(java.time.Duration.ofDays(1));
        assertThat(DurationOption.parse("PT10M")).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(DurationOption.parse("pt1h30m")).isEqualTo(java.time.Duration.ofMinutes(90));
    }
}
