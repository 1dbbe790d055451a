package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.DecodeLimits;
import org.junit.jupiter.api.Test;

/**
 * Which images are readable is part of what a job's rows mean: the decode limits are compared, the size bound too
 * where both records name it; a record of an Orchard before the bound was the job's names none, and is compared
 * without it (its job's bound is not known).
 */
class JobIdentityTest {

    private static JobIdentity with(String decodeLimits) {
        return new JobIdentity("/in", null, "*.jpg", "folder", "abc", "spec", "pca", 0, 0, 50, null, false, decodeLimits);
    }

    @Test
    void theSizeBoundIsComparedWhereBothRecordsNameIt() {
        String byDefault = DecodeLimits.DEFAULT.describe();
        String small = new DecodeLimits(DecodeLimits.DEFAULT_MAX_PIXELS, 512L << 20, true, 1000).describe();
        String older = "--max-pixels 89478485, --max-decode-mib 512";

        assertThat(with(byDefault).meaningDifferences(with(small))).singleElement().asString()
                .startsWith("decode limits (which images are readable): was " + byDefault + ", now " + small);
        assertThat(with(older).meaningDifferences(with(small))).as("an older record: compared without the bound").isEmpty();
        assertThat(with(small).meaningDifferences(with(older))).isEmpty();
        assertThat(with(older).meaningDifferences(with(older))).isEmpty();
        assertThat(with(older).meaningDifferences(with("--max-pixels 5000, --max-decode-mib 512, --max-object-bytes 1000")))
                .as("the other limits still count").singleElement().asString()
                .contains("was --max-pixels 89478485, --max-decode-mib 512, now --max-pixels 5000, --max-decode-mib 512");
    }
}
