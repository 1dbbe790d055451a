package dev.orchard.coordinator.work.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The simulated world's clock, event queue and network, all driven by one seeded {@link Random}: the same seed
 * gives the same schedule, event for event. The network delays every message by a random amount (so messages
 * overtake each other), drops some and duplicates some, until {@code faultsEndMs}; after that it is slow but
 * reliable (eventual synchrony: the point from which the job must be able to end).
 */
final class Sim {
    final Random rng;
    final Scenario scenario;
    long now;
    private long seq;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Deque<Line> trace = new ArrayDeque<>();
    private final boolean verbose;
    long events;
    long messages;
    private long faultsEnd;
    long dropped;
    long duplicated;

    /** A trace line, formatted only when a failure prints it. */
    private record Line(long time, java.util.function.Supplier<String> text) {
        @Override
        public String toString() {
            return String.format("%8d  %s", time, text.get());
        }
    }

    private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
        }
    }

    Sim(Scenario scenario, boolean verbose) {
        this.scenario = scenario;
        this.rng = new Random(scenario.seed() * 0x9E3779B97F4A7C15L + 17);
        this.verbose = verbose;
        this.faultsEnd = scenario.faultsEndMs();
    }

    /** Faults again, for as long as the scenario says, from {@code startMs} (the update's start). */
    void faultsFrom(long startMs) {
        faultsEnd = startMs + scenario.faultsEndMs();
    }

    Scenario scenario() {
        return scenario;
    }

    void at(long delayMs, Runnable action) {
        queue.add(new Event(now + Math.max(0, delayMs), seq++, action));
    }

    boolean faulty() {
        return now < faultsEnd;
    }

    /** Delivers a message later, perhaps twice, perhaps never (while faults last). */
    void send(java.util.function.Supplier<String> what, Runnable deliver) {
        messages++;
        if (faulty() && rng.nextDouble() < scenario.dropRate()) {
            dropped++;
            log(() -> "drop " + what.get());
            return;
        }
        at(delay(), () -> {
            log(() -> "recv " + what.get());
            deliver.run();
        });
        if (faulty() && rng.nextDouble() < scenario.duplicateRate()) {
            duplicated++;
            at(delay(), () -> {
                log(() -> "recv (dup) " + what.get());
                deliver.run();
            });
        }
    }

    long delay() {
        return faulty() ? 1 + rng.nextInt(scenario.maxDelayMs()) : 1 + rng.nextInt(20);
    }

    long between(long from, long to) {
        return from + (long) (rng.nextDouble() * (to - from));
    }

    boolean chance(double p) {
        return rng.nextDouble() < p;
    }

    /** Runs events until none is left, {@code done} says so, or the clock passes {@code untilMs}. */
    void run(long untilMs, java.util.function.BooleanSupplier done) {
        while (!queue.isEmpty() && !done.getAsBoolean()) {
            Event e = queue.poll();
            if (e.time() > untilMs) {
                now = e.time();
                return;
            }
            now = e.time();
            events++;
            e.action().run();
        }
    }

    void log(String line) {
        log(() -> line);
    }

    void log(java.util.function.Supplier<String> line) {
        Line entry = new Line(now, line);
        if (verbose) {
            System.out.println(entry);
        }
        trace.addLast(entry);
        if (trace.size() > 300) {
            trace.removeFirst();
        }
    }

    String trace() {
        return String.join("\n", trace.stream().map(Line::toString).toList());
    }
}
