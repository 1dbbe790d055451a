package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which builds a generation's results come from ({@link JobBuilds}): what a coordinator finds as it takes the
 * generation on, and the record each writes before its first result.
 */
class JobBuildsTest {
    @TempDir
    Path temp;

    private final LocalObjectStore store = new LocalObjectStore();

    private OutputLayout layout(String name) {
        return new OutputLayout(Location.parse(temp.resolve(name).toString()));
    }

    @Test
    void eachBuildThatJournalsAResultIsAddedOnceInOrder() throws Exception {
        OutputLayout layout = layout("out");
        JobBuilds.Found first = JobBuilds.find(store, layout, 0, () -> {
            throw new AssertionError("a first run compares no build");
        }, false, false);
        assertThat(first.before()).isEmpty();
        assertThat(first.recorded()).isFalse();
        assertThat(first.anotherBuildBefore()).isFalse();
        JobBuilds.write(store, layout, 0, first.with("aaaaaaaaaaaaaaaa"));
        assertThat(JobBuilds.read(store, layout, 0)).containsExactly("aaaaaaaaaaaaaaaa");

        JobBuilds.Found standby = JobBuilds.find(store, layout, 0, () -> "aaaaaaaaaaaaaaaa", true, false);
        assertThat(standby.anotherBuildBefore()).as("a coordinator of the same build took over").isFalse();
        assertThat(standby.with("aaaaaaaaaaaaaaaa")).containsExactly("aaaaaaaaaaaaaaaa");

        JobBuilds.Found resumed = JobBuilds.find(store, layout, 0, () -> "bbbbbbbbbbbbbbbb", true, false);
        assertThat(resumed.anotherBuildBefore()).isTrue();
        assertThat(resumed.before()).containsExactly("aaaaaaaaaaaaaaaa");
        JobBuilds.write(store, layout, 0, resumed.with("bbbbbbbbbbbbbbbb"));
        assertThat(JobBuilds.read(store, layout, 0)).containsExactly("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb");
        assertThat(JobBuilds.find(store, layout, 0, () -> "aaaaaaaaaaaaaaaa", true, false).anotherBuildBefore())
                .as("the first build again: both are there already").isFalse();
    }

    @Test
    void resultsThatNoRecordNamesAreUnrecordedOrTheBuildTheBasesSuccessNames() throws Exception {
        OutputLayout older = layout("older");
        // A job journalled by an Orchard that kept no record, resumed now.
        JobBuilds.Found resumed = JobBuilds.find(store, older, 0, () -> "bbbbbbbbbbbbbbbb", true, false);
        assertThat(resumed.before()).containsExactly(JobBuilds.UNRECORDED);
        assertThat(resumed.anotherBuildBefore()).isTrue();

        // An update of a base with rows and no record: the build its _SUCCESS names, else "unrecorded".
        assertThat(JobBuilds.find(store, older, 1, () -> "cccccccccccccccc", false, true).before())
                .containsExactly(JobBuilds.UNRECORDED);
        Files.createDirectories(temp.resolve("older"));
        Files.writeString(temp.resolve("older/_SUCCESS"), "{\"versions\":{\"build\":\"fedcba9876543210\"}}");
        JobBuilds.Found update = JobBuilds.find(store, older, 1, () -> "cccccccccccccccc", false, true);
        assertThat(update.before()).containsExactly("fedcba9876543210");
        assertThat(update.anotherBuildBefore()).as("an update keeps its base's rows: said, not warned").isFalse();
        assertThat(JobBuilds.find(store, layout("empty"), 1, () -> "cccccccccccccccc", false, false).before())
                .as("a base without rows").isEmpty();

        // A damaged record: unrecorded, and written anew with the next result.
        OutputLayout damaged = layout("damaged");
        Files.createDirectories(temp.resolve("damaged/_orchard"));
        Files.writeString(temp.resolve("damaged/_orchard/builds.json"), "{\"builds\":[\"abc\",");
        JobBuilds.Found found = JobBuilds.find(store, damaged, 0, () -> "bbbbbbbbbbbbbbbb", true, false);
        assertThat(found.before()).containsExactly(JobBuilds.UNRECORDED);
        JobBuilds.write(store, damaged, 0, found.with("bbbbbbbbbbbbbbbb"));
        assertThat(JobBuilds.read(store, damaged, 0)).containsExactly(JobBuilds.UNRECORDED, "bbbbbbbbbbbbbbbb");

        assertThat(JobBuilds.recordedName("unknown 3f2a-…")).isEqualTo("unknown");
        assertThat(JobBuilds.recordedName("unreadable jar /x.jar (gone) 3f2a-…")).isEqualTo("unknown");
    }

    /**
     * A record written just before a first result whose journal write then failed (or whose process died between
     * the two) names a build that made nothing: without results in the journal it is not taken (the diff's review).
     */
    @Test
    void aRecordWhoseCoordinatorJournalledNoResultIsNotTaken() throws Exception {
        OutputLayout layout = layout("failed");
        JobBuilds.write(store, layout, 0, java.util.List.of("aaaaaaaaaaaaaaaa"));
        JobBuilds.Found found = JobBuilds.find(store, layout, 0, () -> "bbbbbbbbbbbbbbbb", false, false);
        assertThat(found.before()).isEmpty();
        assertThat(found.recorded()).isFalse();
        assertThat(found.anotherBuildBefore()).isFalse();
        assertThat(found.with("bbbbbbbbbbbbbbbb")).containsExactly("bbbbbbbbbbbbbbbb");

        // A record that cannot be read at all (a folder in its place): unrecorded, not a failed start.
        OutputLayout folder = layout("folder");
        Files.createDirectories(temp.resolve("folder/_orchard/builds.json/x"));
        assertThat(JobBuilds.read(store, folder, 0)).containsExactly(JobBuilds.UNRECORDED);
    }

    @Test
    void anUpdateStartsFromItsBaseGenerationsBuildsAndItsRecordMovesWithIt() throws Exception {
        OutputLayout layout = layout("out");
        JobBuilds.write(store, layout, 0, java.util.List.of("aaaaaaaaaaaaaaaa"));
        JobBuilds.Found update = JobBuilds.find(store, layout, 1, () -> "bbbbbbbbbbbbbbbb", false, true);
        assertThat(update.recorded()).isFalse();
        assertThat(update.anotherBuildBefore()).isFalse();
        assertThat(update.with("bbbbbbbbbbbbbbbb")).containsExactly("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb");
        assertThat(layout.generationBookkeeping(0)).contains(layout.builds(0));
        assertThat(layout.generationBookkeeping(1)).contains(layout.builds(1));
    }
}
