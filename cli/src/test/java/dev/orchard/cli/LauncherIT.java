package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code orchard} launcher: the options it gives Java, and the class-data-sharing archive the build wrote. */
class LauncherIT {

    /**
     * The build dumps the classes a short job loads into {@code orchard.jar.jsa} (cli/src/main/cds/dump-archive.sh),
     * and the launcher maps them. Fails when the archive is missing or refused, or holds too little of what a job
     * loads (say, a training job that stopped early).
     */
    @Test
    void aJobLoadsMostOfItsClassesFromTheBuildsArchive(@TempDir Path temp) throws Exception {
        Path home = launcherHome(temp);
        Path loaded = temp.resolve("classes.log");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("orchard").toString(), "run",
                "--input", JobRun.shared().resolve("data/fruits360-sample/Banana").toString(),
                "--output", temp.resolve("out").toString(), "--model", JobRun.model(), "--pca-k", "2")
                .redirectErrorStream(true).redirectOutput(temp.resolve("job.log").toFile());
        builder.environment().remove("ORCHARD_CDS");
        builder.environment().put("ORCHARD_JAVA_OPTS", "-Xmx1g -Xlog:class+load=info:file=" + loaded);
        Process job = builder.start();
        assertThat(job.waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(job.exitValue()).as(Files.readString(temp.resolve("job.log"))).isZero();
        // The build stamped the jar with its build (Build.main, cli/pom.xml): the digest of its entries, which the job
        // read rather than made, and recorded.
        String build = dev.orchard.coordinator.Build.of(Nodes.jar());
        assertThat(dev.orchard.coordinator.Build.stamp(Nodes.jar())).as("the build's stamp in %s", Nodes.jar())
                .isEqualTo(build);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(temp.resolve("out/_SUCCESS").toFile())
                .at("/versions/build").asText()).isEqualTo(build);

        // Classes read from a file, the jar or the JDK's modules, or mapped from the archive; lambdas and other
        // classes made at run time ("source: <the class that made it>") are neither.
        List<String> classes = Files.readAllLines(loaded).stream().filter(l -> l.endsWith("source: shared objects file")
                || l.contains(" source: file:") || l.contains(" source: jrt:")).toList();
        long shared = classes.stream().filter(l -> l.endsWith("source: shared objects file")).count();
        List<String> fromFiles = classes.stream().filter(l -> !l.endsWith("source: shared objects file")).limit(20).toList();
        assertThat(classes).hasSizeGreaterThan(5_000);
        assertThat(shared).as("classes mapped from the archive, of %d loaded; some loaded from files: %s%n"
                        + "was the archive made (the build's output of cli/src/main/cds/dump-archive.sh) and used?",
                classes.size(), fromFiles).isGreaterThan(classes.size() * 9L / 10);
    }

    /**
     * The build's second training job reads from S3 over HTTPS (S3ArchiveTraining), so the archive also holds what an
     * S3 job loads and a local one does not: the JDK's TLS client and Orchard's S3 reads, not the stand-in itself.
     */
    @Test
    void theArchiveAlsoHoldsTheClassesOfAnS3JobOverHttps() throws Exception {
        Process dump = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:SharedArchiveFile=" + Nodes.jar() + ".jsa", "-XX:+PrintSharedArchiveAndExit", "-cp",
                Nodes.jar().toString()).redirectErrorStream(true).start();
        String archived = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(dump.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(archived).contains("archive is valid");
        assertThat(archived.lines().map(l -> l.trim().replaceFirst("^\\d+: ", "").replaceFirst(" \\S+_loader$", "")))
                .as("the archive's classes (cli/src/main/cds/dump-archive.sh: did the S3 training job run?)")
                .contains("org.conscrypt.Java8EngineSocket", "org.conscrypt.NativeSsl", "dev.orchard.store.s3.S3Tls",
                        "dev.orchard.store.s3.S3Requests", "dev.orchard.store.s3.SigV4", "dev.orchard.store.s3.ListingXml",
                        "dev.orchard.worker.image.TurboJpegDecoder")
                .noneMatch(c -> c.startsWith("dev.orchard.cli.S3ArchiveTraining"));
    }

    @Test
    void aJobGetsTheLaunchersJitSettingsAnUpdateTheQuickCompilerAndTheUsersOptionsWin(@TempDir Path temp)
            throws Exception {
        Path home = launcherHome(temp);
        // A stand-in for java on the PATH that prints the options it was given: the launcher's rule, not the JVM's.
        Path bin = Files.createDirectories(temp.resolve("bin"));
        standInJava(bin, "echo \"$*\"");

        assertThat(launch(home, bin, null, "run", "--input", "in", "--output", "out"))
                .contains("-Xmx4g").contains("-XX:Tier4InvocationThreshold=50000").doesNotContain("TieredStopAtLevel");
        assertThat(launch(home, bin, null, "run", "--input", "in", "--output", "out", "--update"))
                .contains("-XX:TieredStopAtLevel=1").contains("-Xmx4g");
        // The user's options come after the launcher's, so that the JVM takes theirs (the last of each wins).
        String options = launch(home, bin, "-Xmx2g -XX:TieredStopAtLevel=4", "run", "--input", "in", "--output", "out",
                "--update");
        assertThat(options.indexOf("-Xmx2g")).as(options).isGreaterThan(options.indexOf("-Xmx4g"));
        assertThat(options.indexOf("-XX:TieredStopAtLevel=4")).as(options)
                .isGreaterThan(options.indexOf("-XX:TieredStopAtLevel=1"));
        assertThat(options.indexOf("-jar")).as(options).isGreaterThan(options.indexOf("-XX:TieredStopAtLevel=4"));
    }

    @Test
    void anInstalledJarRunsAsItIsOnTheJavaNamedWithTheLaunchersSettings(@TempDir Path temp) throws Exception {
        // As orchard-node starts a node on EC2: the launcher alone beside the installed jar, no sources to build from,
        // ORCHARD_JAR the jar, ORCHARD_JAVA the node's java, and a heap sized by the machine's memory.
        Path app = Files.createDirectories(temp.resolve("opt/orchard"));
        Path script = launcherIn(app);
        Path jar = Files.writeString(app.resolve("orchard.jar"), "the installed jar: run as it is, never rebuilt\n");
        Path java = standInJava(Files.createDirectories(temp.resolve("corretto/bin")), "echo \"$0 $*\"");

        String options = launch(app, Map.of("ORCHARD_JAR", jar.toString(), "ORCHARD_JAVA", java.toString(),
                "ORCHARD_JAVA_OPTS", "-XX:MaxRAMPercentage=60"), "worker", "--join", "10.0.0.5:17355");
        assertThat(options).startsWith(java + " ").contains("-XX:Tier4InvocationThreshold=50000")
                .contains("-XX:MaxRAMPercentage=60 -jar " + jar + " worker --join 10.0.0.5:17355")
                .as("-Xmx would override the user's MaxRAMPercentage").doesNotContain("-Xmx4g");

        ProcessBuilder missing = new ProcessBuilder(script.toString(), "worker").redirectErrorStream(true);
        missing.environment().put("ORCHARD_JAR", app.resolve("absent.jar").toString());
        Process run = missing.start();
        String said = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(1, TimeUnit.MINUTES)).isTrue();
        assertThat(run.exitValue()).as(said).isEqualTo(2);
        assertThat(said).contains("ORCHARD_JAR=" + app.resolve("absent.jar") + " is not a file");
    }

    /**
     * Two launchers started at once from a checkout whose sources are newer than the jar (a coordinator and a worker
     * started together after a pull) build it once: the second waits for the first's build, then finds the jar
     * current. Each ran Maven in the same tree before, and the real jar once went missing that way.
     */
    @Test
    void launchersStartedTogetherOnChangedSourcesBuildTheJarOnce(@TempDir Path temp) throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        launcherIn(home);
        Files.writeString(home.resolve("pom.xml"), "<project/>\n"); // sources, and no jar yet
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Path builds = temp.resolve("builds.txt");
        // A stand-in Maven that notes each build, then takes three seconds to write the jar, as `package` does.
        standInMaven(bin, builds, "sleep 3\nmkdir -p cli/target && echo 'a jar' > cli/target/orchard.jar");
        standInJava(bin, "echo \"ran $*\"");
        Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"));
        // The second starts once the first's build has begun, so that the two overlap however the processes are
        // scheduled: without the lock it finds no jar and builds too.
        Process first = started(home, env, "--version");
        Nodes.poll("the first launcher's build", Duration.ofMinutes(1), () -> Files.exists(builds));
        List<Process> launchers = List.of(first, started(home, env, "--version"));
        for (Process launcher : launchers) {
            Launched launched = ended(launcher);
            assertThat(launched.exit()).as(launched.output()).isZero();
            assertThat(launched.output()).contains("ran ").contains("orchard.jar --version");
        }
        assertThat(Files.readAllLines(builds)).as("Maven's runs").hasSize(1);
    }

    /**
     * The jar is rebuilt when one of its sources is newer, and only then: a newer test, benchmark or reader's test
     * (modules the jar does not hold) leaves it as it is; a newer main source of a module it holds, or the parent pom,
     * rebuilds it.
     */
    @Test
    void onlyTheJarsOwnSourcesBeingNewerRebuildIt(@TempDir Path temp) throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        launcherIn(home);
        Path jar = Files.createDirectories(home.resolve("cli/target")).resolve("orchard.jar");
        Files.writeString(jar, "a jar\n");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000)); // built an hour ago
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Path builds = temp.resolve("builds.txt");
        // A stand-in Maven that notes each build and writes the jar anew.
        standInMaven(bin, builds, "touch cli/target/orchard.jar");
        standInJava(bin, "echo \"ran $*\"");
        Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"));
        List<String> notSources = List.of("worker/src/test/java/dev/orchard/worker/SomeTest.java",
                "cli/src/test/resources/logback-test.xml", "bench/src/main/java/dev/orchard/bench/Bench.java",
                "bench/pom.xml", "interop/src/test/java/dev/orchard/interop/SomeIT.java", "deploy-ec2/pom.xml");
        for (String file : notSources) {
            editedAfter(home.resolve(file), jar);
        }
        Launched unchanged = ended(started(home, env, "--version"));
        assertThat(unchanged.exit()).as(unchanged.output()).isZero();
        assertThat(unchanged.output()).contains("ran ");
        assertThat(builds).as("Maven ran for " + notSources).doesNotExist();
        for (String file : List.of("worker/src/main/java/dev/orchard/worker/Worker.java", "pom.xml")) {
            editedAfter(home.resolve(file), jar); // newer than the jar the last build wrote
            Launched rebuilt = ended(started(home, env, "--version"));
            assertThat(rebuilt.exit()).as(rebuilt.output()).isZero();
            assertThat(rebuilt.output()).as(file).contains("building " + jar);
        }
        assertThat(Files.readAllLines(builds)).as("Maven's runs").hasSize(2);
    }

    /**
     * A path typed with a byte that is not UTF-8 ({@code out\xffbad}) reached Java as {@code out\uFFFDbad}: the job
     * wrote there, or into an existing folder of that name (users' walks). The JVM's own command line tells it apart
     * from a name that really holds U+FFFD, which is taken.
     */
    @Test
    void anArgumentWhoseBytesAreNotUtf8IsRefusedAndARealReplacementCharacterIsTaken(@TempDir Path temp) throws Exception {
        Path home = launcherHome(temp);
        Files.createDirectories(temp.resolve("out\uFFFDbad")); // where the job wrote before
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", "exec \"$0\" run --input \"$1\" --output \"$(printf "
                + "'%s/out\\377bad' \"$2\")\" --no-http", home.resolve("orchard").toString(),
                temp.resolve("in").toString(), temp.toString()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("ORCHARD_") || name.startsWith("LANG")
                || name.startsWith("LC_"));
        builder.environment().put("ORCHARD_CDS", "off");
        Launched refused = ended(builder.start());
        assertThat(refused.exit()).as(refused.output()).isEqualTo(2);
        assertThat(refused.output()).contains("has bytes that are not UTF-8 text").contains("out\uFFFDbad");
        assertThat(temp.resolve("out\uFFFDbad")).isEmptyDirectory();

        // A folder really named with U+FFFD (UTF-8 EF BF BD) is an input like any other.
        Path in = Files.createDirectories(temp.resolve("caf\uFFFD/Kiwi"));
        Files.copy(JobRun.shared().resolve("models/testimages/siamese_cat.jpg"), in.resolve("a.jpg"));
        Files.copy(JobRun.shared().resolve("models/testimages/house_finch.jpeg"), in.resolve("b.jpg"));
        Launched taken = launched(home, Map.of("ORCHARD_JAVA_OPTS", "-Xmx1g"), "run", "--input",
                in.getParent().toString(), "--output", temp.resolve("out").toString(), "--model", JobRun.model(),
                "--pca-k", "1", "--no-http");
        assertThat(taken.exit()).as(taken.output()).isZero();
        assertThat(taken.output()).contains("2 images, 2 rows, 0 errors");
    }

    /**
     * Under no locale (cron, systemd, a bare container) Java read file names as ASCII, and one image named with another
     * letter stopped the job ("Malformed input or input contains unmappable characters", exit 2). The launcher starts
     * Java in C.UTF-8 where the locale's character set is ASCII: unset, C or POSIX, or a locale the system lacks
     * (LC_CTYPE=UTF-8 as macOS's Terminal sends it, whose images went to errors.csv); it leaves a UTF-8 locale.
     */
    @Test
    void javaStartsInAUtf8LocaleWhereNoneIsSetAndANonAsciiNameIsAnImage(@TempDir Path temp) throws Exception {
        Path home = launcherHome(temp);
        Path bin = Files.createDirectories(temp.resolve("bin"));
        // The launcher changes the locale only where the system has C.UTF-8 (Debian's C.utf8, glibc's built-in).
        Process locales = new ProcessBuilder("sh", "-c", "locale -a 2>/dev/null").start();
        org.junit.jupiter.api.Assumptions.assumeTrue(new String(locales.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8).lines().anyMatch(l -> l.matches("(?i)c\\.utf-?8")), "no C.UTF-8 locale here");
        // What the launcher sets, and what a real JVM makes of it (Java's setlocale takes every category or none).
        String realJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        standInJava(bin, "echo \"all=${LC_ALL:-unset} ctype=${LC_CTYPE:-unset} $(" + realJava
                + " -XshowSettings:properties -version 2>&1 | grep -o 'sun.jnu.encoding = .*') $*\"");
        record Locale(Map<String, String> set, String javaGets) {
        }
        // Only locales every such system has (C, POSIX, C.UTF-8), and ones none has (xx_XX, "UTF-8"): no case depends
        // on what else this host installed.
        for (Locale locale : List.of(new Locale(Map.of(), "all=unset ctype=C.UTF-8"),
                new Locale(Map.of("LANG", "C"), "all=unset ctype=C.UTF-8"),
                new Locale(Map.of("LANG", "C.UTF-8", "LC_CTYPE", "POSIX"), "all=unset ctype=C.UTF-8"),
                new Locale(Map.of("LC_ALL", "C"), "all=C.UTF-8 ctype=unset"),
                new Locale(Map.of("LANG", "C.UTF-8"), "all=unset ctype=unset"),
                new Locale(Map.of("LC_ALL", "C.UTF-8"), "all=C.UTF-8 ctype=unset"),
                new Locale(Map.of("LC_TIME", "C.UTF-8"), "all=unset ctype=C.UTF-8"), // LC_TIME stays the user's
                // A category naming a locale the system lacks: Java gets C for all of them, so C.UTF-8 for all
                new Locale(Map.of("LANG", "C.UTF-8", "LC_CTYPE", "UTF-8"), "all=C.UTF-8 ctype=UTF-8"),
                new Locale(Map.of("LANG", "xx_XX.UTF-8"), "all=C.UTF-8 ctype=unset"),
                new Locale(Map.of("LANG", "C.UTF-8", "LC_TIME", "xx_XX.UTF-8"), "all=C.UTF-8 ctype=unset"),
                new Locale(Map.of("LC_ALL", "xx_XX.UTF-8"), "all=C.UTF-8 ctype=unset"))) {
            Map<String, String> env = new HashMap<>(locale.set());
            env.put("PATH", bin + ":" + System.getenv("PATH"));
            // (bash warns first where a locale named is not installed)
            String said = ended(startedWithout(home, env, List.of("LANG", "LC_"), "--version")).output().strip();
            assertThat(said.substring(said.lastIndexOf("all="))).as(locale.set().toString())
                    .startsWith(locale.javaGets() + " sun.jnu.encoding = UTF-8 ");
        }
        // Not a terminal here (stderr is a pipe): the bar and the clearing of its line are off.
        assertThat(launch(home, bin, null, "--version")).contains("-Dorchard.stderr.tty=false");

        // The real JVM, without a locale, on images in a folder named with non-ASCII letters, and two beside it.
        Path in = temp.resolve("in");
        for (String name : List.of("Pomme été/café.jpg", "Pomme été/plain.jpg", "plain/a.jpg", "plain/b.jpg")) {
            Files.createDirectories(in.resolve(name).getParent());
            Files.copy(JobRun.shared().resolve(name.endsWith("a.jpg") ? "models/testimages/siamese_cat.jpg"
                    : "models/testimages/house_finch.jpeg"), in.resolve(name));
        }
        Launched job = ended(startedWithout(home, Map.of("ORCHARD_JAVA_OPTS", "-Xmx1g"), List.of("LANG", "LC_"), "run",
                "--input", in.toString(), "--output", temp.resolve("out").toString(), "--model", JobRun.model(),
                "--pca-k", "1", "--no-http"));
        assertThat(job.exit()).as(job.output()).isZero();
        assertThat(job.output()).contains("4 images, 4 rows, 0 errors");

        // The jar run by hand in that locale cannot open the folder: it is reported, with what to do, and the job goes
        // on (it stopped, exit 2, at the first such name). Where Java reads names as UTF-8 whatever the locale (musl's
        // C locale, macOS), there is nothing to show.
        org.junit.jupiter.api.Assumptions.assumeTrue(noLocaleReadsNamesAsAscii(), "Java without a locale reads names as UTF-8 here");
        ProcessBuilder byHand = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-jar", Nodes.jar().toString(), "run", "--input", in.toString(), "--output",
                temp.resolve("by-hand").toString(), "--model", JobRun.model(), "--pca-k", "1", "--no-http")
                .redirectErrorStream(true);
        byHand.environment().keySet().removeIf(name -> name.startsWith("LANG") || name.startsWith("LC_"));
        Launched plain = ended(byHand.start());
        assertThat(plain.exit()).as(plain.output()).isZero();
        assertThat(plain.output()).contains("2 images, 2 rows, 1 error in");
        assertThat(Files.readString(temp.resolve("by-hand/errors.csv"))).contains("file-name encoding (")
                .contains("LC_ALL=C.UTF-8").contains("/in/Pomme%20%C3%A9t%C3%A9/");
    }

    @Test
    void openBlasKernelsFollowTheCpusFlagsUnlessTheUserChoseOtherwise(@TempDir Path temp) throws Exception {
        Path home = launcherHome(temp);
        Path bin = Files.createDirectories(temp.resolve("bin"));
        standInJava(bin, "echo \"core=${OPENBLAS_CORETYPE:-unset}\"");
        Map<String, String> env = new HashMap<>(Map.of("PATH", bin + ":" + System.getenv("PATH")));
        // The rule on descriptions of known CPUs (the vendor and flags lines of their /proc/cpuinfo, abridged), not
        // on this host's: a Zen 4 EPYC (AVX-512, which OpenBLAS 0.3.21 runs with its AVX2 kernels), a Zen 3 EPYC
        // (AVX2 only: OpenBLAS's own choice stands), a Skylake Xeon (AVX-512, a model OpenBLAS knows), the Emerald
        // Rapids Xeon of model 207 (AVX-512, a model it does not know: it ran its SSE3 kernels) and a Broadwell Xeon
        // (AVX2 only).
        String common = "fpu vme de pse tsc msr pae mce cx8 apic sep pge mca cmov pat sse sse2 ht syscall nx lm pni "
                + "pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor ";
        Map<String, String> cpus = new LinkedHashMap<>();
        cpus.put("AuthenticAMD|AMD EPYC 9R14|" + common + "bmi1 avx2 bmi2 erms avx512f avx512dq adx avx512ifma "
                + "clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec avx512_bf16 avx512vbmi "
                + "avx512_vbmi2 gfni vaes avx512_vnni avx512_bitalg avx512_vpopcntdq", "core=SkylakeX");
        cpus.put("AuthenticAMD|AMD EPYC 7R13 Processor|" + common + "bmi1 avx2 bmi2 erms adx clflushopt clwb sha_ni "
                + "xsaveopt xsavec vaes vpclmulqdq", "core=unset");
        cpus.put("GenuineIntel|Intel(R) Xeon(R) Platinum 8175M CPU @ 2.50GHz|" + common + "bmi1 avx2 bmi2 erms "
                + "avx512f avx512dq adx avx512cd avx512bw avx512vl clflushopt clwb xsaveopt xsavec", "core=SkylakeX");
        cpus.put("GenuineIntel|Intel(R) Xeon(R) Processor|" + common + "bmi1 hle avx2 smep bmi2 erms invpcid rtm "
                + "avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl "
                + "xsaveopt xsavec xgetbv1 xsaves avx_vnni avx512_bf16 arat avx512vbmi umip avx512_vbmi2 gfni vaes "
                + "vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid cldemote movdiri movdir64b fsrm "
                + "serialize tsxldtrk avx512_fp16 arch_capabilities", "core=SkylakeX");
        cpus.put("GenuineIntel|Intel(R) Xeon(R) CPU E5-2686 v4 @ 2.30GHz|" + common + "bmi1 hle avx2 smep bmi2 erms "
                + "invpcid rtm rdseed adx xsaveopt", "core=Haswell");
        int n = 0;
        for (Map.Entry<String, String> cpu : cpus.entrySet()) {
            String[] vendorModelFlags = cpu.getKey().split("\\|");
            Path cpuinfo = Files.writeString(temp.resolve("cpuinfo-" + n++), "processor\t: 0\nvendor_id\t: "
                    + vendorModelFlags[0] + "\nmodel name\t: " + vendorModelFlags[1] + "\nflags\t\t: "
                    + vendorModelFlags[2] + "\n\nprocessor\t: 1\nvendor_id\t: " + vendorModelFlags[0] + "\n");
            env.put("ORCHARD_CPUINFO", cpuinfo.toString());
            env.remove("OPENBLAS_CORETYPE");
            assertThat(launch(home, env, "--version")).as(vendorModelFlags[1]).contains(cpu.getValue());
            env.put("OPENBLAS_CORETYPE", "Haswell");
            assertThat(launch(home, env, "--version")).as("a set value is the user's, on " + vendorModelFlags[1])
                    .contains("core=Haswell");
        }
    }

    /**
     * {@code ORCHARD_CDS=require} (what bench's EndToEnd sets): the archive with {@code -Xshare:on}, so that a JVM
     * that refuses it fails; no current archive, or a value the launcher does not know, stops it with a message.
     */
    @Test
    void requiringTheArchiveMakesTheJvmMapItOrTheLauncherStop(@TempDir Path temp) throws Exception {
        Path app = Files.createDirectories(temp.resolve("app"));
        launcherIn(app);
        Path jar = Files.writeString(app.resolve("orchard.jar"), "a jar\n");
        Path jsa = Files.writeString(app.resolve("orchard.jar.jsa"), "its archive\n");
        Path bin = Files.createDirectories(temp.resolve("bin"));
        standInJava(bin, "echo \"$*\"");
        Map<String, String> env = new HashMap<>(Map.of("PATH", bin + ":" + System.getenv("PATH"),
                "ORCHARD_JAR", jar.toString()));
        FileTime built = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(jar, built);

        Files.setLastModifiedTime(jsa, FileTime.fromMillis(built.toMillis() + 60_000)); // dumped after the jar: current
        env.put("ORCHARD_CDS", "require");
        assertThat(launch(app, env, "--version")).contains("-XX:SharedArchiveFile=" + jsa + " ").contains("-Xshare:on");
        env.put("ORCHARD_CDS", "on");
        assertThat(launch(app, env, "--version")).contains("-XX:SharedArchiveFile=" + jsa + " ")
                .doesNotContain("-Xshare:on");

        Files.setLastModifiedTime(jsa, FileTime.fromMillis(built.toMillis() - 60_000)); // the jar rebuilt since
        assertThat(launch(app, env, "--version")).doesNotContain("SharedArchiveFile");
        env.put("ORCHARD_CDS", "require");
        Launched stale = launched(app, env, "--version");
        assertThat(stale.exit()).as(stale.output()).isEqualTo(2);
        assertThat(stale.output()).contains("ORCHARD_CDS=require, but " + jsa + " is missing or older than the jar")
                .doesNotContain("--version");
        env.put("ORCHARD_CDS", "yes");
        Launched unknown = launched(app, env, "--version");
        assertThat(unknown.exit()).as(unknown.output()).isEqualTo(2);
        assertThat(unknown.output()).contains("ORCHARD_CDS=yes: use on (the default), off or require");
    }

    /**
     * A launcher home of its own: the script, and links to the built jar and its archive (a link: the archive serves
     * only the jar it was dumped from, by path).
     */
    private static Path launcherHome(Path temp) throws Exception {
        Path home = temp.resolve("home");
        Path target = Files.createDirectories(home.resolve("cli/target"));
        launcherIn(home);
        Files.createSymbolicLink(target.resolve("orchard.jar"), Nodes.jar());
        Files.createSymbolicLink(target.resolve("orchard.jar.jsa"), Path.of(Nodes.jar() + ".jsa"));
        return home;
    }

    /** A copy of the {@code orchard} launcher in {@code dir}, executable. */
    private static Path launcherIn(Path dir) throws Exception {
        return executable(Files.copy(Nodes.launcher(), dir.resolve("orchard")));
    }

    /** A stand-in {@code mvn} in {@code bin} that notes each build's arguments in {@code builds}, then runs {@code then}. */
    private static void standInMaven(Path bin, Path builds, String then) throws Exception {
        executable(Files.writeString(bin.resolve("mvn"), "#!/bin/sh\necho \"$*\" >> '" + builds + "'\n" + then + "\n"));
    }

    /** A stand-in {@code java} in {@code bin} that runs {@code body} (sh): what the launcher would have started. */
    private static Path standInJava(Path bin, String body) throws Exception {
        return executable(Files.writeString(bin.resolve("java"), "#!/bin/sh\n" + body + "\n"));
    }

    /**
     * Writes {@code file} (and its folders) as an edit does, dated a minute after {@code jar}: set, not left to the
     * clock, whose file times advance in ticks of several milliseconds (an edit in the build's tick would not be newer).
     */
    private static void editedAfter(Path file, Path jar) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "edited\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
    }

    private static Path executable(Path file) throws Exception {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** What the launcher in {@code home} ran, with {@code bin} first on the PATH. */
    private static String launch(Path home, Path bin, String javaOptions, String... args) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        if (javaOptions != null) {
            env.put("ORCHARD_JAVA_OPTS", javaOptions);
        }
        return launch(home, env, args);
    }

    /**
     * What the launcher in {@code home} ran, with {@code env} added to this environment less Orchard's and OpenBLAS's
     * settings.
     */
    private static String launch(Path home, Map<String, String> env, String... args) throws Exception {
        Launched launched = launched(home, env, args);
        assertThat(launched.exit()).as(launched.output()).isZero();
        return launched.output();
    }

    private record Launched(int exit, String output) {
    }

    /** As {@link #launch(Path, Map, String...)}, whatever the exit status. */
    private static Launched launched(Path home, Map<String, String> env, String... args) throws Exception {
        return ended(started(home, env, args));
    }

    /** Whether this host's Java, started without a locale, reads file names in another set than UTF-8 (glibc: ASCII). */
    private static boolean noLocaleReadsNamesAsAscii() throws Exception {
        ProcessBuilder settings = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XshowSettings:properties", "-version").redirectErrorStream(true);
        settings.environment().keySet().removeIf(name -> name.startsWith("LANG") || name.startsWith("LC_"));
        Launched shown = ended(settings.start());
        return shown.output().lines().map(String::strip).filter(l -> l.startsWith("sun.jnu.encoding = ")).findFirst()
                .map(l -> !l.toUpperCase(java.util.Locale.ROOT).contains("UTF")).orElse(false);
    }

    /** The launcher in {@code home} started, with the environment of {@link #launch(Path, Map, String...)}. */
    private static Process started(Path home, Map<String, String> env, String... args) throws Exception {
        return startedWithout(home, env, List.of(), args);
    }

    /** As {@link #started}, with the variables named by (or starting with) {@code without} taken out first. */
    private static Process startedWithout(Path home, Map<String, String> env, List<String> without, String... args)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("orchard").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("ORCHARD_") || name.startsWith("OPENBLAS_")
                || without.stream().anyMatch(name::startsWith));
        builder.environment().put("ORCHARD_CDS", "off");
        builder.environment().putAll(env);
        return builder.start();
    }

    private static Launched ended(Process launcher) throws Exception {
        String output = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launcher.waitFor(1, TimeUnit.MINUTES)).as(output).isTrue();
        return new Launched(launcher.exitValue(), output);
    }
}
