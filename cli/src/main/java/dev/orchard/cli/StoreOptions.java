package dev.orchard.cli;

import dev.orchard.store.s3.S3Settings;
import java.net.URI;
import picocli.CommandLine.Option;

/**
 * S3 settings. Credentials are never options: they come from the AWS SDK's default chain (environment, profile,
 * instance profile) and are never printed.
 */
final class StoreOptions {

    @Option(names = "--region", description = "AWS region of the buckets (default: the SDK's region lookup).")
    String region;

    @Option(names = "--endpoint", description = "Endpoint of an S3-compatible store, e.g. http://127.0.0.1:9000.")
    URI endpoint;

    @Option(names = "--path-style", description = "Path-style S3 addressing (most S3-compatible stores need it).")
    boolean pathStyle;

    @Option(names = "--list-parallelism", defaultValue = "1",
            description = "List the first level of 'folders' of an S3 input in parallel (default ${DEFAULT-VALUE}).")
    int listParallelism;

    S3Settings s3() {
        return S3Settings.defaults().toBuilder().region(region).endpoint(endpoint)
                .pathStyle(pathStyle)
                .listParallelism(listParallelism).build();
    }
}
