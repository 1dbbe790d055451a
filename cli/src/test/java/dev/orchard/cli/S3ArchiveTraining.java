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
 * bucket, the certificate from KEYSTORE (the job trusts it through the trust store the script passes as
 * {@code javax.net.ssl.trustStore}). Run with the jar and the test classes on the class path:
 * <pre>java -cp orchard.jar:test-classes dev.orchard.cli.S3ArchiveTraining KEYSTORE PASSWORD IMAGES MODEL OUT</pre>
 * IMAGES is a folder of class folders.
 */
public final class S3ArchiveTraining {
    private static final String BUCKET = "training";

    private S3ArchiveTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: S3ArchiveTraining KEYSTORE PASSWORD IMAGES MODEL OUT");
            System.exit(2);
        }
        char[] password = args[1].toCharArray();
        Path images = Path.of(args[2]);
        TreeMap<String, Path> objects = new TreeMap<>();
        try (Stream<Path> files = Files.walk(images)) {
            files.filter(Files::isRegularFile).forEach(f ->
                    objects.put(images.relativize(f).toString().replace('\\', '/'), f));
        }
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context(Path.of(args[0]), password)));
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
                    "--output", args[4], "--model", args[3], "--pca-k", "2");
        } finally {
            server.stop(0);
        }
        System.exit(status);
    }

    private static SSLContext context(Path keyStore, char[] password) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }

    /** ListObjectsV2 of the bucket (one page: the training set is small), or one object, or 404. */
    private static void answer(HttpExchange exchange, TreeMap<String, Path> objects) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String query = exchange.getRequestURI().getRawQuery();
        exchange.getResponseHeaders().add("x-amz-request-id", "training");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        if ((path.equals("/" + BUCKET) || path.equals("/" + BUCKET + "/")) && query != null && query.contains("list-type=2")) {
            StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + BUCKET
                    + "</Name><Prefix></Prefix><KeyCount>" + objects.size() + "</KeyCount><MaxKeys>1000</MaxKeys>"
                    + "<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>");
            for (var o : objects.entrySet()) {
                xml.append("<Contents><Key>").append(URLEncoder.encode(o.getKey(), StandardCharsets.UTF_8).replace("%2F", "/"))
                        .append("</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;")
                        .append(Integer.toHexString(o.getKey().hashCode())).append("&quot;</ETag><Size>")
                        .append(Files.size(o.getValue())).append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
            }
            send(exchange, 200, "application/xml", xml.append("</ListBucketResult>").toString().getBytes(StandardCharsets.UTF_8), head);
            return;
        }
        String key = exchange.getRequestURI().getPath(); // decoded: keys with a space arrive as %20
        Path file = key.startsWith("/" + BUCKET + "/") ? objects.get(key.substring(BUCKET.length() + 2)) : null;
        if (file == null) {
            System.err.println("S3ArchiveTraining: no answer for " + exchange.getRequestMethod() + " " + path + "?" + query);
            send(exchange, 404, "application/xml", ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
                    + "<Message>not in the training set</Message></Error>").getBytes(StandardCharsets.UTF_8), head);
            return;
        }
        exchange.getResponseHeaders().add("ETag", "\"" + Integer.toHexString(path.hashCode()) + "\"");
        exchange.getResponseHeaders().add("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT");
        send(exchange, 200, "image/jpeg", Files.readAllBytes(file), head);
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body, boolean head) throws IOException {
        exchange.getResponseHeaders().put("Content-Type", List.of(type));
        if (head) {
            exchange.getResponseHeaders().add("Content-Length", String.valueOf(body.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
