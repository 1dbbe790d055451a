package dev.orchard.bench.s3;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.FilesystemApiMetadata;
import org.jclouds.filesystem.reference.FilesystemConstants;

/**
 * S3Proxy over jclouds' filesystem backend, as its own JVM, so that its CPU is measured apart from Orchard's: a
 * bucket is a folder below BASEDIR and an object a file, so the very files a local-folder job reads are served
 * over S3. Plain HTTP on HTTP_PORT and, with a PKCS12 key store, HTTPS on HTTPS_PORT. Signature V4 is checked with
 * the access key and secret in the environment ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}).
 * <pre>java -cp orchard-bench.jar dev.orchard.bench.s3.FilesystemS3Server BASEDIR HTTP_PORT [HTTPS_PORT KEYSTORE.p12 PASSWORD]</pre>
 * Prints {@code ready} on standard output once it serves.
 */
public final class FilesystemS3Server {

    private FilesystemS3Server() {
    }

    public static void main(String[] args) throws Exception {
        Path basedir = Path.of(args[0]).toAbsolutePath();
        int httpPort = Integer.parseInt(args[1]);
        Properties properties = new Properties();
        properties.setProperty(FilesystemConstants.PROPERTY_BASEDIR, basedir.toString());
        // By metadata, not by name: a lookup by name loads every provider, and the cloud SDKs are left out.
        BlobStoreContext context = ContextBuilder.newBuilder(new FilesystemApiMetadata())
                .overrides(properties).build(BlobStoreContext.class);
        S3Proxy.Builder builder = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + httpPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, System.getenv("AWS_ACCESS_KEY_ID"),
                        System.getenv("AWS_SECRET_ACCESS_KEY"))
                .ignoreUnknownHeaders(true)
                .jettyMaxThreads(64);
        if (args.length > 4) {
            builder.secureEndpoint(URI.create("https://127.0.0.1:" + Integer.parseInt(args[2])))
                    .keyStore(Path.of(args[3]).toAbsolutePath().toString(), args[4]);
        }
        S3Proxy proxy = builder.build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        System.out.println("ready");
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
