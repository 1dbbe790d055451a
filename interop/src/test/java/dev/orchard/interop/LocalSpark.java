package dev.orchard.interop;

import org.apache.spark.sql.SparkSession;

/**
 * One Spark 3.5 session in this JVM, {@code local[1]}, with Spark's defaults for reading Parquet (the vectorized
 * reader on, as on EMR). Stopped when the JVM exits.
 */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            long start = System.nanoTime();
            session = SparkSession.builder()
                    .appName("orchard-interop")
                    .master("local[1]")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "1")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
            System.out.printf("Spark %s local[1] started: %.1f s%n", session.version(), (System.nanoTime() - start) / 1e9);
        }
        return session;
    }
}
