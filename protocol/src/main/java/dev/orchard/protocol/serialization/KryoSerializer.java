package dev.orchard.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import com.esotericsoftware.kryo.util.Pool;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

/**
 * Kryo for every cluster message. Each class is registered with a fixed id, so no class name travels and a class
 * not on the list is refused on both ends ({@code registrationRequired}); Java serialization stays off.
 * Ids are part of the wire format: add new classes at the end, never renumber.
 */
public final class KryoSerializer extends JSerializer {
    /** Pekko's id for this serializer (must be unique among serializers, > 40). */
    public static final int IDENTIFIER = 7355;

    private final ActorRefResolver resolver;
    private final Pool<Kryo> kryos;

    public KryoSerializer(ExtendedActorSystem system) {
        this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
        this.kryos = new Pool<>(true, false, 16) {
            @Override
            protected Kryo create() {
                return newKryo(resolver);
            }
        };
    }

    static Kryo newKryo(ActorRefResolver resolver) {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        ListSerializer lists = new ListSerializer();
        kryo.register(ArrayList.class, lists, 10);
        kryo.register(List.of().getClass(), lists, 11);
        kryo.register(List.of(1).getClass(), lists, 12);
        kryo.register(List.of(1, 2, 3).getClass(), lists, 13);
        kryo.register(float[].class, 14);
        kryo.register(Phase.class, 15);
        // A typed ActorRef travels as its path; the receiver resolves it against its own system.
        kryo.register(actorRefClass(), new ActorRefSerializer(resolver), 16);
        int id = 20;
        for (Class<? extends Record> type : List.of(
                ImageRef.class, ImageError.class, WorkUnit.class, ModelSpec.class, JobDescription.class,
                UnitReport.class, UnitReport.StageNanos.class,
                WorkerCommand.Assign.class, WorkerCommand.Verdict.class, WorkerCommand.CommitStatistics.class,
                WorkerCommand.JobFinished.class,
                CoordinatorCommand.RequestWork.class, CoordinatorCommand.UnitFinished.class,
                CoordinatorCommand.UnitFailed.class, CoordinatorCommand.StatisticsCommitted.class)) {
            kryo.register(type, new RecordSerializer<>(type), id++);
        }
        return kryo;
    }

    private static Class<?> actorRefClass() {
        try {
            return Class.forName("org.apache.pekko.actor.typed.internal.adapter.ActorRefAdapter");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Pekko's typed ActorRef implementation moved", e);
        }
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    @Override
    public byte[] toBinary(Object message) {
        Kryo kryo = kryos.obtain();
        try (Output out = new Output(256, 256 * 1024)) {
            kryo.writeClassAndObject(out, message);
            return out.toBytes();
        } finally {
            kryos.free(kryo);
        }
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        Kryo kryo = kryos.obtain();
        try (Input in = new Input(bytes)) {
            return kryo.readClassAndObject(in);
        } finally {
            kryos.free(kryo);
        }
    }

    /** Lists are written as size + elements and read back as unmodifiable lists, whatever their class was. */
    private static final class ListSerializer extends Serializer<List<?>> {
        @Override
        public void write(Kryo kryo, Output out, List<?> list) {
            out.writeVarInt(list.size(), true);
            for (Object element : list) {
                kryo.writeClassAndObject(out, element);
            }
        }

        @Override
        public List<?> read(Kryo kryo, Input in, Class<? extends List<?>> type) {
            int n = in.readVarInt(true);
            List<Object> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(kryo.readClassAndObject(in));
            }
            return List.copyOf(list);
        }
    }

    private static final class ActorRefSerializer extends Serializer<ActorRef<?>> {
        private final ActorRefResolver resolver;

        ActorRefSerializer(ActorRefResolver resolver) {
            this.resolver = resolver;
        }

        @Override
        public void write(Kryo kryo, Output out, ActorRef<?> ref) {
            out.writeString(resolver.toSerializationFormat(ref));
        }

        @Override
        public ActorRef<?> read(Kryo kryo, Input in, Class<? extends ActorRef<?>> type) {
            return resolver.resolveActorRef(in.readString());
        }
    }
}
