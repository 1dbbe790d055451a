package dev.orchard.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Thins out Pekko's warnings that repeat the same words: each is shown the 1st, 2nd, 4th, 8th … time in a row, and
 * again from the 1st once it has been quiet for {@link #QUIET_NANOS}. A worker node waiting for a coordinator (a
 * service between jobs, for hours) logged "Couldn't join seed nodes after [N] attempts" every 5 s and two "Connection
 * refused" stream failures every second, for good (a multi-JVM walk); Orchard's own "No coordinator found" line,
 * itself less and less often, points at them for the reason. Their first lines say why; the rest said it again.
 * Words are compared as they are, but for the count of attempts (a port, say, tells two peers apart) and the node's own
 * address in Pekko's "Cluster Node [ADDRESS] - " prefix: a worker node on port 0 that rejoins is a fresh node on
 * another port, and every rejoin started the count again (an operator's walk). Orchard's own lines are never thinned.
 */
final class RepeatedWarningFilter extends Filter<ILoggingEvent> {
    static final long QUIET_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
    /** Distinct repeated warnings remembered at most: a node's peers and streams, not an unbounded set. */
    private static final int REMEMBERED = 1024;
    /** "after [17] attempts": the one number that changes in Pekko's join warning. */
    private static final String ATTEMPTS = "\\[\\d+\\] attempts";
    /** Pekko's cluster lines begin with the logging node's own address (and its data centre). */
    private static final java.util.regex.Pattern SELF = java.util.regex.Pattern.compile("^Cluster Node \\[[^\\]]*\\]");

    private record Seen(long count, long lastNanos) {
    }

    private final ConcurrentHashMap<String, Seen> seen = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    RepeatedWarningFilter() {
        this(System::nanoTime);
    }

    RepeatedWarningFilter(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (event.getLevel() != Level.WARN || !event.getLoggerName().startsWith("org.apache.pekko.")) {
            return FilterReply.NEUTRAL;
        }
        String message = event.getFormattedMessage();
        if (message == null) {
            return FilterReply.NEUTRAL;
        }
        if (seen.size() >= REMEMBERED) {
            seen.clear();
        }
        long now = clock.getAsLong();
        String words = SELF.matcher(message).replaceFirst("Cluster Node [self]").replaceAll(ATTEMPTS, "[#] attempts");
        Seen s = seen.compute(event.getLoggerName() + " " + words,
                (key, before) -> before == null || now - before.lastNanos() > QUIET_NANOS ? new Seen(1, now)
                        : new Seen(before.count() + 1, now));
        return Long.bitCount(s.count()) == 1 ? FilterReply.NEUTRAL : FilterReply.DENY; // 1, 2, 4, 8 …
    }
}
