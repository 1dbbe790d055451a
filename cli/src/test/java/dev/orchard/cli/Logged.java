package dev.orchard.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;

/** Jobs run in this JVM, and what one logger logged while they ran: for tests of what a job says. */
record Logged(List<JobRun> runs, List<ILoggingEvent> events) {

    /** Runs {@code runs} in order (each may prepare its input first) with {@code logger}'s events kept. */
    @SafeVarargs
    static Logged during(Class<?> logger, Callable<JobRun>... runs) throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(logger);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        List<JobRun> done = new ArrayList<>();
        try {
            for (Callable<JobRun> run : runs) {
                done.add(run.call());
            }
        } finally {
            log.detachAppender(events);
        }
        return new Logged(done, List.copyOf(events.list));
    }

    JobRun run(int i) {
        return runs.get(i);
    }

    /** The events' messages, formatted. */
    List<String> lines() {
        return events.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
