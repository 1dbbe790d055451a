package dev.orchard.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * A cluster node's {@code /cluster/members}: this node's view of the cluster, in the fields of Pekko Management's
 * route of that name, so scripts written for it read this one: {@code selfNode}, {@code members} (each {@code node},
 * {@code nodeUid}, {@code status}, {@code roles}), {@code unreachable} (each {@code node}; Pekko Management also
 * lists who observed it, which only the cluster's internal API tells), {@code leader}, {@code oldest} (the oldest Up
 * member) and {@code oldestPerRole}.
 */
final class ClusterMembersJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Cluster cluster;

    ClusterMembersJson(ActorSystem system) {
        this.cluster = Cluster.get(system);
    }

    byte[] json() {
        ClusterEvent.CurrentClusterState state = cluster.state();
        List<Member> members = StreamSupport.stream(state.getMembers().spliterator(), false)
                .sorted(Comparator.comparing(m -> m.address().toString())).toList();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("selfNode", cluster.selfAddress().toString());
        List<Map<String, Object>> listed = new ArrayList<>();
        for (Member m : members) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("node", m.address().toString());
            member.put("nodeUid", Long.toString(m.uniqueAddress().longUid()));
            member.put("status", m.status().toString());
            member.put("roles", new TreeSet<>(m.getRoles()));
            listed.add(member);
        }
        view.put("members", listed);
        view.put("unreachable", state.getUnreachable().stream()
                .map(m -> m.address().toString()).sorted().map(node -> Map.of("node", node)).toList());
        Address leader = state.getLeader();
        view.put("leader", leader == null ? null : leader.toString());
        view.put("oldest", oldestUp(members, null).orElse(null));
        Map<String, String> oldestPerRole = new TreeMap<>();
        members.stream().flatMap(m -> m.getRoles().stream()).distinct()
                .forEach(role -> oldestUp(members, role).ifPresent(address -> oldestPerRole.put(role, address)));
        view.put("oldestPerRole", oldestPerRole);
        try {
            return JSON.writeValueAsBytes(view);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the cluster's members as JSON", e);
        }
    }

    /** The address of the oldest Up member (with {@code role}, unless null). */
    private static Optional<String> oldestUp(List<Member> members, String role) {
        return members.stream()
                .filter(m -> m.status() == MemberStatus.up() && (role == null || m.hasRole(role)))
                .reduce((a, b) -> b.isOlderThan(a) ? b : a)
                .map(m -> m.address().toString());
    }
}
