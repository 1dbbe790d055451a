package dev.orchard.cli;

import com.typesafe.config.Config;
import dev.orchard.coordinator.Build;
import java.util.List;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.JoinConfigCompatChecker;
import org.apache.pekko.cluster.Valid$;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Refuses a node that joins a cluster of another Orchard build ({@link Build}). Every node of a cluster runs the same
 * Orchard: the messages between nodes have no versions (their Kryo ids are assigned in order), and rows made by
 * another build's decoding or preprocessing would be mixed into one output without a trace. Pekko runs this check
 * both ways as a node joins (registered in {@code application.conf}): the cluster's node that answers refuses a
 * joining node of another build, and logs why; a joining node refuses a cluster of another build, or of an Orchard
 * that predates the check (such a cluster sends no build). Refused, the joining node's actor system stops (Pekko's
 * coordinated shutdown, {@link ClusterNode#refusedAtJoin}).
 */
public final class SameBuildCheck extends JoinConfigCompatChecker {
    /** The setting that holds a node's build, set by {@link ClusterNode}. */
    static final String KEY = "orchard.build";

    @Override
    public scala.collection.immutable.Seq<String> requiredKeys() {
        return CollectionConverters.asScala(List.of(KEY)).toList();
    }

    @Override
    public ConfigValidation check(Config toCheck, Config actualConfig) {
        String problem = problem(toCheck.hasPath(KEY) ? toCheck.getString(KEY) : null, actualConfig.getString(KEY));
        return problem == null ? Valid$.MODULE$ : new Invalid(CollectionConverters.asScala(List.of(problem)).toList());
    }

    /** What is wrong with a node of build {@code other} (null: an Orchard without the check) beside this one. */
    static String problem(String other, String own) {
        if (other == null) {
            return "the other node runs an Orchard from before 2026-12-06, which says no build; this one runs build "
                    + own + ". Run the same orchard.jar on every node";
        }
        if (other.equals(own)) {
            return null;
        }
        return "the other node runs Orchard build " + other + ", this one build " + own + " ('orchard --version' says"
                + " a node's). Run the same orchard.jar on every node";
    }
}
