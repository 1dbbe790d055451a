package dev.orchard.store.s3;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS that reads from S3 over HTTPS run on: Conscrypt's (Google's provider on BoringSSL: the handshakes, the
 * records and AES-GCM in native code) where its library loads, else the JVM's own (JSSE). The JVM's TLS is Java code
 * that a fresh job JVM compiles while it reads: a JVM that only lists and reads 10,200 objects of 4.6 KB spent 0.135 ms
 * of CPU per object more over HTTPS than over HTTP with it, 0.059 with Conscrypt 2.6.2 (medians of 3 alternated
 * rounds; bench/README.md, issue 18).
 * The JVM's trust store decides whom to trust either way ({@code javax.net.ssl.trustStore}, else the JDK's
 * {@code cacerts}), with the host name checked against the certificate. {@code -Dorchard.tls=jdk} keeps the JVM's TLS
 * (e.g. for a FIPS-configured JVM). The SDK client, which Orchard uses for writes, keeps the JVM's TLS.
 */
final class S3Tls {
    /** {@code -Dorchard.tls=jdk}: the JVM's TLS even where Conscrypt loads. */
    static final String PROPERTY = "orchard.tls";
    private static final Logger LOG = LoggerFactory.getLogger(S3Tls.class);
    private static volatile SSLSocketFactory shared;

    private S3Tls() {
    }

    /** Conscrypt's provider where it loads and the JVM's TLS was not asked for; else null (the JVM's TLS), logged once. */
    static Provider provider() {
        return Choice.PROVIDER;
    }

    /**
     * The sockets of {@link #provider()} trusting the JVM's trust store, made once per JVM (as {@code
     * SSLContext.getDefault()} is): every store's reads share them, and the trust store is read once.
     */
    static SSLSocketFactory socketFactory() throws IOException {
        SSLSocketFactory factory = shared;
        if (factory == null) {
            synchronized (S3Tls.class) {
                factory = shared;
                if (factory == null) {
                    factory = context(provider(), null).getSocketFactory();
                    shared = factory;
                }
            }
        }
        return factory;
    }

    /** A TLS context of {@code provider} (null: the JVM's TLS) trusting {@code trust} (null: the JVM's trust store). */
    static SSLContext context(Provider provider, TrustManager[] trust) throws IOException {
        try {
            SSLContext context = provider == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", provider);
            context.init(null, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("No TLS context for HTTPS to S3 (" + (provider == null ? "the JVM's" : provider.getName())
                    + "): " + e.getMessage(), e);
        }
    }

    /** Decided on first use, once per JVM. */
    private static final class Choice {
        static final Provider PROVIDER = choose(System.getProperty(PROPERTY, ""), S3Tls::conscrypt);
    }

    /** Conscrypt's provider, or the error that says why its native library does not load here. */
    private static Provider conscrypt() {
        Conscrypt.checkAvailability(); // UnsatisfiedLinkError where its library does not load
        return Conscrypt.newProvider();
    }

    /**
     * The choice, logged: null (the JVM's TLS) when {@code property} is "jdk" or when {@code conscrypt} fails with a
     * linkage or runtime error (its native library does not load here), else the provider it gives.
     */
    static Provider choose(String property, Supplier<Provider> conscrypt) {
        if ("jdk".equalsIgnoreCase(property)) {
            LOG.info("S3 over HTTPS: the JVM's TLS (-D{}=jdk)", PROPERTY);
            return null;
        }
        try {
            Provider provider = conscrypt.get();
            Conscrypt.Version v = Conscrypt.version();
            LOG.info("S3 over HTTPS: TLS by Conscrypt {} (BoringSSL, native)",
                    v == null ? "" : v.major() + "." + v.minor() + "." + v.patch());
            return provider;
        } catch (LinkageError | RuntimeException e) { // UnsatisfiedLinkError and the like: no library loads here
            LOG.info("S3 over HTTPS: the JVM's TLS (Conscrypt's native library does not load here: {})", e.toString());
            return null;
        }
    }
}
