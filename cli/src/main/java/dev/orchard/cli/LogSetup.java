package dev.orchard.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Locale;

/**
 * Orchard's logging set up in code (found by Logback through META-INF/services): the same as a logback.xml with
 * one stderr appender, but without Logback's XML configurator, which took 0.3–0.6 s of every start. A
 * {@code -Dlogback.configurationFile=FILE} or a {@code logback-test.xml} on the class path still wins.
 * <p>Lines are plain text for people, or with {@code --log-format json} (or {@code ORCHARD_LOG_FORMAT=json}) one JSON
 * object per line from Logback's {@link JsonEncoder}, whose {@code mdc} holds {@code jobId}, {@code unitId} and
 * {@code workerId} where the work happens (the coordinator, the worker actors and their pipeline threads).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String APPENDER = "STDERR";
    static final String FORMAT_VARIABLE = "ORCHARD_LOG_FORMAT";

    /** How each line is written. */
    public enum Format {
        PLAIN, JSON;

        static Format parse(String text, String source) {
            try {
                return valueOf(text.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + " '" + text + "': use plain or json");
            }
        }
    }

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        String variable = System.getenv(FORMAT_VARIABLE);
        Format format = Format.PLAIN;
        if (variable != null && !variable.isBlank()) {
            try {
                format = Format.parse(variable, "$" + FORMAT_VARIABLE);
            } catch (IllegalArgumentException e) {
                System.err.println("orchard: " + e.getMessage() + "; logging plain text");
            }
        }
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName(APPENDER);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder(context, format));
        PeerGoneFilter peerGone = new PeerGoneFilter();
        peerGone.setContext(context);
        peerGone.start();
        stderr.addFilter(peerGone);
        RepeatedWarningFilter repeated = new RepeatedWarningFilter();
        repeated.setContext(context);
        repeated.start();
        stderr.addFilter(repeated);
        stderr.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("org.apache.pekko").setLevel(Level.WARN);
        context.getLogger("org.apache.parquet").setLevel(Level.WARN);
        // A taken --http port is reported to the user, naming the flag; Pekko's own error and stack trace add nothing.
        context.getLogger("org.apache.pekko.io.TcpListener").setLevel(Level.OFF);
        context.getLogger("dev.orchard").setLevel(Level.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * Switches the running log to {@code format} (for {@code --log-format}, parsed after logging started). A log
     * configured by a file is left alone.
     */
    static void use(Format format) {
        if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Appender<ILoggingEvent> appender = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(APPENDER);
        if (appender instanceof ConsoleAppender<ILoggingEvent> console) {
            Encoder<ILoggingEvent> old = console.getEncoder();
            boolean isJson = old instanceof JsonEncoder;
            if (isJson != (format == Format.JSON)) {
                console.setEncoder(encoder(context, format));
                old.stop();
            }
        }
    }

    /**
     * On a terminal, where the progress bar redraws its line in place ({@link ProgressReporter}), each plain line first
     * clears that line (carriage return, ANSI erase to the end of the line): it was written after the bar's text
     * ("121.0 img/s12:44:42.742 INFO ..."), and the bar draws itself again below.
     */
    static final String CLEAR_LINE = "\r\u001b[K";

    /**
     * Whether the progress bar is drawn (as {@link ProgressReporter} is told): stderr, where it and the log go, is a
     * terminal. The launcher tells ({@code -Dorchard.stderr.tty}, from the shell's {@code -t 2}); Java alone can only
     * tell whether stdin and stdout are (a {@code 2>run.log} from a shell got the bar's control characters).
     */
    static boolean terminal() {
        String told = System.getProperty("orchard.stderr.tty");
        return told != null ? Boolean.parseBoolean(told) : System.console() != null;
    }

    static Encoder<ILoggingEvent> encoder(LoggerContext context, Format format) {
        return encoder(context, format, terminal());
    }

    static Encoder<ILoggingEvent> encoder(LoggerContext context, Format format, boolean terminal) {
        if (format == Format.JSON) {
            if (context.getSequenceNumberGenerator() == null) {
                // Without one, every line's sequenceNumber was 0 (an observability walk).
                context.setSequenceNumberGenerator(new ch.qos.logback.core.spi.BasicSequenceNumberGenerator());
            }
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithFormattedMessage(true); // the line as people read it, beside the pattern and its arguments
            json.setWithContext(false);
            json.start();
            return json;
        }
        PatternLayoutEncoder plain = new PatternLayoutEncoder();
        plain.setContext(context);
        plain.setPattern((terminal ? CLEAR_LINE : "") + "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        plain.start();
        return plain;
    }
}
