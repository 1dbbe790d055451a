package dev.orchard.cli;

import dev.orchard.store.UnusableLocationException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code orchard} command. */
@Command(name = "orchard", mixinStandardHelpOptions = true, versionProvider = Orchard.Version.class,
        description = "Images in a folder or S3 → MobileNetV2 features → exact PCA → Parquet, on one machine or a cluster.")
public final class Orchard {
    /** The subcommands, in the order {@code orchard --help} lists them. */
    private static final List<Class<?>> COMMANDS = List.of(RunCommand.class, CoordinatorNodeCommand.class,
            WorkerNodeCommand.class, dev.orchard.classify.ClassifyCommand.class);

    /**
     * When this JVM is exiting (a signal, Ctrl-C), says so to {@code err}, with how to continue, and returns true: the
     * failure at hand is then the exit's doing (an actor system that "cannot create children while terminating", an
     * interrupted write), not worth showing.
     */
    static boolean reportedStop(java.io.PrintWriter err) {
        if (!dev.orchard.worker.JvmExit.began()) {
            return false;
        }
        if (!StopNotice.speaks()) { // else the notice's hook says it, once the node has stopped
            sayStopped(err);
        }
        return true;
    }

    /** Whether the exit's line has been said in this JVM (tests of the line in one JVM set it back). */
    static final java.util.concurrent.atomic.AtomicBoolean STOP_SAID = new java.util.concurrent.atomic.AtomicBoolean();

    /** Says {@code line}, the one line of this JVM's exit about its job, unless one was said already. */
    static void sayOnce(java.io.PrintWriter err, String line) {
        if (STOP_SAID.compareAndSet(false, true)) {
            err.println(line);
        }
    }

    /**
     * Says, once per JVM, that the job was stopped before it ended and how to continue. From the failure the exit
     * caused ({@link #reportedStop}) or from a shutdown hook ({@link RunCommand}): the JVM may halt before the job's
     * failure reaches the thread that reports it, and a SIGTERM left no line at all.
     */
    static void sayStopped(java.io.PrintWriter err) {
        // Only committed units survive a stop: it said "the work done is kept", and a resume redid all of it. Not "asked
        // to exit (a signal)" alone: Pekko ends the JVM on a fatal error (an OutOfMemoryError) too, and the JDK does not
        // say which began the exit.
        sayOnce(err, "orchard: stopped before the job ended: this JVM began to exit (a signal, Ctrl-C, or a fatal error"
                + " logged above): the same command with --resume continues the job (an --update: the same command as it"
                + " was), keeping the units whose statistics were committed (every --commit-every units, once the oldest"
                + " has waited a minute, and as the workers or the coordinator stopped) and doing the others again.");
    }

    public static void main(String[] args) {
        StartupTimes.touch(); // the time main starts, for the start-up breakdown of `orchard run`
        // The build, read now (its stamp, on a thread of its own): a jar replaced while the job runs is not this JVM's.
        dev.orchard.coordinator.Build.prefetch();
        // Initialise logging before any thread logs, so SLF4J has nothing to replay.
        org.slf4j.LoggerFactory.getLogger(Orchard.class);
        String refusal = ArgumentBytes.refusal(args);
        if (refusal != null) {
            System.err.println(refusal);
            System.exit(2);
        }
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (0 ok, 1 job failed, 2 bad usage). */
    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, with messages for the user going to {@code err}. */
    public static int execute(java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Orchard());
        // Picocli builds a command's model by reflection over every option of it and its mixins, on the critical
        // path of every start: parsing `run` took 0.22-0.30 s in a fresh JVM with all four built, 0.18-0.24 s with
        // run's alone. A line that names a subcommand first gets that one; any other (no arguments, --help, a typo)
        // gets them all, so help and suggestions are whole.
        String named = args.length > 0 ? args[0] : null;
        List<Class<?>> wanted = COMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(named)).toList();
        for (Class<?> command : wanted.isEmpty() ? COMMANDS : wanted) {
            cli.addSubcommand(command);
        }
        cli.addSubcommand(new CommandLine.HelpCommand());
        if (cli.getSubcommands().containsKey("coordinator")) {
            CoordinatorNodeCommand.markWorkerOptions(cli.getSubcommands().get("coordinator"));
        }
        if (cli.getSubcommands().containsKey("classify")) {
            CommandLine classify = cli.getSubcommands().get("classify");
            StoreOptions store = new StoreOptions();
            dev.orchard.classify.ClassifyCommand.readsStoreOptions(classify, store, store::s3);
            dev.orchard.classify.ClassifyCommand.showPairOnce(classify);
        }
        cli.registerConverter(java.time.Duration.class, new DurationOption()); // after the subcommands: theirs too
        cli.setErr(err);
        // A bad option: what is wrong, a suggestion where picocli has one, and where the options are; the whole usage
        // (120 lines for run) buried the one line that mattered.
        cli.setParameterExceptionHandler((e, arguments) -> {
            CommandLine failed = e.getCommandLine();
            String jobs = failed.getCommand() instanceof WorkerNodeCommand
                          && e instanceof CommandLine.UnmatchedArgumentException u
                          ? WorkerNodeCommand.jobsOptionsNote(u.getUnmatched()) : null;
            if (jobs != null) { // not "Unknown option" and picocli's guess at a worker option it resembles
                failed.getErr().println("orchard: " + jobs);
            } else {
                failed.getErr().println("orchard: " + e.getMessage());
            }
            if (jobs == null && !CommandLine.UnmatchedArgumentException.printSuggestions(e, failed.getErr())
                    && !failed.getSubcommands().isEmpty()) {
                failed.getErr().println("Its commands: " + String.join(", ", failed.getSubcommands().keySet()) + ".");
            }
            failed.getErr().println("See '" + failed.getCommandSpec().qualifiedName() + " --help' for its options.");
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (reportedStop(cmd.getErr())) {
                return 1;
            }
            // Escaped: a message names files, and a name's control characters reached the terminal (a user's walk).
            cmd.getErr().println("orchard: " + dev.orchard.store.Printable.message(dev.orchard.store.FailureReason.of(e)
                    + (e instanceof java.nio.file.InvalidPathException ? dev.orchard.store.FileNames.localeHint() : "")));
            // A location only the user can change (a missing bucket, access, nothing at the prefix) is bad input as
            // much as a missing folder is, and so is a file of Orchard's in the output damaged since it was written; an
            // endpoint that did not answer may answer next time (1).
            return e instanceof IllegalArgumentException || e instanceof UnusableLocationException
                    || e instanceof dev.orchard.store.DamagedFileException ? 2 : 1;
        });
        try {
            return cli.execute(args);
        } catch (Error e) {
            // picocli passes a command's errors on. One thrown as the JVM exits is the exit's doing: ONNX Runtime's
            // first use registers a shutdown hook, which the JVM refuses then, so a signal while a model loads (in
            // orchard run, or a coordinator node) printed "Exception in thread main" under the stop's line.
            if (reportedStop(err)) {
                return 1;
            }
            throw e;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var v = dev.orchard.coordinator.Versions.all();
            return new String[] {"orchard " + v.get("orchard"), "onnxruntime " + v.get("onnxruntime"),
                    "pekko " + v.get("pekko"), "java " + v.get("java"),
                    "build " + v.get("build") + " (every node of a cluster runs the same)"};
        }
    }
}
