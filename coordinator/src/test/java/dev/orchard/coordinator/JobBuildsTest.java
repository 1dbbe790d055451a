package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which builds a generation's rows come from, as each coordinator that takes it on records ({@link JobBuilds}). */
class JobBuildsTest {
    @TempDir
    Path temp;

    private final LocalObjectStore store = new LocalObjectStore();

    private OutputLayout layout() {
        return new OutputLayout(Location.parse(temp.toString()));
    }

    @Test
    void eachBuildThatTakesTheJobOnIsAddedOnceInOrder() throws Exception {
        OutputLayout layout = layout();
        assertThat(JobBuilds.read(store, layout, 0)).isEmpty();

        JobBuilds.Taken first = JobBuilds.take(store, layout, 0, "aaaaaaaaaaaaaaaa", false, false);
        assertThat(first.earlier()).isEmpty();
        assertThat(first.now()).containsExactly("aaaaaaaaaaaaaaaa");
        assertThat(first.anotherBuildBefore()).isFalse();

        long written = Files.getLastModifiedTime(temp.resolve("_orchard/builds.json")).toMillis();
        JobBuilds.Taken standby = JobBuilds.take(store, layout, 0, "aaaaaaaaaaaaaaaa", true, false);
        assertThat(standby.now()).containsExactly("aaaaaaaaaaaaaaaa");
        assertThat(standby.anotherBuildBefore()).as("a coordinator of the same build took over").isFalse();
        assertThat(Files.getLastModifiedTime(temp.resolve("_orchard/builds.json")).toMillis()).isEqualTo(written);

        JobBuilds.Taken resumed = JobBuilds.take(store, layout, 0, "bbbbbbbbbbbbbbbb", true, false);
        assertThat(resumed.anotherBuildBefore()).isTrue();
        assertThat(resumed.earlier()).containsExactly("aaaaaaaaaaaaaaaa");
        assertThat(JobBuilds.read(store, layout, 0)).containsExactly("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb");
        assertThat(JobBuilds.take(store, layout, 0, "aaaaaaaaaaaaaaaa", true, false).anotherBuildBefore())
                .as("the first build again: both are there already").isFalse();
    }

    @Test
    void rowsThatNoRecordNamesAreUnrecorded() throws Exception {
        OutputLayout layout = layout();
        // A job journalled by an Orchard that kept no record, resumed now.
        JobBuilds.Taken older = JobBuilds.take(store, layout, 0, "bbbbbbbbbbbbbbbb", true, false);
        assertThat(older.now()).containsExactly(JobBuilds.UNRECORDED, "bbbbbbbbbbbbbbbb");
        assertThat(older.anotherBuildBefore()).isTrue();
        assertThat(older.before("bbbbbbbbbbbbbbbb")).containsExactly(JobBuilds.UNRECORDED);
        // An update of it starts from its builds; of a base with rows and no record, from "unrecorded".
        assertThat(JobBuilds.take(store, layout, 1, "cccccccccccccccc", false, true).now())
                .containsExactly(JobBuilds.UNRECORDED, "bbbbbbbbbbbbbbbb", "cccccccccccccccc");
        Path other = temp.resolve("other");
        OutputLayout fresh = new OutputLayout(Location.parse(other.toString()));
        assertThat(JobBuilds.take(store, fresh, 2, "cccccccccccccccc", false, true).now())
                .containsExactly(JobBuilds.UNRECORDED, "cccccccccccccccc");
        OutputLayout third = new OutputLayout(Location.parse(temp.resolve("third").toString()));
        assertThat(JobBuilds.take(store, third, 3, "cccccccccccccccc", false, false).now())
                .as("a base without rows").containsExactly("cccccccccccccccc");
    }

    @Test
    void anUpdateStartsFromItsBaseGenerationsBuildsWithoutCallingThemAnotherBuildBefore() throws Exception {
        OutputLayout layout = layout();
        JobBuilds.take(store, layout, 0, "aaaaaaaaaaaaaaaa", false, false);
        JobBuilds.Taken update = JobBuilds.take(store, layout, 1, "bbbbbbbbbbbbbbbb", false, true);
        assertThat(update.earlier()).isEmpty();
        assertThat(update.anotherBuildBefore()).isFalse();
        assertThat(update.now()).containsExactly("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb");
        assertThat(layout.generationBookkeeping(1)).contains(layout.builds(1));
        assertThat(JobBuilds.read(store, layout, 1)).isEqualTo(List.of("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"));
    }
}
