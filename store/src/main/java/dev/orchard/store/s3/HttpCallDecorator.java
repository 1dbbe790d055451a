package dev.orchard.store.s3;

import java.io.IOException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/** An SDK HTTP client that wraps each call of another: subclasses say what happens around one call. */
abstract class HttpCallDecorator implements SdkHttpClient {
    private final SdkHttpClient delegate;

    HttpCallDecorator(SdkHttpClient delegate) {
        this.delegate = delegate;
    }

    /** Runs {@code call} (the delegate's, for one attempt) and returns its response, or another in its place. */
    abstract HttpExecuteResponse around(ExecutableHttpRequest call) throws IOException;

    @Override
    public final ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest call = delegate.prepareRequest(request);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                return around(call);
            }

            @Override
            public void abort() {
                call.abort();
            }
        };
    }

    @Override
    public final String clientName() {
        return delegate.clientName();
    }

    @Override
    public final void close() {
        delegate.close();
    }
}
