package dev.orchard.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Leaves out Pekko's warning that a connection's stream failed because its peer went ("[outbound connection to
 * [pekko://orchard@…], message stream] Upstream failed, cause: StreamTcpException: The connection has been aborted"):
 * two to four lines on every node each time another node of the cluster exits, a coordinator at its job's end
 * included, which read as a fault and say nothing the cluster's own lines do not (a member that leaves, or one found
 * unreachable). Any other failure of those streams (a TLS handshake refused, a message too large) is still logged.
 */
final class PeerGoneFilter extends Filter<ILoggingEvent> {
    static final String LOGGER = "org.apache.pekko.stream.Materializer";

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (LOGGER.equals(event.getLoggerName())) {
            String message = event.getFormattedMessage();
            if (message != null && message.contains("Upstream failed")
                    && message.contains("StreamTcpException: The connection has been aborted")) {
                return FilterReply.DENY;
            }
        }
        return FilterReply.NEUTRAL;
    }
}
