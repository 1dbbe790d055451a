package dev.orchard.coordinator.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.protocol.ImageRef;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageListerTest {

    @TempDir
    Path root;

    private void touch(String relative) throws Exception {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[] {1});
    }

    private Map<String, String> list(LabelRule rule) throws Exception {
        Map<String, String> labels = new TreeMap<>();
        try (var images = new ImageLister(new LocalObjectStore(), new NameFilter(NameFilter.DEFAULT_GLOBS), rule)
                .list(Location.local(root))) {
            for (ImageRef ref : (Iterable<ImageRef>) images::iterator) {
                labels.put(root.relativize(Path.of(ref.path())).toString(), String.valueOf(ref.label()));
            }
        }
        return labels;
    }

    @Test
    void listsImagesRecursivelySkippingHiddenAndOtherFiles() throws Exception {
        for (String f : List.of("Apple Red 1/a.jpg", "Apple Red 1/b.JPEG", "Äpfel grün/c.png", "deep/er/d.Jpg", "top.jpg",
                ".hidden/e.jpg", "Apple Red 1/.f.jpg", "_tmp/g.jpg", "notes.txt", "Apple Red 1/h.gif", "x.jpg.bak")) {
            touch(f);
        }
        assertThat(list(LabelRule.parentFolder())).containsExactlyInAnyOrderEntriesOf(Map.of(
                "Apple Red 1/a.jpg", "Apple Red 1",
                "Apple Red 1/b.JPEG", "Apple Red 1",
                "Äpfel grün/c.png", "Äpfel grün",
                "deep/er/d.Jpg", "er",
                "top.jpg", root.getFileName().toString()));
    }

    @Test
    void labelsFromARegexOverTheFileOrFolderName() throws Exception {
        touch("pets/wheaten_terrier_12.jpg");
        touch("pets/yorkshire_terrier_3.jpg");
        touch("Cherry 2/x.jpg");
        assertThat(list(LabelRule.regex("^(.*)_\\d+\\.jpg$", LabelRule.Source.FILE)))
                .containsEntry("pets/wheaten_terrier_12.jpg", "wheaten_terrier")
                .containsEntry("pets/yorkshire_terrier_3.jpg", "yorkshire_terrier")
                .containsEntry("Cherry 2/x.jpg", "null");
        assertThat(list(LabelRule.regex("^(.*?)\\s*\\d*$", LabelRule.Source.FOLDER)))
                .containsEntry("Cherry 2/x.jpg", "Cherry")
                .containsEntry("pets/wheaten_terrier_12.jpg", "pets");
        assertThat(list(LabelRule.none())).containsEntry("Cherry 2/x.jpg", "null");
    }

    @Test
    void aRegexWithoutAGroupOrAnEmptyGlobIsRefused() {
        assertThatThrownBy(() -> LabelRule.regex("\\d+", LabelRule.Source.FILE)).hasMessageContaining("capture group");
        assertThatThrownBy(() -> new NameFilter(" , ")).hasMessageContaining("--glob");
    }
}
