package dev.orchard.store.s3;

import java.io.IOException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * The SDK client's HTTP client, each call's outcome told to an {@link EndpointOutage}: the SDK retries a refused
 * connection without a word, so without this a write to an endpoint that cannot be reached said nothing until its
 * attempts ran out.
 */
final class OutageReportingHttpClient implements SdkHttpClient {
    private final SdkHttpClient delegate;
    private final EndpointOutage outage;

    OutageReportingHttpClient(SdkHttpClient delegate, EndpointOutage outage) {
        this.delegate = delegate;
        this.outage = outage;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest call = delegate.prepareRequest(request);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                HttpExecuteResponse response;
                try {
                    response = call.call();
                } catch (IOException | RuntimeException e) {
                    outage.failed(e);
                    throw e;
                }
                outage.reached();
                return response;
            }

            @Override
            public void abort() {
                call.abort();
            }
        };
    }

    @Override
    public String clientName() {
        return delegate.clientName();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
