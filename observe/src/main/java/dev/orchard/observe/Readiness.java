package dev.orchard.observe;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * {@code orchard run}'s readiness check for Pekko Management's {@code /ready}: ready while this process's coordinator
 * runs the job (not while the model loads, nor after the job ended). Pekko Management creates checks by class name
 * from its configuration, so the condition travels in an actor-system extension. Cluster nodes use Pekko Management's
 * own check instead (the node is an Up member).
 */
public final class Readiness implements Supplier<CompletionStage<Boolean>> {
    private final Holder holder;

    /** Called by Pekko Management, with the node's actor system. */
    public Readiness(ActorSystem system) {
        this.holder = Key.KEY.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        BooleanSupplier condition = holder.condition;
        return CompletableFuture.completedFuture(condition != null && condition.getAsBoolean());
    }

    /** Makes {@code /ready} of {@code system} answer {@code condition}. */
    public static void set(ActorSystem system, BooleanSupplier condition) {
        Key.KEY.get(system).condition = condition;
    }

    static final class Holder implements Extension {
        volatile BooleanSupplier condition;
    }

    static final class Key extends AbstractExtensionId<Holder> {
        static final Key KEY = new Key();

        @Override
        public Holder createExtension(ExtendedActorSystem system) {
            return new Holder();
        }
    }
}
