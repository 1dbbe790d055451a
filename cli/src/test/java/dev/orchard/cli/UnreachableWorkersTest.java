package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which unreachable worker nodes a coordinator node downs before the split-brain resolver decides. */
class UnreachableWorkersTest {
    private static final long AFTER = 10;
    private static final UnreachableWorkers.Node COORDINATOR = new UnreachableWorkers.Node("c", false, true, true, 0);
    private static final UnreachableWorkers.Node STANDBY = new UnreachableWorkers.Node("s", false, true, true, 1);
    private static final UnreachableWorkers.Node A = new UnreachableWorkers.Node("a", true, false, true, 2);
    private static final UnreachableWorkers.Node B = new UnreachableWorkers.Node("b", true, false, true, 3);
    private static final UnreachableWorkers.Node C = new UnreachableWorkers.Node("c2", true, false, true, 4);

    private static List<String> toDown(List<UnreachableWorkers.Node> members, Set<String> unreachable, String self,
                                       long now) {
        return UnreachableWorkers.toDown(members, unreachable, self, Map.of("a", 0L, "b", 5L, "s", 0L, "c", 0L), now,
                AFTER);
    }

    @Test
    void theOldestCoordinatorDownsWorkersUnreachableLongEnoughWhileAnotherMemberIsReachable() {
        List<UnreachableWorkers.Node> cluster = List.of(COORDINATOR, STANDBY, A, B, C);
        assertThat(toDown(cluster, Set.of("a", "b"), "c", 9)).isEmpty();
        assertThat(toDown(cluster, Set.of("a", "b"), "c", 10)).containsExactly("a");
        assertThat(toDown(cluster, Set.of("a", "b"), "c", 15)).containsExactly("a", "b");
    }

    @Test
    void onlyWhatKeepOldestWouldDecideItself() {
        List<UnreachableWorkers.Node> cluster = List.of(COORDINATOR, STANDBY, A, B, C);
        assertThat(toDown(cluster, Set.of("a"), "s", 20)).as("a standby is not the oldest").isEmpty();
        assertThat(toDown(cluster, Set.of("s", "a", "b", "c2"), "c", 20)).as("cut off from all: it is the one downed")
                .isEmpty();
        assertThat(toDown(cluster, Set.of("s", "a"), "c", 20)).as("a coordinator node is never downed so")
                .containsExactly("a");
        UnreachableWorkers.Node both = new UnreachableWorkers.Node("a", true, true, true, 2);
        assertThat(toDown(List.of(COORDINATOR, both, C), Set.of("a"), "c", 20)).as("nor one with local workers")
                .isEmpty();
        UnreachableWorkers.Node joining = new UnreachableWorkers.Node("c", false, true, false, 0);
        assertThat(toDown(List.of(joining, STANDBY, A, C), Set.of("a"), "s", 20))
                .as("the oldest that is up decides: the standby, while the other is not up").containsExactly("a");
    }
}
