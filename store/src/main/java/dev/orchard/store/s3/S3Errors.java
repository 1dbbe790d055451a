package dev.orchard.store.s3;

import dev.orchard.store.Location;
import dev.orchard.store.UnusableLocationException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns the SDK's exceptions into {@link IOException}s whose message names the object or prefix, what went wrong,
 * and what the user can do about it; what only the user can change (a missing bucket, credentials, access, the region)
 * is an {@link UnusableLocationException}, what may pass (an endpoint that does not answer, throttling) is not.
 * Messages never contain credentials: only error codes and S3's own messages.
 */
final class S3Errors {

    private static final Set<String> AUTH_CODES = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
            "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "InvalidSecurity");
    private static final String CREDENTIAL_SOURCES = "the AWS default credential chain (AWS_ACCESS_KEY_ID/"
            + "AWS_SECRET_ACCESS_KEY, AWS_PROFILE and ~/.aws/credentials, or a container/instance role)";

    private final S3Settings settings;

    S3Errors(S3Settings settings) {
        this.settings = settings;
    }

    /**
     * @param action what was being done, as a verb phrase: "read", "list", "write to"
     * @param where  the object or prefix
     */
    IOException translate(String action, Location where, SdkException e) {
        if (e instanceof AwsServiceException service) {
            return fromService(action, where, service);
        }
        if (e instanceof AbortedException) {
            InterruptedIOException interrupted = new InterruptedIOException("Interrupted while trying to " + action + " " + where);
            interrupted.initCause(e);
            return interrupted;
        }
        if (isMissingCredentials(e)) {
            return noCredentials(action, where, e);
        }
        if (isUnreachable(e)) {
            return new IOException("Cannot reach the S3 endpoint " + settings.describeEndpoint() + " to " + action + " "
                    + where + " (" + rootCauseText(e) + attempts(e) + "): check --endpoint-url and --region, that the server is up, "
                    + "and any network proxy or firewall in between", e);
        }
        IOException scheme = wrongScheme(action, where, e);
        if (scheme != null) {
            return scheme;
        }
        if (isTimeout(e)) {
            return new IOException("The S3 endpoint " + settings.describeEndpoint() + " did not answer in time to "
                    + action + " " + where + " (" + rootCauseText(e) + ", " + settings.maxAttempts() + " attempts"
                    + attempts(e) + "): "
                    + "check --endpoint-url, that the server is up and not overloaded, and the network in between", e);
        }
        String attempts = attempts(e);
        return new IOException("Could not " + action + " " + where + " at " + settings.describeEndpoint() + ": "
                + e.getMessage() + (attempts.isEmpty() ? "" : " (" + attempts.substring(2) + ")"), e);
    }

    /**
     * An endpoint whose scheme is not what its server speaks, or null: an https:// one answered without TLS (a local
     * server started without it; the TLS parser's "Unsupported or unrecognized SSL message" was all a user read), an
     * http:// one with TLS, or closed every connection unanswered, as a TLS server may do to plain HTTP.
     */
    private IOException wrongScheme(String action, Location where, SdkException e) {
        java.net.URI endpoint = settings.endpoint();
        String scheme = endpoint == null ? null : endpoint.getScheme();
        if ("https".equalsIgnoreCase(scheme) && has(e, t -> t instanceof javax.net.ssl.SSLException
                && t.getMessage() != null && (t.getMessage().startsWith("Unsupported or unrecognized SSL message") // JSSE
                || t.getMessage().startsWith("Unable to parse TLS packet header")))) { // Conscrypt
            return new UnusableLocationException("The S3 endpoint " + endpoint + " answered in plain HTTP, not TLS, to"
                    + " a request to " + action + " " + where + " (" + rootCauseText(e) + attempts(e) + "): use --endpoint-url http://"
                    + endpoint.getRawSchemeSpecificPart().substring(2) + " if the server has no TLS", e);
        }
        if ("http".equalsIgnoreCase(scheme)) {
            String https = "--endpoint-url https://" + endpoint.getRawSchemeSpecificPart().substring(2);
            if (has(e, t -> t instanceof HttpExchanges.TlsAnswerException)) {
                return new UnusableLocationException("The S3 endpoint " + endpoint + " answered in TLS, not plain HTTP,"
                        + " to a request to " + action + " " + where + attempts(e) + ": the server speaks HTTPS there, use "
                        + https, e);
            }
            // Only where every attempt known was closed so (the SDK's client keeps no earlier ones): one dropped
            // connection after two throttled answers is no sign of TLS (the review).
            if (closedUnanswered(e) && earlierAttempts(e).allMatch(S3Errors::closedUnanswered)) {
                return new IOException("The S3 endpoint " + endpoint + " closed the connection without answering a"
                        + " request to " + action + " " + where + ", " + settings.maxAttempts() + " attempts ("
                        + rootCauseText(e) + "): if the server speaks TLS there, try " + https, e);
            }
        }
        return null;
    }

    /** Whether {@code e} is a connection closed without an answer (Apache's, the SDK client's, or Orchard's own). */
    private static boolean closedUnanswered(Throwable e) {
        return has(e, t -> t instanceof HttpExchanges.NoAnswerException
                || t.getClass().getSimpleName().equals("NoHttpResponseException"));
    }

    private static boolean has(Throwable e, java.util.function.Predicate<Throwable> cause) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (cause.test(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A conditional request (If-Match, If-None-Match) the server answered 501 Not Implemented: it has none, and the
     * output's lease cannot be written by compare-and-set there.
     */
    IOException conditionsNotImplemented(String action, Location where, AwsServiceException e) {
        return new IOException("The S3 server at " + settings.describeEndpoint() + " does not implement conditional"
                + " requests (it answered " + describe(e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode(),
                e.statusCode()) + " to " + action + " " + where + " with If-Match or If-None-Match). Orchard writes"
                + " the output's lease by compare-and-set, so that no two coordinators write one output at once: use a"
                + " server that implements conditional writes (AWS S3 does)", e);
    }

    /** Whether {@code e} says the server does not implement the request as sent (a conditional header). */
    static boolean notImplemented(AwsServiceException e) {
        return e.statusCode() == 501
                || e.awsErrorDetails() != null && "NotImplemented".equals(e.awsErrorDetails().errorCode());
    }

    /** Where the credentials came from: the profile {@code --profile} names, alone, or the default chain. */
    private String credentialSources() {
        return settings.profile() != null
                ? "--profile " + settings.profile() + " (its entries in ~/.aws/credentials or ~/.aws/config; the"
                        + " environment's credentials are not used with it)"
                : CREDENTIAL_SOURCES;
    }

    private static boolean hasEmptySegment(String key) {
        return key.startsWith("/") || key.contains("//");
    }

    IOException noCredentials(String action, Location where, Exception e) {
        if (settings.profile() != null) { // the profile alone is asked: say what the SDK found wrong with it
            // The SDK's message goes on to print the whole profile file's structure (every profile's name and keys)
            String why = String.valueOf(e.getMessage());
            int dump = why.indexOf(": ProfileFile(");
            String reason = dump < 0 ? why : why.substring(0, dump);
            return new UnusableLocationException("No AWS credentials from --profile " + settings.profile() + " to "
                    + action + " " + where + ": " + reason + ". Check the profile's name and its entries in"
                    + " ~/.aws/credentials or ~/.aws/config (or AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE)", e);
        }
        return new UnusableLocationException("No AWS credentials found to " + action + " " + where + ": provide them through "
                + CREDENTIAL_SOURCES + " (" + e.getClass().getSimpleName() + ")", e);
    }

    private IOException fromService(String action, Location where, AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        String bucket = where.bucket();
        if (status == 404 && code == null && action.startsWith("list")) {
            // S3 answers a listing of a missing bucket with NoSuchBucket, never with a bare 404: this is not S3 (a web
            // server or a proxy at --endpoint-url was told "no such S3 object", exit 1; an observability walk).
            return new UnusableLocationException("The endpoint " + settings.describeEndpoint() + " answered 404 without"
                    + " an S3 error to a request to " + action + " " + where + ": check that --endpoint-url is an"
                    + " S3-compatible server (with --path-style where it serves buckets by path) and the bucket's name",
                    e);
        }
        // HEAD answers 404 without a body, so without a code.
        if ("NoSuchKey".equals(code) || (status == 404 && code == null)) {
            NoSuchFileException missing = new NoSuchFileException(where.toString(), null, "no such S3 object");
            missing.initCause(e);
            return missing;
        }
        if ("NoSuchBucket".equals(code)) {
            return new UnusableLocationException("Bucket '" + bucket + "' does not exist at " + settings.describeEndpoint()
                    + " (needed to " + action + " " + where + "): check the bucket name, the region and --endpoint-url, "
                    + "or create the bucket", e);
        }
        if ("SignatureDoesNotMatch".equals(code) && hasEmptySegment(where.key())) {
            // aws/aws-sdk-java-v2#3749: the SDK signs a path with an empty segment other than S3 reads it (a user's
            // report: an --output under s3://b//x was refused as "rejected the credentials", which were good).
            return new UnusableLocationException("S3 did not accept the signature of a request to " + action + " "
                    + where + ": its key holds an empty segment ('//', or a '/' first), which the AWS SDK signs"
                    + " otherwise than S3 reads it (aws/aws-sdk-java-v2#3749). Orchard reads images at such keys itself,"
                    + " but outputs, manifests and models must lie at keys without one: choose such a location", e);
        }
        if (code != null && AUTH_CODES.contains(code)) {
            return new UnusableLocationException("S3 rejected the credentials trying to " + action + " " + where + " (" + code + ": "
                    + serviceMessage(e) + "): check the credentials that " + credentialSources()
                    + " provides, and that they belong to " + settings.describeEndpoint(), e);
        }
        if (status == 403 || "AccessDenied".equals(code)) {
            return new UnusableLocationException("Access denied trying to " + action + " " + where + " (" + describe(code, status)
                    + "): the credentials from " + credentialSources() + " were accepted but may not do this; grant "
                    + permissionFor(action, where) + " (IAM or bucket policy), or choose another location", e);
        }
        if (status == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)
                || "IllegalLocationConstraintException".equals(code)) {
            return new UnusableLocationException("Bucket '" + bucket + "' is in another region than " + settings.describeEndpoint()
                    + " (" + describe(code, status) + ", trying to " + action + " " + where
                    + "): set --region to the bucket's region", e);
        }
        if ((status == 503 || "SlowDown".equals(code)) && earlierAttempts(e).allMatch(t -> "throttled".equals(attempt(t)))) {
            return new IOException("S3 kept throttling requests to " + action + " " + where + " after "
                    + settings.maxAttempts() + " attempts (" + describe(code, status) + attempts(e) + "): lower the number of "
                    + "concurrent requests or raise the retry attempts", e);
        }
        return new IOException("Could not " + action + " " + where + " (" + describe(code, status) + ": "
                + serviceMessage(e) + attempts(e) + ")", e);
    }

    /**
     * "; of the 10 attempts: 7 truncated, 3 throttled" where a retried request's attempts failed in more than one way
     * ({@link S3Requests} hangs the earlier ones on the last as suppressed); else "". An image whose reads were cut
     * short 7 times and throttled 3 times was recorded as "S3 kept throttling" alone.
     */
    private static String attempts(SdkException last) {
        List<Throwable> earlier = earlierAttempts(last).toList();
        if (earlier.isEmpty()) {
            return "";
        }
        java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (Throwable attempt : earlier) {
            counts.merge(attempt(attempt), 1, Integer::sum);
        }
        counts.merge(attempt(last), 1, Integer::sum);
        if (counts.size() == 1) {
            return ""; // the same each time: the message says it
        }
        return "; of the " + (earlier.size() + 1) + " attempts: " + counts.entrySet().stream()
                .sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed()) // stable: first seen first
                .map(c -> c.getValue() + " " + c.getKey()).collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * An earlier attempt's failure, as {@link S3Requests} hangs it on the last one's: only these are counted. The AWS
     * SDK's own client hangs its earlier attempts on its exception too, as bare text ("Request attempt 2 failure: …")
     * that says nothing of how they failed: counted, a write throttled three times read "2 failed (SdkClientException),
     * 1 throttled" (the review).
     */
    static final class EarlierAttempt extends Exception {
        EarlierAttempt(Throwable failure) {
            super("an earlier attempt failed", failure, false, false);
        }
    }

    /** The failures of {@code last}'s earlier attempts, oldest first; none where they were not kept. */
    private static java.util.stream.Stream<Throwable> earlierAttempts(Throwable last) {
        return java.util.Arrays.stream(last.getSuppressed()).filter(t -> t instanceof EarlierAttempt).map(Throwable::getCause);
    }

    /** How one attempt failed, in a word or two that reads after a count ("7 truncated"). */
    private static String attempt(Throwable failure) {
        if (failure instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            return service.statusCode() == 503 || "SlowDown".equals(code) ? "throttled"
                    : "answered " + service.statusCode() + (code == null ? "" : " " + code); // no comma: a list's
        }
        if (isUnreachable(failure)) {
            return "unreachable";
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.io.EOFException) {
                return "truncated";
            }
            if (t instanceof SocketTimeoutException) {
                return "timed out";
            }
            if (t instanceof java.net.SocketException && String.valueOf(t.getMessage()).contains("reset")) {
                return "reset";
            }
        }
        String root = rootCauseText(failure);
        int colon = root.indexOf(':');
        return "failed (" + (colon < 0 ? root : root.substring(0, colon)) + ")";
    }

    /** The IAM permission an action needs, on the resource it needs it on. */
    private static String permissionFor(String action, Location where) {
        String objects = "arn:aws:s3:::" + where.bucket() + "/" + where.key() + "*";
        if (action.startsWith("write") || action.startsWith("delete")) {
            return "s3:PutObject and s3:DeleteObject on " + objects;
        }
        if (action.startsWith("list")) {
            return "s3:ListBucket on arn:aws:s3:::" + where.bucket() + " (for the prefix " + where.key() + ")";
        }
        return "s3:GetObject on " + objects + " and s3:ListBucket on arn:aws:s3:::" + where.bucket();
    }

    private static String describe(String code, int status) {
        return code == null ? "HTTP " + status : code + ", HTTP " + status;
    }

    private static String serviceMessage(AwsServiceException e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
                ? "no message" : e.awsErrorDetails().errorMessage();
    }

    /** The SDK reports an exhausted credential chain as a plain client exception; its text is the only mark. */
    private static boolean isMissingCredentials(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (t instanceof SdkClientException && message != null && message.startsWith("Unable to load credentials")) {
                return true;
            }
        }
        return false;
    }

    /** The endpoint could not be reached at all: refused, unknown host, no route, no connection in time. */
    static boolean isUnreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t.getClass().getSimpleName().equals("ConnectTimeoutException")) { // Apache's, per version
                return true;
            }
        }
        return false;
    }

    /**
     * Connected, but the endpoint sent nothing back within the socket timeout ("Read timed out"); asked after
     * {@link #isUnreachable}, which takes a connection that timed out.
     */
    static boolean isSilent(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof ApiCallTimeoutException
                    || t instanceof ApiCallAttemptTimeoutException) {
                return true;
            }
        }
        return false;
    }

    static String rootCauseText(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
