package dev.orchard.cli;

import dev.orchard.coordinator.listing.NameFilter;
import dev.orchard.protocol.DecodeLimits;
import dev.orchard.store.s3.S3Settings;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options that describe a job, shared by {@code run} and {@code coordinator}. */
final class JobOptions {

    /** The command these options are part of: which of them the user gave (null when built outside picocli). */
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Whether the command line gave {@code option}, rather than its default. */
    boolean given(String option) {
        return command != null && command.commandLine() != null && command.commandLine().getParseResult() != null
                && command.commandLine().getParseResult().hasMatchedOption(option);
    }

    @Option(names = "--input", description = "Folder or s3://bucket/prefix holding the images.")
    String input;

    @Option(names = "--input-manifest",
            description = "Instead of --input: a file listing the images (one s3://… or path per line, or an S3 Inventory CSV/Parquet).")
    String inputManifest;

    @Option(names = "--output", required = true, description = "Folder or s3://bucket/prefix for the results.")
    String output;

    /** The default of --pca-k, as messages name it. */
    static final String DEFAULT_PCA_K = "50";

    @Option(names = "--pca-k", defaultValue = DEFAULT_PCA_K, description = "Principal components to keep (default"
            + " ${DEFAULT-VALUE}; with --resume or --update, the job's own k unless given).")
    int pcaK;

    @Option(names = "--reduce", defaultValue = "pca",
            description = "pca (exact PCA of the features), srp (sparse random projection only) or srp+pca (default"
                    + " ${DEFAULT-VALUE}; with --resume or --update, the output's own unless given).")
    String reduce;

    @Option(names = "--srp-dim", description = "Dimension K of the sparse random projection (with --resume or --update,"
            + " the output's own K unless given).")
    Integer srpDim;

    @Option(names = "--srp-eps", description = "Choose K from the Johnson-Lindenstrauss bound for this distortion, e.g. 0.2.")
    Double srpEps;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random projection (default ${DEFAULT-VALUE};"
            + " with --resume or --update, the output's own unless given).")
    long seed;

    @Option(names = "--overwrite",
            description = "Replace an earlier job's results in --output: deletes only what Orchard writes (features/, pca/, "
                    + "_orchard/, pca-model.json, pca.csv, errors.csv, report.html, report.json, _SUCCESS, and orchard "
                    + "classify's classify-<mode>/, predictions-<classifier>.parquet) from a folder that holds Orchard's "
                    + "marker _orchard/job.json and nothing else.")
    boolean overwrite;

    @Option(names = "--resume", description = "Finish the job whose state is in --output/_orchard/ (start it if there is none).")
    boolean resume;

    @Option(names = "--update",
            description = "Bring an existing --output up to date with --input: compute only new and changed images, drop "
                    + "removed ones, re-solve the PCA and re-project every row (an interrupted update resumes).")
    boolean update;

    @Option(names = "--glob", defaultValue = NameFilter.DEFAULT_GLOBS,
            description = "File patterns, case-insensitive: Java/Spark glob syntax (*.{jpg,png}, **/*.jpg), "
                    + "several separated by commas outside braces (default ${DEFAULT-VALUE}).")
    String glob;

    @Option(names = "--parquet-byte-stream-split",
            description = "Encode the float vectors with BYTE_STREAM_SPLIT: features/ 5-8%% smaller, but Spark 3.4+'s "
                    + "vectorized reader (EMR 7's default) cannot read them. With --resume or --update, the output's"
                    + " own choice where it is recorded. See the README's Outputs section.")
    boolean parquetByteStreamSplit;

    @Option(names = "--follow-links",
            description = "Follow symbolic links below --input (a link back into a folder it is in is skipped). Without it "
                    + "links are not followed, and each one that would be an image or a folder is listed in errors.csv.")
    boolean followLinks;

    @Option(names = "--label-regex", description = "Label = first capture group of this regex over --label-from.")
    String labelRegex;

    @Option(names = "--label-from", description = "What --label-regex reads: folder or file (default file).")
    String labelFrom;

    @Option(names = "--no-labels", description = "Write no labels.")
    boolean noLabels;

    @Option(names = "--model", description = "ONNX model file (default: $ORCHARD_MODEL, then ../shared/models/).")
    String model;

    @Option(names = "--model-spec", description = "HOCON/JSON file describing the model's input and feature tensor.")
    Path modelSpec;

    @Option(names = "--feature-tensor", description = "Tensor to take features from (overrides the spec).")
    String featureTensor;

    @Option(names = "--classifier",
            description = "A classifier.onnx from 'orchard classify' (trained on features of the same model and tensor): "
                    + "adds its predicted class and score to every row of features/ and pca/.")
    String classifier;

    @Option(names = "--max-pixels", defaultValue = "" + DecodeLimits.DEFAULT_MAX_PIXELS,
            description = "Refuse images with more pixels (default ${DEFAULT-VALUE}); the job's: every worker decodes by it.")
    long maxPixels;

    @Option(names = "--max-decode-mib", defaultValue = "" + DecodeLimits.DEFAULT_MAX_DECODE_MIB,
            description = "Refuse images whose decoding would hold more MiB at once, estimated from the header "
                    + "(default ${DEFAULT-VALUE}; each decode thread decodes one image at a time); the job's, as --max-pixels.")
    long maxDecodeMib;

    @Option(names = "--no-reduced-decode",
            description = "Decode every JPEG at full size (by default TurboJPEG decodes large ones at 1/2, 1/4 or 1/8 "
                    + "scale, keeping at least twice the model's resize target); the job's, as --max-pixels.")
    boolean noReducedDecode;

    @Option(names = "--max-object-bytes", paramLabel = "BYTES", defaultValue = "" + DecodeLimits.DEFAULT_MAX_OBJECT_BYTES,
            description = "Do not read an image file larger than this (on S3 its body is never fetched): it goes to "
                    + "errors.csv (default ${DEFAULT-VALUE} = 256 MiB); the job's, as --max-pixels.")
    long maxObjectBytes;

    @Option(names = "--list-parallelism", defaultValue = "1", paramLabel = "N",
            description = "List the first level of 'folders' of an S3 input N at a time (default ${DEFAULT-VALUE}).")
    int listParallelism;

    /** What the job takes as a readable image: every worker reads and decodes by these, not by options of its own. */
    DecodeLimits decodeLimits() {
        if (maxDecodeMib > (Long.MAX_VALUE >> 20)) { // DecodeLimits checks the rest, in bytes: these would overflow
            throw new IllegalArgumentException("--max-decode-mib " + maxDecodeMib + " is more than any machine holds");
        }
        return new DecodeLimits(maxPixels, maxDecodeMib << 20, !noReducedDecode, maxObjectBytes);
    }

    /** The stores this job's coordinator lists and writes with: {@code s3} and the job's listing parallelism. */
    S3Settings listingWith(S3Settings s3) {
        if (listParallelism < 1) {
            throw new IllegalArgumentException("--list-parallelism must be at least 1 (one listing at a time), not "
                    + listParallelism);
        }
        return s3.toBuilder().listParallelism(listParallelism).build();
    }

    @Option(names = "--batch-size", defaultValue = "32", description = "Images per batch: what an inference lane reads and decodes before it runs them through ONNX Runtime, a few images a run (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--unit-size", defaultValue = "256", description = "Images per work unit (default ${DEFAULT-VALUE}).")
    int unitSize;

    @Option(names = "--unit-timeout", defaultValue = "PT10M",
            description = "Hand a unit out again when no attempt of it has finished in this time; each such period counts as a failure, copy or not, and 3 end the job (90s, 10m, 2h or ISO-8601; default ${DEFAULT-VALUE}).")
    Duration unitTimeout;
}
