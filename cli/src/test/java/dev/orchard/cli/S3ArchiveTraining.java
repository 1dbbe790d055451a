package dev.orchard.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Not a test: the build's second training job for the class-data-sharing archive ({@code src/main/cds/dump-archive.sh}).
 * It runs one job that reads its images from S3 over HTTPS, so that the classes S3 jobs load (the JDK's TLS client,
 * the AWS SDK's endpoint rules, credentials and retries, Orchard's own S3 reads) are archived too, not only a local
 * job's: loading them from files cost an S3 job 0.18-0.26 s of CPU (bench/RESULTS.md, fifteenth session). The S3 it
 * reads is a stand-in in this JVM on the JDK's {@code HttpsServer}: ListObjectsV2 and GetObject over a folder, one
 * bucket, a self-signed certificate made with keytool in WORK, which the job trusts through
 * {@code javax.net.ssl.trustStore} as a user's job trusts its CA. Not S3Proxy (store's {@code S3TestServer}): in
 * this JVM it would load Jetty's, jclouds' and Guice's classes, and the archive takes in every class of this job that
 * the local one did not load, where the JDK server's few classes are left out by their package. Run with the jar and
 * the test classes on the class path:
 * <pre>java -cp orchard.jar:test-classes dev.orchard.cli.S3ArchiveTraining WORK IMAGES MODEL</pre>
 * IMAGES is a folder of class folders; the job's output goes to WORK/out.
 */
public final class S3ArchiveTraining {
    private static final String BUCKET = "training";
    private static final String ALIAS = "training";
    private static final String PASSWORD = "training";

    private S3ArchiveTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: S3ArchiveTraining WORK IMAGES MODEL");
            System.exit(2);
        }
        Path work = Files.createDirectories(Path.of(args[0]));
        Path images = Path.of(args[1]);
        TreeMap<String, Path> objects = new TreeMap<>();
        try (Stream<Path> files = Files.walk(images)) {
            files.filter(Files::isRegularFile).forEach(f ->
                    objects.put(images.relativize(f).toString().replace('\\', '/'), f));
        }
        KeyStore keys = selfSignedKey(work.resolve("key.p12"));
        trust(keys.getCertificate(ALIAS), work.resolve("trust.p12"));
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext(keys)));
        server.createContext("/", exchange -> {
            try (exchange) {
                answer(exchange, objects);
            }
        });
        server.start();
        int status;
        try {
            System.setProperty("aws.accessKeyId", "AKIDTRAINING");
            System.setProperty("aws.secretAccessKey", "training-only");
            status = Orchard.execute("run", "--input", "s3://" + BUCKET + "/", "--endpoint",
                    "https://127.0.0.1:" + server.getAddress().getPort(), "--path-style", "--region", "us-east-1",
                    "--output", work.resolve("out").toString(), "--model", args[2], "--pca-k", "2");
        } finally {
            server.stop(0);
        }
        System.exit(status);
    }

    /**
     * An RSA 2048 key and its self-signed certificate for 127.0.0.1, made by keytool (the JDK has no public API for
     * it): the kind of key S3's endpoints present (as far as we know), so the archive holds the classes that verify
     * their signatures.
     */
    private static KeyStore selfSignedKey(Path file) throws Exception {
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", file.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        return keys;
    }

    /** The job's trust store: {@code certificate} alone, set before anything in this JVM makes a TLS context. */
    private static void trust(Certificate certificate, Path file) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry(ALIAS, certificate);
        try (OutputStream out = Files.newOutputStream(file)) {
            trusted.store(out, PASSWORD.toCharArray());
        }
        System.setProperty("javax.net.ssl.trustStore", file.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", PASSWORD);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    }

    private static SSLContext serverContext(KeyStore keys) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }

    /** ListObjectsV2 of the bucket (one page: the training set is small), GetObject, or 404. Jobs send only GETs. */
    private static void answer(HttpExchange exchange, TreeMap<String, Path> objects) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        exchange.getResponseHeaders().add("x-amz-request-id", "training");
        if ((path.equals("/" + BUCKET) || path.equals("/" + BUCKET + "/")) && query != null && query.contains("list-type=2")) {
            StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + BUCKET
                    + "</Name><Prefix></Prefix><KeyCount>" + objects.size() + "</KeyCount><MaxKeys>1000</MaxKeys>"
                    + "<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>");
            for (var o : objects.entrySet()) {
                xml.append("<Contents><Key>").append(URLEncoder.encode(o.getKey(), StandardCharsets.UTF_8).replace("%2F", "/"))
                        .append("</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;")
                        .append(etag(o.getKey())).append("&quot;</ETag><Size>")
                        .append(Files.size(o.getValue())).append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
            }
            send(exchange, 200, "application/xml", xml.append("</ListBucketResult>").toString());
            return;
        }
        String decoded = exchange.getRequestURI().getPath(); // keys with a space arrive as %20
        String key = decoded.startsWith("/" + BUCKET + "/") ? decoded.substring(BUCKET.length() + 2) : null;
        Path file = key == null ? null : objects.get(key);
        if (file == null) {
            System.err.println("S3ArchiveTraining: no answer for " + exchange.getRequestMethod() + " " + path + "?" + query);
            send(exchange, 404, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
                    + "<Message>not in the training set</Message></Error>");
            return;
        }
        exchange.getResponseHeaders().add("ETag", "\"" + etag(key) + "\"");
        exchange.getResponseHeaders().add("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT");
        send(exchange, 200, "image/jpeg", Files.readAllBytes(file));
    }

    /** A stand-in's entity tag: the same for an object in the listing and in its GET. */
    private static String etag(String key) {
        return Integer.toHexString(key.hashCode());
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().put("Content-Type", List.of(type));
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
