package dev.orchard.cli;

import dev.orchard.store.s3.S3Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How to reach S3: every command that reads or writes it takes these (a job's own listing and size bound are
 * {@link JobOptions}). Credentials are never options: they come from the AWS SDK's default chain (environment, profile,
 * instance profile) and are never printed; an endpoint URL that carries any ({@code user:pass@host}) is refused.
 * Names follow the AWS CLI's where it has one ({@code --endpoint-url}, {@code --profile}, {@code --region},
 * {@code AWS_ENDPOINT_URL_S3}, {@code AWS_MAX_ATTEMPTS}).
 */
final class StoreOptions {

    @Option(names = "--region", description = "AWS region of the buckets (default: the SDK's region lookup).")
    String region;

    @Option(names = {"--endpoint-url", "--endpoint"}, paramLabel = "URL",
            description = "Endpoint of an S3-compatible store, e.g. http://127.0.0.1:9000 (default: "
                    + "$AWS_ENDPOINT_URL_S3, then $AWS_ENDPOINT_URL, then AWS). --endpoint is the same option.")
    String endpoint;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "AWS profile (~/.aws/config and credentials) for credentials and region (default: $AWS_PROFILE, then 'default').")
    String profile;

    @Option(names = "--path-style", description = "Path-style S3 addressing (most S3-compatible stores need it).")
    boolean pathStyle;

    @Option(names = "--s3-max-attempts", paramLabel = "N",
            description = "Attempts per S3 request, the first included, before the request fails (default: "
                    + "$AWS_MAX_ATTEMPTS, else 10). Retries back off exponentially, up to 20 s apart.")
    Integer maxAttempts;

    S3Settings s3() {
        return s3(System.getenv());
    }

    S3Settings s3(Map<String, String> environment) {
        return S3Settings.defaults().toBuilder().region(region).endpoint(endpoint(environment)).profile(profile)
                .pathStyle(pathStyle).maxAttempts(maxAttempts(environment)).build();
    }

    /** The option, else the AWS SDKs' and CLI's variable, else Orchard's 10 (a batch job would rather wait than fail). */
    private int maxAttempts(Map<String, String> environment) {
        int attempts;
        String from;
        if (maxAttempts != null) {
            attempts = maxAttempts;
            from = "--s3-max-attempts";
        } else {
            String value = environment.get("AWS_MAX_ATTEMPTS");
            if (value == null || value.isBlank()) {
                return S3Settings.defaults().maxAttempts();
            }
            from = "$AWS_MAX_ATTEMPTS";
            try {
                attempts = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(from + " must be a whole number of attempts, e.g. 10, not '" + value + "'");
            }
        }
        if (attempts < 1) {
            throw new IllegalArgumentException(from + " must be at least 1 (the first attempt counts), not " + attempts);
        }
        return attempts;
    }

    /** The option, else the AWS SDKs' environment variables: the S3-specific one first, as the AWS CLI reads them. */
    private URI endpoint(Map<String, String> environment) {
        String value = endpoint;
        String from = "--endpoint-url";
        for (String variable : new String[] {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
            if (value == null || value.isBlank()) {
                value = environment.get(variable);
                from = "$" + variable;
            }
        }
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return new URI(value.trim());
        } catch (URISyntaxException e) {
            // Not echoed as given: a malformed URL may still hold a password.
            throw new IllegalArgumentException(from + " is not a valid URL (" + redact(value) + "): give it as "
                    + "scheme://host:port, e.g. http://127.0.0.1:9000");
        }
    }

    /** The URL with anything between "scheme://" and "@" (user and password) replaced by "***". */
    static String redact(String url) {
        return url.replaceAll("(?<=//)[^/]*@", "***@");
    }
}
