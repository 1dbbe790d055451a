package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How --bind and --join become a node's Pekko address and seeds. */
class ClusterOptionsTest {

    private static ClusterOptions parse(String... args) {
        return OptionsParsing.parse(new ClusterOptions(), args);
    }

    @Test
    void aNodeWithoutSeedsSeedsItsOwnCluster() {
        var config = parse("--bind", "10.0.0.5:17355").pekkoConfig(List.of("coordinator"));
        assertThat(config.getInt("pekko.remote.artery.canonical.port")).isEqualTo(17355);
        assertThat(config.getStringList("pekko.cluster.seed-nodes")).containsExactly("pekko://orchard@10.0.0.5:17355");
    }

    @Test
    void aWorkerMayTakeAnyFreePort() {
        var config = parse("--bind", "127.0.0.1:0", "--join", "127.0.0.1:17355").pekkoConfig(List.of("worker"));
        assertThat(config.getInt("pekko.remote.artery.canonical.port")).isZero();
        assertThat(config.getStringList("pekko.cluster.seed-nodes")).containsExactly("pekko://orchard@127.0.0.1:17355");
    }

    @Test
    void aNodeThatSeedsItsOwnClusterNeedsAPortOthersCanFind() {
        // Its seed would be port 0, which it never has: it would knock on it forever instead of forming a cluster.
        assertThatThrownBy(() -> parse("--bind", "127.0.0.1:0").pekkoConfig(List.of("coordinator")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--bind 127.0.0.1:0 with no --join")
                .hasMessageContaining("Give it a port");
    }

    /** A seed no node can have was taken, and a worker knocked on it forever. */
    @Test
    void aSeedOrBindOutsideThePortRangeIsRefused() {
        for (String seed : List.of("127.0.0.1:99999", "127.0.0.1:-1", ":17355")) {
            assertThatThrownBy(() -> parse("--bind", "127.0.0.1:0", "--join", seed).pekkoConfig(List.of("worker")))
                    .as(seed).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--join '" + seed + "' is not host:port");
        }
        assertThatThrownBy(() -> parse("--bind", "127.0.0.1:70000").pekkoConfig(List.of("coordinator")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bind '127.0.0.1:70000'");
    }

    /**
     * The TLS stores are opened before the node starts: a wrong ORCHARD_TLS_PASSWORD or a missing keystore was found
     * only when the first peer connected, after the coordinator had claimed the output, and both sides waited (a
     * user's walk). Stores made by keytool as the README shows.
     */
    @Test
    void tlsStoresThatCannotBeOpenedAreRefusedNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path node = dir.resolve("node.p12");
        java.nio.file.Path trust = dir.resolve("truststore.p12");
        keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-dname", "CN=orchard-node", "-validity", "2",
                "-keystore", node.toString(), "-storepass", "right-password", "-storetype", "PKCS12");
        keytool("-exportcert", "-rfc", "-alias", "node", "-keystore", node.toString(), "-storepass", "right-password",
                "-file", dir.resolve("node.crt").toString());
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("node.crt").toString(), "-keystore",
                trust.toString(), "-storepass", "right-password", "-storetype", "PKCS12");
        ClusterOptions.openTlsStore(node, "--tls-keystore", "right-password", true);
        ClusterOptions.openTlsStore(trust, "--tls-truststore", "right-password", false);
        assertThatThrownBy(() -> ClusterOptions.openTlsStore(node, "--tls-keystore", "wrong-password", true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--tls-keystore " + node + " cannot be read with ORCHARD_TLS_PASSWORD (the password is"
                        + " wrong): check the password and the file");
        assertThatThrownBy(() -> ClusterOptions.openTlsStore(dir.resolve("none.p12"), "--tls-keystore", "right-password",
                true)).hasMessage("--tls-keystore " + dir.resolve("none.p12") + " does not exist");
        assertThatThrownBy(() -> ClusterOptions.openTlsStore(trust, "--tls-keystore", "right-password", true))
                .hasMessageStartingWith("--tls-keystore " + trust + " holds no private key");
        assertThatThrownBy(() -> ClusterOptions.openTlsStore(dir.resolve("node.crt"), "--tls-truststore",
                "right-password", false)).hasMessageStartingWith("--tls-truststore " + dir.resolve("node.crt"));
        assertThatThrownBy(() -> ClusterOptions.openTlsStore(dir, "--tls-keystore", "right-password", true))
                .hasMessage("--tls-keystore " + dir + " is a folder: give the key store file itself");
        // Pekko's key manager recovers every key with the one password: a second key under another fails the store
        // at the first connection, so it is refused here too (the first key alone opened: the diff's review).
        java.nio.file.Path jks = dir.resolve("two-keys.jks");
        for (String[] key : new String[][] {{"node", "right-password"}, {"old", "other-password"}}) {
            keytool("-genkeypair", "-alias", key[0], "-keyalg", "EC", "-dname", "CN=" + key[0], "-validity", "2",
                    "-keystore", jks.toString(), "-storepass", "right-password", "-keypass", key[1], "-storetype", "JKS");
        }
        assertThatThrownBy(() -> ClusterOptions.openTlsStore(jks, "--tls-keystore", "right-password", true))
                .hasMessage("--tls-keystore " + jks + ": ORCHARD_TLS_PASSWORD does not open every private key in it"
                        + " (Pekko uses the same password for the store and its keys)");
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"),
                "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
    }
}
