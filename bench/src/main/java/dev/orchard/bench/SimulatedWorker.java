package dev.orchard.bench;

import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.ServiceKeys;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.UnitStatistics;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.worker.WorkerLedger;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * A worker that speaks the real protocol (the real {@link WorkerLedger}) but replaces decoding and ONNX with a fixed
 * cost per image: it pulls units, "processes" them for {@code costPerImage} × images, reports, waits for the
 * verdict and commits real (tiny, 2-d) statistics files. What remains to measure is the coordinator: how fast it
 * can hand out work.
 */
final class SimulatedWorker {

    private record Found(Receptionist.Listing listing) implements WorkerCommand {
    }

    private record Done(WorkUnit unit) implements WorkerCommand {
    }

    private enum Tick implements WorkerCommand { INSTANCE }

    private SimulatedWorker() {
    }

    static Behavior<WorkerCommand> create(String id, Duration costPerImage, Location output, int commitEvery) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            ActorRef<Receptionist.Listing> adapter = context.messageAdapter(Receptionist.Listing.class, Found::new);
            context.getSystem().receptionist().tell(Receptionist.subscribe(ServiceKeys.COORDINATOR, adapter));
            timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofSeconds(1));
            LocalObjectStore store = new LocalObjectStore();
            long started = System.nanoTime();
            WorkerLedger<CovariancePartial> ledger = new WorkerLedger<>(id, context.getSelf(),
                    new WorkerLedger.Settings(2, commitEvery, 3000, 1000), (a, b) -> {
                        a.merge(b);
                        return a;
                    });
            @SuppressWarnings("unchecked")
            ActorRef<CoordinatorCommand>[] coordinator = new ActorRef[1];
            java.util.function.Consumer<List<WorkerLedger.Effect>> apply = new java.util.function.Consumer<>() {
                @Override
                public void accept(List<WorkerLedger.Effect> effects) {
                    long now = (System.nanoTime() - started) / 1_000_000;
                    for (WorkerLedger.Effect e : effects) {
                        if (e instanceof WorkerLedger.Send s && coordinator[0] != null) {
                            coordinator[0].tell(s.message());
                        } else if (e instanceof WorkerLedger.Run r) {
                            Duration cost = costPerImage.multipliedBy(r.unit().images().size());
                            if (cost.isZero()) {
                                context.getSelf().tell(new Done(r.unit()));
                            } else {
                                context.scheduleOnce(cost, context.getSelf(), new Done(r.unit()));
                            }
                        } else if (e instanceof WorkerLedger.WriteStatistics<?> w) {
                            Location file = OutputLayout.of(output.toString()).statistics(w.name());
                            String failure = null;
                            try {
                                store.put(file, new UnitStatistics(w.attempts().stream().map(a -> a.unit()).toList(),
                                        (CovariancePartial) w.statistics()).encode());
                            } catch (java.io.IOException x) {
                                failure = x.getMessage();
                            }
                            accept(ledger.statisticsWritten(w.name(), failure, now));
                        }
                    }
                }
            };
            return Behaviors.<WorkerCommand>receiveMessage(message -> {
                long now = (System.nanoTime() - started) / 1_000_000;
                if (message instanceof Found found) {
                    var refs = found.listing().getServiceInstances(ServiceKeys.COORDINATOR);
                    coordinator[0] = refs.isEmpty() ? null : refs.iterator().next();
                    if (coordinator[0] != null) {
                        apply.accept(ledger.statusNow(now));
                    }
                } else if (message instanceof Done done) {
                    CovariancePartial stats = CovariancePartial.empty(2);
                    stats.addBatch(new float[] {1, 2, 3, 5}, 2);
                    int n = done.unit().images().size();
                    apply.accept(ledger.attemptFinished(done.unit().attemptRef(),
                            new UnitReport(n, List.of(), 0, 0, UnitReport.StageNanos.ZERO), stats, now));
                } else if (message instanceof WorkerCommand.Assign m) {
                    apply.accept(ledger.assigned(m, now));
                } else if (message instanceof WorkerCommand.Verdict m) {
                    apply.accept(ledger.verdict(m, now));
                } else if (message instanceof WorkerCommand.CommitStatistics m) {
                    apply.accept(ledger.commitRequested(m, now));
                } else if (message instanceof WorkerCommand.CommitAck m) {
                    apply.accept(ledger.commitAck(m, now));
                } else if (message instanceof WorkerCommand.JobFinished) {
                    return Behaviors.stopped();
                } else if (message == Tick.INSTANCE) {
                    apply.accept(ledger.tick(now));
                }
                return Behaviors.same();
            });
        }));
    }
}
