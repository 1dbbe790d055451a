package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** --log-format json: one JSON object per line, the MDC's job, unit and worker in it (the IT checks a real cluster). */
class LogFormatTest {

    @Test
    void aJsonLineCarriesTheMessageAndTheMdc() throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(LogSetup.encoder(context, LogSetup.Format.JSON));
        appender.setOutputStream(out);
        appender.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("dev.orchard.worker.Worker");
        logger.addAppender(appender);
        context.getMDCAdapter().put("jobId", "job-1");
        context.getMDCAdapter().put("unitId", "12");
        context.getMDCAdapter().put("workerId", "10.0.0.6:17355-ab12cd34-w1");
        logger.info("{} unit {} attempt {}: {} rows, {} errors", "FEATURES", 12, 1, 256, 0);
        context.getMDCAdapter().clear();
        logger.warn("a line \"with\" quotes\nand a newline");
        appender.stop();

        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines[0]);
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("loggerName").asText()).isEqualTo("dev.orchard.worker.Worker");
        assertThat(first.path("formattedMessage").asText()).isEqualTo("FEATURES unit 12 attempt 1: 256 rows, 0 errors");
        assertThat(first.path("mdc").path("jobId").asText()).isEqualTo("job-1");
        assertThat(first.path("mdc").path("unitId").asText()).isEqualTo("12");
        assertThat(first.path("mdc").path("workerId").asText()).isEqualTo("10.0.0.6:17355-ab12cd34-w1");
        assertThat(json.readTree(lines[1]).path("formattedMessage").asText()).isEqualTo("a line \"with\" quotes\nand a newline");
        // Numbered in order (they were all 0).
        assertThat(json.readTree(lines[1]).path("sequenceNumber").asLong())
                .isEqualTo(first.path("sequenceNumber").asLong() + 1);
    }

    /**
     * On a terminal a plain line first clears the progress bar's line, which it was written after ("121.0
     * img/s12:44:42.742 INFO ..."); elsewhere (a file, CI) and in JSON, lines are as they were.
     */
    @Test
    void onATerminalAPlainLineFirstClearsTheProgressBarsLine() {
        assertThat(logged(LogSetup.Format.PLAIN, true)).startsWith("\r\u001b[K").endsWith(" INFO  d.o.worker.Worker - one\n");
        assertThat(logged(LogSetup.Format.PLAIN, false)).doesNotContain("\r").doesNotContain("\u001b")
                .endsWith(" INFO  d.o.worker.Worker - one\n");
        assertThat(logged(LogSetup.Format.JSON, true)).startsWith("{").doesNotContain("\u001b");
    }

    private static String logged(LogSetup.Format format, boolean terminal) {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(LogSetup.encoder(context, format, terminal));
        appender.setOutputStream(out);
        appender.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("dev.orchard.worker.Worker");
        logger.addAppender(appender);
        logger.info("one");
        appender.stop();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anUnknownFormatIsABadOption() {
        JobRun run = JobRun.of(null, "run", "--log-format", "xml", "--input", "x", "--output", "y");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.messages()).contains("--log-format 'xml': use plain or json")
                .as("not picocli's reflection (a walk: 'Could not invoke void …LogOptions.logFormat')")
                .doesNotContain("Could not invoke", "java.lang");
    }

    /**
     * Pekko's warning that a connection's stream failed because its peer went (every node, each time another exits)
     * is left out of the console; a stream failure of another cause, and the same words from another logger, are not.
     */
    @Test
    void aPeersGoneStreamWarningIsLeftOutAndOtherStreamFailuresAreNot() {
        LoggerContext context = new LoggerContext();
        new LogSetup().configure(context);
        var console = (ch.qos.logback.core.ConsoleAppender<ILoggingEvent>) context
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(LogSetup.APPENDER);
        String gone = "[outbound connection to [pekko://orchard@127.0.0.1:44381], message stream] Upstream failed,"
                + " cause: StreamTcpException: The connection has been aborted";
        String tls = "[outbound connection to [pekko://orchard@127.0.0.1:44381], message stream] Upstream failed,"
                + " cause: SSLHandshakeException: PKIX path building failed";
        assertThat(console.getFilterChainDecision(warning(context, PeerGoneFilter.LOGGER, gone)))
                .isEqualTo(ch.qos.logback.core.spi.FilterReply.DENY);
        assertThat(console.getFilterChainDecision(warning(context, PeerGoneFilter.LOGGER, tls)))
                .isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
        assertThat(console.getFilterChainDecision(warning(context, "dev.orchard.worker.Worker", gone)))
                .isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
        context.stop();
    }

    /**
     * A worker waiting for a coordinator logged Pekko's "Couldn't join seed nodes after [N] attempts" every 5 s for good
     * (a walk): the same words, numbers aside, show the 1st, 2nd, 4th, 8th … time, and from the 1st again after 5
     * quiet minutes; other words, and Orchard's own lines, always.
     */
    @Test
    void pekkosRepeatedWarningsAreThinnedOut() {
        LoggerContext context = new LoggerContext();
        long[] now = {0};
        RepeatedWarningFilter filter = new RepeatedWarningFilter(() -> now[0]);
        String cluster = "org.apache.pekko.cluster.Cluster";
        java.util.List<Integer> shown = new java.util.ArrayList<>();
        for (int attempt = 1; attempt <= 40; attempt++) {
            now[0] += java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            String message = "Cluster Node [pekko://orchard@127.0.0.1:42279] - Couldn't join seed nodes after [" + attempt
                    + "] attempts, will try again. seed-nodes=[pekko://orchard@127.0.0.1:17412]";
            if (filter.decide(warning(context, cluster, message)) == ch.qos.logback.core.spi.FilterReply.NEUTRAL) {
                shown.add(attempt);
            }
            assertThat(filter.decide(warning(context, "dev.orchard.cli.CoordinatorWatch", message)))
                    .as("Orchard's own").isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
        }
        assertThat(shown).containsExactly(1, 2, 4, 8, 16, 32);
        new LogSetup().configure(context); // and on the console, as set up
        var console = (ch.qos.logback.core.ConsoleAppender<ILoggingEvent>) context
                .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(LogSetup.APPENDER);
        java.util.List<ch.qos.logback.core.spi.FilterReply> replies = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replies.add(console.getFilterChainDecision(warning(context, cluster, "the same words")));
        }
        assertThat(replies).containsExactly(ch.qos.logback.core.spi.FilterReply.NEUTRAL,
                ch.qos.logback.core.spi.FilterReply.NEUTRAL, ch.qos.logback.core.spi.FilterReply.DENY);
        assertThat(filter.decide(warning(context, cluster, "another warning")))
                .isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
        String refused = "[outbound connection to [pekko://orchard@127.0.0.1:%d], control stream] Upstream failed, cause:"
                + " StreamTcpException: Tcp command [Connect(127.0.0.1/<unresolved>:%1$d,None,List(),Some(5000"
                + " milliseconds),true)] failed because of java.net.ConnectException: Connection refused";
        String materializer = "org.apache.pekko.stream.Materializer";
        filter.decide(warning(context, materializer, String.format(refused, 17417)));
        assertThat(filter.decide(warning(context, materializer, String.format(refused, 17418))))
                .as("another peer's").isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
        // A worker node on port 0 that rejoined is a fresh node on another port: the same warning, thinned on.
        String fresh = "Cluster Node [pekko://orchard@127.0.0.1:%d] - Couldn't join seed nodes after [1] attempts, will"
                + " try again. seed-nodes=[pekko://orchard@127.0.0.1:17999]";
        assertThat(filter.decide(warning(context, cluster, String.format(fresh, 40001)))).isEqualTo(
                ch.qos.logback.core.spi.FilterReply.NEUTRAL);
        assertThat(filter.decide(warning(context, cluster, String.format(fresh, 40002)))).isEqualTo(
                ch.qos.logback.core.spi.FilterReply.NEUTRAL);
        assertThat(filter.decide(warning(context, cluster, String.format(fresh, 40003))))
                .as("the third time, from a third incarnation's port").isEqualTo(ch.qos.logback.core.spi.FilterReply.DENY);
        now[0] += RepeatedWarningFilter.QUIET_NANOS + 1;
        assertThat(filter.decide(warning(context, cluster, "Cluster Node [pekko://orchard@127.0.0.1:42279] - Couldn't join"
                + " seed nodes after [41] attempts, will try again. seed-nodes=[pekko://orchard@127.0.0.1:17412]")))
                .as("after 5 quiet minutes, a new outage").isEqualTo(ch.qos.logback.core.spi.FilterReply.NEUTRAL);
        context.stop();
    }

    private static ILoggingEvent warning(LoggerContext context, String logger, String message) {
        return new ch.qos.logback.classic.spi.LoggingEvent(LogFormatTest.class.getName(), context.getLogger(logger),
                ch.qos.logback.classic.Level.WARN, message, null, null);
    }
}
