package dev.orchard.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where this node listens, which nodes it joins, and optional TLS between nodes. */
final class ClusterOptions {

    @Option(names = "--bind", defaultValue = "127.0.0.1:17355",
            description = "host:port this node listens on and announces (default ${DEFAULT-VALUE}). Port 0 takes a free"
                    + " one: fine for a worker, which others need not find (a coordinator is a seed: give it a port).")
    String bind;

    @Option(names = "--join", split = ",", description = "host:port of a seed node (a coordinator node); repeatable.")
    List<String> join = new ArrayList<>();

    @Option(names = "--tls-keystore", description = "PKCS12/JKS keystore with this node's certificate: turns on Artery TLS.")
    Path keystore;

    @Option(names = "--tls-truststore", description = "Truststore with the cluster's CA certificate.")
    Path truststore;

    @Option(names = "--config", description = "Extra HOCON file (e.g. Pekko or Orchard settings).")
    Path config;

    /**
     * How a node with these settings talks to the others, for its first line: nothing said of plain TCP, TLS named with
     * its protocol (from the settings as Pekko reads them: --tls-* or a --config's own).
     */
    static String transport(Config pekko) {
        String artery = "pekko.remote.artery.";
        if (!pekko.hasPath(artery + "transport") || !pekko.getString(artery + "transport").equals("tls-tcp")) {
            return "";
        }
        String ssl = artery + "ssl.config-ssl-engine.";
        String protocol = pekko.hasPath(ssl + "protocol") ? pekko.getString(ssl + "protocol") : "TLS";
        boolean mutual = pekko.hasPath(ssl + "require-mutual-authentication")
                && pekko.getBoolean(ssl + "require-mutual-authentication");
        return " over " + protocol.replace("TLSv", "TLS ") + (mutual ? " (mutual authentication)" : "");
    }

    /** Pekko settings for a node with these roles; TLS passwords come from $ORCHARD_TLS_PASSWORD, never flags. */
    Config pekkoConfig(List<String> roles) {
        HostPort self = HostPort.parse(bind, "--bind");
        if (self.port() == 0 && join.isEmpty()) {
            throw new IllegalArgumentException("--bind " + bind + " with no --join: a node that starts its own cluster"
                    + " is its seed, and others must find it. Give it a port (e.g. " + self.host() + ":17355), or"
                    + " --join a coordinator");
        }
        Map<String, Object> settings = new HashMap<>();
        settings.put("pekko.cluster.roles", roles);
        settings.put("pekko.remote.artery.canonical.hostname", self.host());
        settings.put("pekko.remote.artery.canonical.port", self.port());
        List<String> seeds = new ArrayList<>();
        for (String seed : join.isEmpty() ? List.of(bind) : join) {
            HostPort s = HostPort.parse(seed, "--join");
            seeds.add("pekko://orchard@" + s.host() + ":" + s.port());
        }
        settings.put("pekko.cluster.seed-nodes", seeds);
        if (truststore != null && keystore == null) {
            throw new IllegalArgumentException("--tls-truststore needs --tls-keystore (this node's certificate): without"
                    + " it the node would talk in plaintext");
        }
        if (keystore != null) {
            if (truststore == null) {
                throw new IllegalArgumentException("--tls-keystore needs --tls-truststore (the CA that signs every node)");
            }
            String password = System.getenv("ORCHARD_TLS_PASSWORD");
            if (password == null) {
                throw new IllegalArgumentException("Set ORCHARD_TLS_PASSWORD to the keystore/truststore password");
            }
            // Opened here, as Pekko will open them: a wrong password or a missing file was found only when the first
            // peer connected, after the node had claimed the job (a user's walk), and both sides then waited.
            openTlsStore(keystore, "--tls-keystore", password, true);
            openTlsStore(truststore, "--tls-truststore", password, false);
            String ssl = "pekko.remote.artery.ssl.config-ssl-engine.";
            settings.put("pekko.remote.artery.transport", "tls-tcp");
            settings.put(ssl + "key-store", keystore.toAbsolutePath().toString());
            settings.put(ssl + "trust-store", truststore.toAbsolutePath().toString());
            settings.put(ssl + "key-store-password", password);
            settings.put(ssl + "key-password", password);
            settings.put(ssl + "trust-store-password", password);
            settings.put(ssl + "protocol", "TLSv1.3");
            settings.put(ssl + "enabled-algorithms", List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"));
            settings.put(ssl + "require-mutual-authentication", "on");
        }
        Config base = ConfigFactory.parseMap(settings);
        if (config != null) {
            if (!java.nio.file.Files.isRegularFile(config)) {
                throw new IllegalArgumentException("--config " + config + " does not exist: give a HOCON file of Pekko settings");
            }
            base = base.withFallback(ConfigFactory.parseFile(config.toFile()));
        }
        return base.withFallback(ConfigFactory.load());
    }

    /**
     * Opens a key store with ORCHARD_TLS_PASSWORD as Pekko will (the JVM's default type, which reads PKCS12 and JKS),
     * and refuses (exit 2), naming the file, one that is missing, cannot be read with that password, or, for the
     * keystore, holds no private key that the password opens; for the truststore, no certificate.
     */
    static void openTlsStore(Path file, String option, String password, boolean needsKey) {
        if (java.nio.file.Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is a folder: give the key store file itself");
        }
        java.security.KeyStore store;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            store.load(in, password.toCharArray());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException(option + " " + file + " does not exist");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException(option + " " + file + " cannot be read by this user (permission denied)");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(option + " " + file + " cannot be read with ORCHARD_TLS_PASSWORD ("
                    + (e.getCause() instanceof java.security.UnrecoverableKeyException
                            ? "the password is wrong" : e.getMessage()) + "): check the password and the file");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(option + " " + file + " is not a key store this JVM reads ("
                    + e.getMessage() + "): give a PKCS12 file made as the README shows");
        }
        try {
            boolean found = false;
            for (String alias : java.util.Collections.list(store.aliases())) {
                if (needsKey && store.isKeyEntry(alias)) {
                    // Pekko's key manager (SunX509) recovers every key with the one password: one it cannot open
                    // fails the whole store at the first connection (the diff's review), so each is tried here.
                    if (store.getKey(alias, password.toCharArray()) instanceof java.security.PrivateKey) {
                        found = true;
                    }
                } else if (!needsKey && store.getCertificate(alias) != null) {
                    found = true;
                }
            }
            if (!found) {
                throw new IllegalArgumentException(option + " " + file + " holds no " + (needsKey
                        ? "private key (this node's certificate and key, made as the README shows)"
                        : "certificate (the CA that signs every node's)"));
            }
        } catch (java.security.UnrecoverableKeyException e) {
            throw new IllegalArgumentException(option + " " + file + ": ORCHARD_TLS_PASSWORD does not open every private"
                    + " key in it (Pekko uses the same password for the store and its keys)");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException(option + " " + file + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Refuses an address this node cannot listen on (exit 2), checked before a node writes or loads anything (a
     * coordinator writes its output's marker before its node starts; a worker loads its model): where {@code pekko} binds, which is
     * {@code --bind} unless a {@code --config} sets Artery's {@code bind.hostname}/{@code bind.port} (a node behind
     * NAT announces one address and listens on another), by {@link dev.orchard.observe.PortProbe}. Port 0 always can. A
     * node that loses the port before it binds still fails there (exit 1).
     */
    void requireBindable(Config pekko, boolean joinedThere) {
        String artery = "pekko.remote.artery.";
        String host = pekko.getString(artery + "bind.hostname");
        String port = pekko.getString(artery + "bind.port");
        host = host.isEmpty() ? pekko.getString(artery + "canonical.hostname") : host;
        int number = port.isEmpty() ? pekko.getInt(artery + "canonical.port") : Integer.parseInt(port.strip());
        if (number == 0 || host.startsWith("<")) { // any port; or Pekko's <getHostAddress>, resolved as it binds
            return;
        }
        try {
            dev.orchard.observe.PortProbe.listen(host, number);
        } catch (java.io.IOException | SecurityException e) {
            throw new IllegalArgumentException("--bind " + bind + ": cannot listen on " + host + ":" + number + " ("
                    + (e.getMessage() == null ? e.toString() : e.getMessage()) + "). Another node (or program) may hold"
                    + " the port: give this node a free one with --bind HOST:PORT"
                    + (joinedThere ? ", and the workers --join it there." : " (HOST:0 takes any free port)."), e);
        }
    }

    record HostPort(String host, int port) {
        static HostPort parse(String text, String flag) {
            int colon = text.lastIndexOf(':');
            HostPort parsed;
            try {
                parsed = new HostPort(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(flag + " '" + text + "' is not host:port, e.g. 10.0.0.5:17355");
            }
            // A port out of range was taken, and a worker knocked on it forever (Pekko logs and retries).
            if (parsed.host().isEmpty() || parsed.port() < 0 || parsed.port() > 65535) {
                throw new IllegalArgumentException(flag + " '" + text + "' is not host:port with a port from 0 to 65535,"
                        + " e.g. 10.0.0.5:17355");
            }
            return parsed;
        }
    }
}
