package dev.orchard.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How the log is written: plain lines for people, or one JSON object per line for log pipelines. */
final class LogOptions {

    @Option(names = "--log-format", paramLabel = "plain|json",
            description = "plain (default) or json: one JSON object per line (Logback's JsonEncoder) with jobId, unitId "
                    + "and workerId in its mdc; also $ORCHARD_LOG_FORMAT.")
    void logFormat(String format) {
        try {
            LogSetup.use(LogSetup.Format.parse(format, "--log-format"));
        } catch (IllegalArgumentException e) { // thrown from a setter, picocli wrapped it in its reflection's words
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;
}
