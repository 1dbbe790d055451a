package dev.orchard.worker.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model's graph outputs, and the tensors its nodes produce, read on the protobuf wire format in one pass
 * without generated ONNX classes; and the model edited to compute one tensor. ONNX Runtime only returns graph outputs,
 * so to read an intermediate tensor (MobileNetV2's pooled {@code 464}) it must be a graph output; and ONNX Runtime runs
 * every node of a graph, whatever a run asks for, so a graph that also ends in a classifier computes it for nothing.
 * {@link #computing} therefore cuts the graph down to the nodes the wanted tensors depend on, with them as its outputs.
 * A node that holds subgraphs (If, Loop, Scan) depends on its inputs and on the tensors of the graph around it that its
 * subgraphs' nodes read (ONNX lets a subgraph read any tensor of the scopes around it, by name).
 *
 * <p>The weights (the graph's initializers, nearly all of a model's bytes) are skipped, never copied: the model's
 * bytes are scanned once, and an edited model is the original's fields spliced together (one copy). Parsing the model
 * into protobuf's {@code UnknownFieldSet}s instead copied the 14 MB of MobileNetV2 several times and held back a job's
 * start-up by ~0.2 s (bench/RESULTS.md, twelfth session).
 *
 * <p>Field numbers from onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, initializer = 5, input = 11,
 * output = 12, value_info = 13, quantization_annotation = 14, sparse_initializer = 15; NodeProto.input = 1,
 * output = 2, attribute = 5; AttributeProto.g = 6, graphs = 11; TensorProto.name = 8; ValueInfoProto.name = 1.
 *
 * @param model      the model's bytes
 * @param graphTag   where the graph's field starts (its tag)
 * @param graphStart where the graph's bytes start; they run to {@code graphEnd}
 * @param fields     the graph's fields, in file order
 */
record GraphOutputs(byte[] model, int graphTag, int graphStart, int graphEnd, List<GraphField> fields) {
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int GRAPH_VALUE_INFO = 13;
    private static final int GRAPH_QUANTIZATION_ANNOTATION = 14;
    private static final int GRAPH_SPARSE_INITIALIZER = 15;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_GRAPH = 6;
    private static final int ATTRIBUTE_GRAPHS = 11;
    private static final int TENSOR_NAME = 8;
    private static final int VALUE_INFO_NAME = 1;

    /** What a field of the graph is, as far as cutting the graph is concerned. */
    enum Kind {
        NODE, INITIALIZER, INPUT, OUTPUT, VALUE_INFO,
        /** A sparse initializer or a quantization annotation: it names tensors, so a graph with one is not cut. */
        NAMES_TENSORS,
        OTHER
    }

    /**
     * One field of the graph: its bytes {@code [start, end)} in the model, tag included. A node has the tensors it
     * reads (its inputs, then those its subgraphs read from around them) and its output tensors; an initializer,
     * input, output or value info has its name as its one output.
     */
    record GraphField(Kind kind, int start, int end, List<String> inputs, List<String> outputs) {
        String name() {
            return outputs.isEmpty() ? "" : outputs.get(0);
        }

        GraphField at(int from, int to) {
            return new GraphField(kind, from, to, inputs, outputs);
        }
    }

    /** The graph's declared outputs, in order. */
    List<String> outputs() {
        List<String> names = new ArrayList<>();
        for (GraphField f : fields) {
            if (f.kind() == Kind.OUTPUT) {
                names.add(f.name());
            }
        }
        return names;
    }

    /** Every tensor produced by a node, in graph order: the tensors a spec may name as features. */
    Set<String> nodeOutputs() {
        Set<String> tensors = new LinkedHashSet<>();
        for (GraphField f : fields) {
            if (f.kind() == Kind.NODE) {
                tensors.addAll(f.outputs());
            }
        }
        tensors.remove(""); // an optional output left out
        return tensors;
    }

    /** Reads the model's first graph: its fields, each node's tensors. */
    static GraphOutputs read(byte[] model) throws InvalidProtocolBufferException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(model);
            while (true) {
                int tagAt = in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    throw new InvalidProtocolBufferException("no graph in the model (is this an ONNX file?)");
                }
                if (tag == lengthDelimited(MODEL_GRAPH)) {
                    int length = in.readRawVarint32();
                    int start = in.getTotalBytesRead();
                    if (length < 0 || length > model.length - start) {
                        throw new InvalidProtocolBufferException("the model's graph runs past the end of the file (is it cut short?)");
                    }
                    List<GraphField> fields = readGraph(CodedInputStream.newInstance(model, start, length), start);
                    return new GraphOutputs(model, tagAt, start, start + length, List.copyOf(fields));
                }
                in.skipField(tag);
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) { // a CodedInputStream over an array throws no other IOException
            throw new InvalidProtocolBufferException(e);
        }
    }

    /**
     * The model cut down to compute {@code tensors}: the nodes they depend on (in their order), the initializers and
     * inputs those read, the value infos of the tensors that remain, and {@code tensors} as the graph's outputs (the
     * declarations of those it declared kept, in their order, then the others). Everything else is byte for byte as it
     * was; a kept node's subgraphs too. A graph with a sparse initializer or a quantization annotation is not cut (they
     * name tensors, which a cut could leave dangling; not met in the models used here): it gains the tensors it does
     * not declare as outputs, and keeps the others.
     *
     * @throws IllegalArgumentException when no node produces one of {@code tensors}
     */
    byte[] computing(List<String> tensors) {
        Map<String, GraphField> producers = new HashMap<>();
        boolean uncut = false;
        for (GraphField f : fields) {
            uncut |= f.kind() == Kind.NAMES_TENSORS;
            if (f.kind() == Kind.NODE) {
                for (String out : f.outputs()) {
                    if (!out.isEmpty()) { // "": an optional output left out, as "" is an optional input left out
                        producers.put(out, f);
                    }
                }
            }
        }
        for (String t : tensors) {
            if (!producers.containsKey(t)) {
                throw new IllegalArgumentException("no node of the graph produces '" + t + "'");
            }
        }
        List<String> undeclared = new ArrayList<>(new LinkedHashSet<>(tensors));
        undeclared.removeAll(outputs());
        if (uncut) {
            return withOutputs(undeclared);
        }
        // The nodes the tensors depend on, walking back through their inputs; and every tensor those nodes touch.
        Set<GraphField> needed = new HashSet<>();
        Set<String> touched = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>(tensors);
        while (!pending.isEmpty()) {
            String t = pending.pop();
            if (!touched.add(t)) {
                continue;
            }
            GraphField producer = producers.get(t);
            if (producer != null && needed.add(producer)) {
                pending.addAll(producer.inputs());
                touched.addAll(producer.outputs());
            }
        }
        Set<String> declared = new HashSet<>();
        List<GraphField> kept = new ArrayList<>();
        for (GraphField f : fields) {
            boolean keep = switch (f.kind()) {
                case NODE -> needed.contains(f);
                case INITIALIZER, INPUT, VALUE_INFO -> touched.contains(f.name());
                case OUTPUT -> tensors.contains(f.name()) && declared.add(f.name());
                case NAMES_TENSORS, OTHER -> true;
            };
            if (keep) {
                kept.add(f);
            }
        }
        return splice(kept, undeclared);
    }

    /**
     * The model with {@code tensors} appended to its graph's outputs, everything else byte for byte as it was: a graph
     * {@link #computing} leaves whole.
     */
    byte[] withOutputs(List<String> tensors) {
        return splice(fields, tensors);
    }

    /** The model with its graph made of {@code kept} (in order), then an output for each of {@code newOutputs}. */
    private byte[] splice(List<GraphField> kept, List<String> newOutputs) {
        List<byte[]> names = new ArrayList<>();
        int outputsSize = 0;
        for (String output : newOutputs) {
            byte[] name = output.getBytes(StandardCharsets.UTF_8);
            names.add(name);
            int valueInfoSize = CodedOutputStream.computeByteArraySize(VALUE_INFO_NAME, name);
            outputsSize += CodedOutputStream.computeTagSize(GRAPH_OUTPUT)
                    + CodedOutputStream.computeUInt32SizeNoTag(valueInfoSize) + valueInfoSize;
        }
        int keptSize = 0;
        for (GraphField f : kept) {
            keptSize += f.end() - f.start();
        }
        int graphLength = keptSize + outputsSize;
        int headSize = CodedOutputStream.computeTagSize(MODEL_GRAPH) + CodedOutputStream.computeUInt32SizeNoTag(graphLength);
        byte[] edited = new byte[graphTag + headSize + graphLength + (model.length - graphEnd)];
        System.arraycopy(model, 0, edited, 0, graphTag);
        int at = graphTag;
        try {
            CodedOutputStream head = CodedOutputStream.newInstance(edited, at, headSize);
            head.writeTag(MODEL_GRAPH, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            head.writeUInt32NoTag(graphLength);
            head.checkNoSpaceLeft();
            at += headSize;
            // Runs of consecutive kept fields are copied at once (a whole graph is one copy).
            for (int i = 0; i < kept.size(); ) {
                int from = kept.get(i).start();
                int to = kept.get(i).end();
                for (i++; i < kept.size() && kept.get(i).start() == to; i++) {
                    to = kept.get(i).end();
                }
                System.arraycopy(model, from, edited, at, to - from);
                at += to - from;
            }
            CodedOutputStream outputs = CodedOutputStream.newInstance(edited, at, outputsSize);
            for (byte[] name : names) {
                outputs.writeTag(GRAPH_OUTPUT, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                outputs.writeUInt32NoTag(CodedOutputStream.computeByteArraySize(VALUE_INFO_NAME, name));
                outputs.writeByteArray(VALUE_INFO_NAME, name);
            }
            outputs.checkNoSpaceLeft();
            at += outputsSize;
        } catch (IOException e) {
            throw new IllegalStateException("miscounted the edited graph's size", e); // sizes are computed above
        }
        System.arraycopy(model, graphEnd, edited, at, model.length - graphEnd);
        return edited;
    }

    /** The graph's fields; {@code offset} is where the graph's bytes start in the model. */
    private static List<GraphField> readGraph(CodedInputStream graph, int offset) throws IOException {
        List<GraphField> fields = new ArrayList<>();
        int start = graph.getTotalBytesRead();
        for (int tag = graph.readTag(); tag != 0; tag = graph.readTag()) {
            int number = WireFormat.getTagFieldNumber(tag);
            Kind kind = tag != lengthDelimited(number) ? Kind.OTHER : switch (number) {
                case GRAPH_NODE -> Kind.NODE;
                case GRAPH_INITIALIZER -> Kind.INITIALIZER;
                case GRAPH_INPUT -> Kind.INPUT;
                case GRAPH_OUTPUT -> Kind.OUTPUT;
                case GRAPH_VALUE_INFO -> Kind.VALUE_INFO;
                case GRAPH_QUANTIZATION_ANNOTATION, GRAPH_SPARSE_INITIALIZER -> Kind.NAMES_TENSORS;
                default -> Kind.OTHER;
            };
            GraphField field;
            if (kind == Kind.OTHER || kind == Kind.NAMES_TENSORS) {
                graph.skipField(tag); // the graph's name, doc string and the rest: skipped in place, not copied
                field = new GraphField(kind, 0, 0, List.of(), List.of());
            } else {
                int limit = graph.pushLimit(graph.readRawVarint32());
                field = switch (kind) {
                    case NODE -> node(graph);
                    case INITIALIZER -> named(kind, graph, TENSOR_NAME); // its weights skipped in place
                    default -> named(kind, graph, VALUE_INFO_NAME);
                };
                graph.popLimit(limit);
            }
            int end = graph.getTotalBytesRead();
            fields.add(field.at(offset + start, offset + end));
            start = end;
        }
        return fields;
    }

    /** A node's tensors: those it reads (its inputs, then what its subgraphs read from around them) and its outputs. */
    private static GraphField node(CodedInputStream node) throws IOException {
        List<String> inputs = new ArrayList<>(2);
        List<String> outputs = new ArrayList<>(1);
        Set<String> outerReads = new LinkedHashSet<>();
        for (int tag = node.readTag(); tag != 0; tag = node.readTag()) {
            if (tag == lengthDelimited(NODE_INPUT)) {
                inputs.add(node.readString());
            } else if (tag == lengthDelimited(NODE_OUTPUT)) {
                outputs.add(node.readString());
            } else if (tag == lengthDelimited(NODE_ATTRIBUTE)) {
                int limit = node.pushLimit(node.readRawVarint32());
                for (int a = node.readTag(); a != 0; a = node.readTag()) {
                    if (a == lengthDelimited(ATTRIBUTE_GRAPH) || a == lengthDelimited(ATTRIBUTE_GRAPHS)) {
                        int graph = node.pushLimit(node.readRawVarint32());
                        outerReads.addAll(outerReads(node));
                        node.popLimit(graph);
                    } else {
                        node.skipField(a);
                    }
                }
                node.popLimit(limit);
            } else {
                node.skipField(tag);
            }
        }
        outerReads.removeAll(inputs);
        inputs.addAll(outerReads);
        return new GraphField(Kind.NODE, 0, 0, List.copyOf(inputs), List.copyOf(outputs));
    }

    /**
     * The tensors a subgraph reads from the scopes around it, at any depth: what its nodes read and what it outputs (an
     * output may be an outer tensor passed through), less what it defines itself (its inputs, initializers and nodes'
     * outputs; a name it defines hides an outer one). A sparse initializer's name is not subtracted: at worst an outer
     * node of that name is kept that was not needed.
     */
    private static Set<String> outerReads(CodedInputStream graph) throws IOException {
        Set<String> reads = new LinkedHashSet<>();
        Set<String> defined = new HashSet<>();
        for (int tag = graph.readTag(); tag != 0; tag = graph.readTag()) {
            int number = WireFormat.getTagFieldNumber(tag);
            boolean read = tag == lengthDelimited(number) && (number == GRAPH_NODE || number == GRAPH_INITIALIZER
                    || number == GRAPH_INPUT || number == GRAPH_OUTPUT);
            if (!read) {
                graph.skipField(tag);
                continue;
            }
            int limit = graph.pushLimit(graph.readRawVarint32());
            switch (number) {
                case GRAPH_NODE -> {
                    GraphField n = node(graph);
                    reads.addAll(n.inputs());
                    defined.addAll(n.outputs());
                }
                case GRAPH_OUTPUT -> reads.addAll(strings(graph, VALUE_INFO_NAME));
                case GRAPH_INITIALIZER -> defined.addAll(strings(graph, TENSOR_NAME));
                default -> defined.addAll(strings(graph, VALUE_INFO_NAME)); // an input
            }
            graph.popLimit(limit);
        }
        reads.removeAll(defined);
        reads.remove(""); // an optional input left out
        return reads;
    }

    /** A field named by its string field {@code nameField}. */
    private static GraphField named(Kind kind, CodedInputStream message, int nameField) throws IOException {
        List<String> names = strings(message, nameField);
        if (names.isEmpty() && kind == Kind.OUTPUT) {
            throw new InvalidProtocolBufferException("a graph output without a name");
        }
        return new GraphField(kind, 0, 0, List.of(), names.isEmpty() ? List.of() : List.of(names.get(0)));
    }

    /** The tag of field {@code number} as a length-delimited value (a message, string or bytes). */
    private static int lengthDelimited(int number) {
        return number << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    /** The string fields numbered {@code field} of the message up to the current limit; the others skipped. */
    private static List<String> strings(CodedInputStream message, int field) throws IOException {
        int wanted = lengthDelimited(field);
        List<String> values = new ArrayList<>(1);
        for (int tag = message.readTag(); tag != 0; tag = message.readTag()) {
            if (tag == wanted) {
                values.add(message.readString());
            } else {
                message.skipField(tag);
            }
        }
        return values;
    }
}
