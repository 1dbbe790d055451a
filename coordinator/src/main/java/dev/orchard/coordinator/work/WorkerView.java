package dev.orchard.coordinator.work;

import dev.orchard.protocol.WorkerInfo;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** A worker as the coordinator sees it: what it was assigned and holds, when it last spoke, what it won. */
final class WorkerView {
    final String id;
    long lastHeardMs;
    long statusSeq = -1;
    long nextAssignSeq = 1;
    long assignSeqSeen;
    int freeSlots;
    boolean gone;
    long lastCommitRequestMs = Long.MIN_VALUE / 2;
    int wonAtCommitRequest; // won when it was last asked to write its statistics
    WorkerInfo info = WorkerInfo.UNKNOWN;
    final Map<Integer, Task> live = new LinkedHashMap<>(); // attempt → task
    final Set<Integer> accepted = new LinkedHashSet<>();  // units whose accepted statistics it holds
    int assigned;
    int won;
    int wonThenLost; // accepted units whose statistics were lost with it: done again, not its share
    long images;
    int failuresInARow; // failures since it last finished an attempt, each of an attempt begun at or after the last
    long lastFailureMs = Long.MIN_VALUE / 2;
    long lastProgressMs; // when this coordinator first heard it, or it last finished a live attempt

    WorkerView(String id, long joinedMs) {
        this.id = id;
        this.lastProgressMs = joinedMs;
    }
}
