package dev.orchard.protocol;

import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** Receptionist keys: workers find the coordinator (wherever the singleton runs) through these. */
public final class ServiceKeys {
    public static final ServiceKey<CoordinatorCommand> COORDINATOR =
            ServiceKey.create(CoordinatorCommand.class, "orchard-coordinator");

    private ServiceKeys() {
    }
}
