package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With Artery TLS on, only nodes holding a certificate signed by the cluster's CA take part: a worker with a
 * certificate from another CA never gets work, one with the right certificate does.
 */
class TlsIT {
    private static final String PASSWORD = "orchard-test-password";

    @TempDir
    Path temp;

    /**
     * keytool, as an operator would run it: a CA, and a node certificate signed by it, in PKCS12 files. Its JVM starts
     * with the quick compiler alone (0.4 s a call against 0.6 here: eighteen calls a test).
     */
    private void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
    }

    /** Makes ca.p12/ca.crt/truststore.p12 for {@code ca} and a signed node.p12 in {@code dir}. */
    private Path authority(String ca) throws Exception {
        Path dir = Files.createDirectories(temp.resolve(ca));
        String pass = "-storepass";
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=" + ca, "-ext", "bc:c", "-validity", "2",
                "-keystore", dir.resolve("ca.p12").toString(), pass, PASSWORD, "-storetype", "PKCS12");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(), pass, PASSWORD,
                "-file", dir.resolve("ca.crt").toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.crt").toString(),
                "-keystore", dir.resolve("truststore.p12").toString(), pass, PASSWORD, "-storetype", "PKCS12");
        Path node = dir.resolve("node.p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-dname", "CN=orchard-node", "-validity", "2",
                "-keystore", node.toString(), pass, PASSWORD, "-storetype", "PKCS12");
        keytool("-certreq", "-alias", "node", "-keystore", node.toString(), pass, PASSWORD,
                "-file", dir.resolve("node.csr").toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(), pass, PASSWORD,
                "-infile", dir.resolve("node.csr").toString(), "-outfile", dir.resolve("node.crt").toString(),
                "-ext", "san=ip:127.0.0.1", "-validity", "2");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.crt").toString(),
                "-keystore", node.toString(), pass, PASSWORD);
        keytool("-importcert", "-alias", "node", "-file", dir.resolve("node.crt").toString(),
                "-keystore", node.toString(), pass, PASSWORD);
        return dir;
    }

    private static String[] tls(Path ca) {
        return new String[] {"--tls-keystore", ca.resolve("node.p12").toString(),
                "--tls-truststore", ca.resolve("truststore.p12").toString()};
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aNodeWithoutTheClustersCertificateCannotJoin() throws Exception {
        var otherCa = java.util.concurrent.CompletableFuture.supplyAsync(() -> { // the two at once
            try {
                return authority("other-ca");
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        Path cluster = authority("cluster-ca");
        Path intruder = otherCa.join();
        Path input = temp.resolve("in/Kiwi");
        Files.createDirectories(input);
        try (Stream<Path> kiwis = Files.list(JobRun.shared().resolve("data/fruits360-sample/Kiwi"))) {
            for (Path p : kiwis.sorted().limit(6).toList()) {
                Files.copy(p, input.resolve(p.getFileName()));
            }
        }
        Path out = temp.resolve("out");
        int port = LoopbackPorts.pick();
        Map<String, String> env = Map.of("ORCHARD_TLS_PASSWORD", PASSWORD);
        try (Nodes nodes = new Nodes(temp.resolve("logs"))) {
            Process coordinator = nodes.start("coordinator", env, concat(new String[] {"coordinator",
                    "--input", input.getParent().toString(), "--output", out.toString(), "--model", JobRun.model(),
                    "--pca-k", "2", "--bind", "127.0.0.1:" + port}, tls(cluster)));
            nodes.start("stranger", env, concat(new String[] {"worker", "--join", "127.0.0.1:" + port,
                    "--bind", Nodes.ANY_PORT, "--onnx-threads", "1"}, tls(intruder)));
            // Refused for the right reason: its certificate does not chain to the cluster's CA. It keeps knocking
            // while the job runs; the checks after the job cover all of that.
            nodes.await("the stranger's handshake refused", Duration.ofMinutes(2),
                    () -> nodes.logContains("stranger", "SSLHandshakeException"));
            assertThat(out.resolve("features")).as("no work was done by a node outside the cluster").doesNotExist();
            assertThat(nodes.log("stranger")).doesNotContain("Coordinator pekko");

            nodes.start("member", env, concat(new String[] {"worker", "--join", "127.0.0.1:" + port,
                    "--bind", Nodes.ANY_PORT, "--onnx-threads", "1"}, tls(cluster)));
            assertThat(nodes.exitCode(coordinator, Duration.ofMinutes(2))).as(nodes.log("coordinator")).isZero();
            assertThat(nodes.log("member")).as(nodes.log("coordinator")).contains("Coordinator pekko")
                    .contains(" over TLS 1.3 (mutual authentication); "); // its first line says so (it said nothing)
            assertThat(nodes.log("coordinator")).contains(" over TLS 1.3 (mutual authentication), ");
            assertThat(nodes.log("stranger")).doesNotContain("Coordinator pekko");
        }
        assertThat(Outputs.rows(out, "features")).hasSize(6);
    }
}
