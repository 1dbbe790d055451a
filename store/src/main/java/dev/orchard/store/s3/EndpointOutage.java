package dev.orchard.store.s3;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a store's S3 endpoint can be reached, as its requests find out, told in the log once per outage: a WARN at
 * the first attempt that cannot reach it (refused, unknown host, no route, no connection in time) or that it does not
 * answer (connected, but no reply within the socket timeout), naming it, and an INFO at the first attempt that
 * reaches it again. Not per attempt of every request: with 32 reads in flight and 10
 * attempts each, that would be hundreds of lines. Without it, a wrong {@code --endpoint-url} showed only when a
 * request's attempts ran out, ~25 s later. Both ways to S3 report here: Orchard's own requests ({@link S3Requests})
 * and the SDK client's ({@link S3Clients}).
 */
final class EndpointOutage {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointOutage.class);

    private final S3Settings settings;
    private final AtomicBoolean unreachable = new AtomicBoolean();
    /** Whether any attempt has reached the endpoint: a silent one after that is a stall, not a wrong endpoint. */
    private final AtomicBoolean answeredOnce = new AtomicBoolean();

    EndpointOutage(S3Settings settings) {
        this.settings = settings;
    }

    /** An attempt failed with {@code failure}: the start of an outage if it could not reach the endpoint at all. */
    void failed(Throwable failure) {
        if (S3Errors.isUnreachable(failure)) {
            if (unreachable.compareAndSet(false, true)) {
                LOG.warn("Cannot reach the S3 endpoint {} ({}); requests are retried, up to {} attempts each: if this"
                        + " lasts, check --endpoint-url and --region, that the server is up, and the network in between",
                        settings.describeEndpoint(), S3Errors.rootCauseText(failure), settings.maxAttempts());
            }
        } else if (S3Errors.isSilent(failure)) {
            // Connected, but nothing came back for the socket timeout: a job with a wrong --endpoint-url (a port that
            // accepts and never answers) printed nothing for 10 minutes, until its listing's attempts ran out (a walk).
            if (unreachable.compareAndSet(false, true)) {
                if (answeredOnce.get()) { // one request stalled on an endpoint that answers (the diff's review)
                    LOG.warn("A request to the S3 endpoint {} got nothing for {} ({}); requests are retried, up to {}"
                            + " attempts each: if this lasts, check that the server is up and not overloaded, and the"
                            + " network in between", settings.describeEndpoint(), seconds(settings.socketTimeout()),
                            S3Errors.rootCauseText(failure), settings.maxAttempts());
                } else {
                    LOG.warn("The S3 endpoint {} took the connection but did not answer in {} ({}); requests are"
                            + " retried, up to {} attempts each: if this lasts, check that --endpoint-url is an S3 server,"
                            + " that it is up, and the network in between", settings.describeEndpoint(),
                            seconds(settings.socketTimeout()), S3Errors.rootCauseText(failure), settings.maxAttempts());
                }
            }
        } else {
            reached(); // it answered, if with an error
        }
    }

    private static String seconds(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s";
    }

    /** An attempt reached the endpoint: the end of an outage, if there was one. */
    void reached() {
        if (!answeredOnce.get()) {
            answeredOnce.set(true);
        }
        if (unreachable.get() && unreachable.compareAndSet(true, false)) {
            LOG.info("The S3 endpoint {} answers again", settings.describeEndpoint());
        }
    }
}
