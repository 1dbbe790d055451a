package dev.orchard.cli;

import picocli.CommandLine;

/** The options tests' one way to fill an options class from a command line, as picocli does for a command. */
final class OptionsParsing {
    private OptionsParsing() {
    }

    /** {@code options}, with {@code args} parsed into it. */
    static <T> T parse(T options, String... args) {
        new CommandLine(options).parseArgs(args);
        return options;
    }
}
