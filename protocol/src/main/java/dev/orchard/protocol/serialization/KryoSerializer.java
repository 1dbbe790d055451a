package dev.orchard.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.RecordSerializer;
import com.esotericsoftware.kryo.util.Pool;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.DecodeLimits;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.MessageLimits;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.PartSource;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.protocol.WorkerInfo;
import java.nio.charset.StandardCharsets;
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
 * <p>Bytes off the wire are not trusted: every length (strings, lists, float arrays) is checked against the bytes
 * left in the message before anything is allocated, and a message is never larger than Artery's frame, read from
 * the same setting Artery uses.
 */
public final class KryoSerializer extends JSerializer {
    /** Pekko's id for this serializer (must be unique among serializers, > 40). */
    public static final int IDENTIFIER = 7355;

    private final ActorRefResolver resolver;
    private final Pool<Kryo> kryos;
    private final int maxBytes;
    private final org.apache.pekko.event.LoggingAdapter log;

    public KryoSerializer(ExtendedActorSystem system) {
        this.log = org.apache.pekko.event.Logging.getLogger(system, getClass()); // under this class's name
        this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
        this.maxBytes = (int) Math.min(Integer.MAX_VALUE,
                system.settings().config().getBytes("pekko.remote.artery.advanced.maximum-frame-size"));
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
        // Replaces Kryo's own String serializer (under the id Kryo gave String) with one that bounds the length.
        kryo.register(String.class, new BoundedStringSerializer(), kryo.getRegistration(String.class).getId());
        ListSerializer lists = new ListSerializer();
        kryo.register(ArrayList.class, lists, 10);
        kryo.register(List.of().getClass(), lists, 11);
        kryo.register(List.of(1).getClass(), lists, 12);
        kryo.register(List.of(1, 2, 3).getClass(), lists, 13);
        kryo.register(float[].class, new BoundedFloatArraySerializer(), 14);
        kryo.register(Phase.class, 15);
        // A typed ActorRef travels as its path; the receiver resolves it against its own system.
        kryo.register(actorRefClass(), new ActorRefSerializer(resolver), 16);
        int id = 20;
        for (Class<? extends Record> type : List.of(
                ImageRef.class, ImageError.class, WorkUnit.class, ModelSpec.class, JobDescription.class,
                UnitReport.class, UnitReport.StageNanos.class, AttemptRef.class, WorkerInfo.class,
                WorkerCommand.Assign.class, WorkerCommand.Verdict.class, WorkerCommand.CommitStatistics.class,
                WorkerCommand.CommitAck.class, WorkerCommand.JobFinished.class,
                CoordinatorCommand.WorkerStatus.class, CoordinatorCommand.UnitFinished.class,
                CoordinatorCommand.UnitFailed.class, CoordinatorCommand.StatisticsCommitted.class,
                CoordinatorCommand.StatisticsLost.class, PartSource.class)) {
            kryo.register(type, new RecordSerializer<>(type), id++);
        }
        kryo.register(PartSource.Kind.class, id);
        // After the others, whose ids stay as they were (a cluster's nodes run one Orchard version: no id is a promise).
        kryo.register(DecodeLimits.class, new RecordSerializer<>(DecodeLimits.class), id + 1);
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

    /**
     * The message's bytes. A {@code UnitFinished} too large for a frame (many images failed, each with a long reason) is
     * sent with its reasons cut shorter ({@link MessageLimits#REASON_CUTS}): refused, it was dropped at every resend,
     * and its unit never finished (a review of the wiring against the simulator, whose drops are random).
     */
    @Override
    public byte[] toBinary(Object message) {
        if (!(message instanceof CoordinatorCommand.UnitFinished finished) || finished.report().errors().isEmpty()) {
            return bytesOf(message);
        }
        byte[] whole = fitting(finished);
        if (whole != null) {
            return whole;
        }
        for (int chars : MessageLimits.REASON_CUTS) {
            byte[] cut = fitting(new CoordinatorCommand.UnitFinished(finished.workerId(), finished.worker(),
                    finished.epoch(), finished.unitId(), finished.attempt(), finished.report().withReasonsCut(chars)));
            if (cut != null) {
                log.warning("The report of unit {} names {} images that could not be used: their reasons are cut to {}"
                        + " characters in errors.csv, to fit in one message", finished.unitId(),
                        finished.report().errors().size(), chars);
                return cut;
            }
        }
        throw new IllegalArgumentException("UnitFinished naming " + finished.report().errors().size() + " images does"
                + " not fit in a frame of " + maxBytes + " bytes even with their reasons cut to "
                + MessageLimits.REASON_CUTS.get(MessageLimits.REASON_CUTS.size() - 1) + " characters");
    }

    /**
     * Room left in a frame for Artery's envelope (the recipient's and sender's actor paths, the manifest), which
     * {@code maximum-frame-size} counts too: a message in the frame's last bytes was still dropped.
     */
    public static final int ENVELOPE_ROOM = 4096;

    /** The message's bytes if they fit in a frame with room for the envelope; null if not. */
    private byte[] fitting(Object message) {
        try {
            byte[] bytes = bytesOf(message);
            return bytes.length <= maxBytes - ENVELOPE_ROOM ? bytes : null;
        } catch (IllegalArgumentException tooLarge) {
            return null;
        }
    }

    private byte[] bytesOf(Object message) {
        Kryo kryo = kryos.obtain();
        try (Output out = new Output(256, maxBytes)) {
            kryo.writeClassAndObject(out, message);
            return out.toBytes();
        } catch (KryoException e) {
            throw new IllegalArgumentException(message.getClass().getSimpleName() + " does not fit in a frame of "
                    + maxBytes + " bytes (pekko.remote.artery.advanced.maximum-frame-size)", e);
        } finally {
            kryos.free(kryo);
        }
    }

    @Override
    public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
        if (bytes.length > maxBytes) {
            throw new IllegalArgumentException("message of " + bytes.length + " bytes is larger than a frame");
        }
        Kryo kryo = kryos.obtain();
        try (Input in = new Input(bytes)) {
            return kryo.readClassAndObject(in);
        } finally {
            kryos.free(kryo);
        }
    }

    /** A length read off the wire, refused unless that many items of at least {@code bytesEach} bytes remain. */
    static int checkedLength(Input in, int length, int bytesEach) {
        long left = in.limit() - in.position();
        if (length < 0 || (long) length * bytesEach > left) {
            throw new KryoException("length " + length + " exceeds the " + left + " bytes left in the message");
        }
        return length;
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
            int n = checkedLength(in, in.readVarInt(true), 1);
            List<Object> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(kryo.readClassAndObject(in));
            }
            return List.copyOf(list);
        }
    }

    /** Strings as a length-prefixed UTF-8 byte run (length + 1, 0 for null). */
    private static final class BoundedStringSerializer extends Serializer<String> {
        BoundedStringSerializer() {
            setAcceptsNull(true);
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output out, String s) {
            if (s == null) {
                out.writeVarInt(0, true);
                return;
            }
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            out.writeVarInt(utf8.length + 1, true);
            out.writeBytes(utf8);
        }

        @Override
        public String read(Kryo kryo, Input in, Class<? extends String> type) {
            int n = in.readVarInt(true);
            if (n == 0) {
                return null;
            }
            return new String(in.readBytes(checkedLength(in, n - 1, 1)), StandardCharsets.UTF_8);
        }
    }

    private static final class BoundedFloatArraySerializer extends Serializer<float[]> {
        BoundedFloatArraySerializer() {
            setAcceptsNull(true);
        }

        @Override
        public void write(Kryo kryo, Output out, float[] values) {
            if (values == null) {
                out.writeVarInt(0, true);
                return;
            }
            out.writeVarInt(values.length + 1, true);
            out.writeFloats(values, 0, values.length);
        }

        @Override
        public float[] read(Kryo kryo, Input in, Class<? extends float[]> type) {
            int n = in.readVarInt(true);
            if (n == 0) {
                return null;
            }
            return in.readFloats(checkedLength(in, n - 1, 4));
        }
    }

    private static final class ActorRefSerializer extends Serializer<ActorRef<?>> {
        private final ActorRefResolver resolver;

        ActorRefSerializer(ActorRefResolver resolver) {
            this.resolver = resolver;
        }

        @Override
        public void write(Kryo kryo, Output out, ActorRef<?> ref) {
            kryo.writeObject(out, resolver.toSerializationFormat(ref));
        }

        @Override
        public ActorRef<?> read(Kryo kryo, Input in, Class<? extends ActorRef<?>> type) {
            return resolver.resolveActorRef(kryo.readObject(in, String.class));
        }
    }
}
