package dev.orchard.cli;

import dev.orchard.observe.HttpAddress;
import picocli.CommandLine.Option;

/** Where a node serves its status page, /metrics, /ready and /alive, or that it serves none. */
final class HttpOptions {

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "Serve the status page (/), /metrics (Prometheus), /ready and /alive here. Default: loopback "
                    + "only, port 8558 for run and a coordinator node, 8559 for a worker node, or any free port when "
                    + "that one is taken (the address is printed when it serves: for run, once the first batch runs); "
                    + "port 0 takes any free port; 0.0.0.0:PORT opens it to the network.")
    String http;

    @Option(names = "--no-http", description = "Serve no HTTP endpoint.")
    boolean noHttp;

    /** Whether the user named the address (then it must be that one, else the default's port may move). */
    boolean given() {
        return http != null;
    }

    /** The address to serve on, {@code byDefault} when none was given, or null with --no-http. */
    HttpAddress address(HttpAddress byDefault) {
        if (noHttp) {
            if (http != null) {
                throw new IllegalArgumentException("--http and --no-http contradict each other: give one");
            }
            return null;
        }
        return http == null ? byDefault : HttpAddress.parse(http);
    }
}
