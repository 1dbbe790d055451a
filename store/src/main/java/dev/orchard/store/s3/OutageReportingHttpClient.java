package dev.orchard.store.s3;

import java.io.IOException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * The SDK client's HTTP client, each call's outcome told to an {@link EndpointOutage}: the SDK retries a refused
 * connection without a word, so without this a write to an endpoint that cannot be reached said nothing until its
 * attempts ran out.
 */
final class OutageReportingHttpClient extends HttpCallDecorator {
    private final EndpointOutage outage;

    OutageReportingHttpClient(SdkHttpClient delegate, EndpointOutage outage) {
        super(delegate);
        this.outage = outage;
    }

    @Override
    HttpExecuteResponse around(ExecutableHttpRequest call) throws IOException {
        HttpExecuteResponse response;
        try {
            response = call.call();
        } catch (IOException e) { // not a RuntimeException: that says nothing of the endpoint (an aborted call, a bug)
            outage.failed(e);
            throw e;
        }
        outage.reached();
        return response;
    }
}
