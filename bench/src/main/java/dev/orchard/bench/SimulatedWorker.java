package dev.orchard.bench;

import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.ServiceKeys;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.UnitStatistics;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * A worker that speaks the real protocol but replaces decoding and ONNX with a fixed cost per image: it pulls
 * units, "processes" them for {@code costPerImage} × images, reports, waits for the verdict and commits real
 * (tiny, 2-d) statistics files. What remains to measure is the coordinator: how fast it can hand out work.
 */
final class SimulatedWorker {

    private record Found(Receptionist.Listing listing) implements WorkerCommand {
    }

    private record Done(WorkerCommand.Assign assign) implements WorkerCommand {
    }

    private SimulatedWorker() {
    }

    static Behavior<WorkerCommand> create(String id, Duration costPerImage, Location output, int commitEvery) {
        return Behaviors.setup(context -> {
            ActorRef<Receptionist.Listing> adapter = context.messageAdapter(Receptionist.Listing.class, Found::new);
            context.getSystem().receptionist().tell(Receptionist.subscribe(ServiceKeys.COORDINATOR, adapter));
            LocalObjectStore store = new LocalObjectStore();
            List<Integer> window = new ArrayList<>();
            int[] sequence = {0};
            ActorRef<CoordinatorCommand>[] coordinator = new ActorRef[1];
            Runnable commit = () -> {
                if (window.isEmpty()) {
                    return;
                }
                CovariancePartial stats = CovariancePartial.empty(2);
                stats.addBatch(new float[] {1, 2, 3, 5}, 2);
                Location file = output.resolve("_orchard/partials/" + id + "-" + (++sequence[0]) + ".stats");
                try {
                    store.put(file, new UnitStatistics(window, stats).encode());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                coordinator[0].tell(new CoordinatorCommand.StatisticsCommitted(id, file.toString(), List.copyOf(window)));
                window.clear();
            };
            return Behaviors.<WorkerCommand>receiveMessage(message -> {
                if (message instanceof Found found) {
                    var refs = found.listing().getServiceInstances(ServiceKeys.COORDINATOR);
                    if (!refs.isEmpty() && coordinator[0] == null) {
                        coordinator[0] = refs.iterator().next();
                        coordinator[0].tell(new CoordinatorCommand.RequestWork(id, context.getSelf()));
                        coordinator[0].tell(new CoordinatorCommand.RequestWork(id, context.getSelf()));
                    }
                } else if (message instanceof WorkerCommand.Assign assign) {
                    Duration cost = costPerImage.multipliedBy(assign.unit().images().size());
                    if (cost.isZero()) {
                        context.getSelf().tell(new Done(assign));
                    } else {
                        context.scheduleOnce(cost, context.getSelf(), new Done(assign));
                    }
                } else if (message instanceof Done done) {
                    var unit = done.assign().unit();
                    coordinator[0].tell(new CoordinatorCommand.UnitFinished(id, context.getSelf(), unit.id(), unit.attempt(),
                            new UnitReport(unit.images().size(), List.of(), 0, UnitReport.StageNanos.ZERO)));
                    coordinator[0].tell(new CoordinatorCommand.RequestWork(id, context.getSelf()));
                } else if (message instanceof WorkerCommand.Verdict verdict && verdict.accepted()) {
                    window.add(verdict.unitId());
                    if (window.size() >= commitEvery) {
                        commit.run();
                    }
                } else if (message instanceof WorkerCommand.CommitStatistics) {
                    commit.run();
                } else if (message instanceof WorkerCommand.JobFinished) {
                    return Behaviors.stopped();
                }
                return Behaviors.same();
            });
        });
    }
}
