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
    }

    @Test
    void aNamedCommandIsItsOwnAndAMistakeIsABadOption() {
        Result run = execute("run", "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.messages()).contains("Usage: orchard run", "--update");
        Result classify = execute("classify", "--help");
        assertThat(classify.exit()).isZero();
        assertThat(classify.messages()).contains("Usage: orchard classify");
        Result typo = execute("rn", "--input", "x");
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.messages()).contains("Unmatched argument", "run");
    }
}
