package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests of the TurboJPEG path run only where the library loads. Where it does not they are skipped with the
 * reason, unless {@code ORCHARD_REQUIRE_TURBOJPEG=1} (set by CI, which installs libturbojpeg0) or
 * {@code -Dorchard.requireTurbojpeg=true} says it must be there: then they fail, so a broken install cannot pass
 * as a skipped test.
 */
final class TurboJpegRequired {

    private TurboJpegRequired() {
    }

    static void assumeLoaded() {
        if (TurboJpegLibrary.available()) {
            return;
        }
        String why = "TurboJPEG did not load (" + TurboJpegLibrary.problem() + "); install libturbojpeg0";
        if ("1".equals(System.getenv("ORCHARD_REQUIRE_TURBOJPEG")) || Boolean.getBoolean("orchard.requireTurbojpeg")) {
            fail(why + " — required here by ORCHARD_REQUIRE_TURBOJPEG / -Dorchard.requireTurbojpeg");
        }
        Assumptions.abort(why);
    }
}
