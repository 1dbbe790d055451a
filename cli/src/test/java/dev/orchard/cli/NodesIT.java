package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a multi-JVM test's failed wait says about its nodes: the report CI's logs would otherwise lose. */
class NodesIT {

    @Test
    void aWaitThatTimesOutNamesEachNodesStateAndHowItsLogEnds(@TempDir Path temp) throws Exception {
        try (Nodes nodes = new Nodes(temp)) {
            Process refused = nodes.start("refused", "worker", "--join", "127.0.0.1:1", "--bind", "127.0.0.1:notaport");
            Process version = nodes.start("version", "--version");
            refused.waitFor();
            version.waitFor();
            String summary = "nodes: refused exited 2, version exited 0";
            assertThatThrownBy(() -> nodes.await("nothing", Duration.ofMillis(1), () -> false))
                    .isInstanceOf(AssertionError.class)
                    .message()
                    .startsWith("timed out after PT0.001S waiting for nothing; " + summary + "\n")
                    .endsWith("\n" + summary)
                    .contains("--- refused exited 2: ", "--bind '127.0.0.1:notaport' is not host:port")
                    .contains("--- version exited 0", "orchard ");
        }
    }
}
