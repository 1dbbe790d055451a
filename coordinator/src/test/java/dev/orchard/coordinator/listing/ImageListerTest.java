package dev.orchard.coordinator.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
        List<ImageError> errors = new ArrayList<>();
        try (var images = new ImageLister(new LocalObjectStore(), new NameFilter(NameFilter.DEFAULT_GLOBS), rule, false)
                .list(Location.local(root), errors::add)) {
            for (ImageRef ref : (Iterable<ImageRef>) images::iterator) {
                labels.put(root.relativize(Path.of(ref.path())).toString(), String.valueOf(ref.label()));
            }
        }
        assertThat(errors).isEmpty();
        return labels;
    }

    /** Relative path → image (null label) or the reason it is in errors. */
    private Map<String, String> listWithErrors(boolean followLinks) throws Exception {
        Map<String, String> found = new TreeMap<>();
        try (var images = new ImageLister(new LocalObjectStore(), new NameFilter(NameFilter.DEFAULT_GLOBS),
                LabelRule.none(), followLinks).list(Location.local(root),
                e -> found.put(root.relativize(Path.of(e.path())).toString(), e.reason()))) {
            images.forEach(ref -> found.put(root.relativize(Path.of(ref.path())).toString(), "image"));
        }
        return found;
    }

    @Test
    void linksAreReportedNotFollowedUnlessAsked() throws Exception {
        touch("real/a.jpg");
        touch("real/notes.txt");
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));          // a folder
        Files.createSymbolicLink(root.resolve("b.jpg"), root.resolve("real/a.jpg"));    // an image
        Files.createSymbolicLink(root.resolve("notes.txt"), root.resolve("real/notes.txt")); // not an image: silent
        Files.createSymbolicLink(root.resolve("gone.jpg"), root.resolve("nowhere.jpg")); // dangling
        Files.createSymbolicLink(root.resolve(".hidden.jpg"), root.resolve("nowhere.jpg")); // hidden: silent
        Files.createSymbolicLink(root.resolve("real/loop"), root);                       // back to the root
        Files.createSymbolicLink(root.resolve("self.jpg"), root.resolve("self.jpg"));    // a link to itself

        Map<String, String> plain = listWithErrors(false);
        assertThat(plain.keySet()).containsExactly("alias", "b.jpg", "gone.jpg", "real/a.jpg", "real/loop", "self.jpg");
        assertThat(plain.get("real/a.jpg")).isEqualTo("image");
        for (String link : List.of("alias", "b.jpg", "gone.jpg", "real/loop", "self.jpg")) {
            assertThat(plain.get(link)).as(link).startsWith("skipped: symbolic link to ").contains("--follow-links");
        }

        Map<String, String> followed = listWithErrors(true);
        assertThat(followed).containsEntry("real/a.jpg", "image").containsEntry("alias/a.jpg", "image")
                .containsEntry("b.jpg", "image");
        assertThat(followed.get("gone.jpg")).startsWith("skipped: dangling symbolic link");
        assertThat(followed.get("real/loop")).startsWith("skipped: symbolic link loop");
        assertThat(followed.get("alias/loop")).startsWith("skipped: symbolic link loop");
        assertThat(followed.get("self.jpg")).startsWith("skipped: symbolic link that cannot be followed");
        assertThat(followed).hasSize(7);
    }

    /**
     * A name whose bytes are not UTF-8 (an old archive's Latin-1 é) became a key with U+FFFD in it, which named no file:
     * the image was then recorded as "not there when its unit ran" under a path nobody could find.
     */
    @Test
    void aNameThatIsNotUtf8IsReportedWithItsBytesAndWhatToDo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.orchard.store.FileNames.utf8(), "a UTF-8 locale");
        touch("plain/é.jpg"); // UTF-8: named as it is
        Files.createDirectories(root.resolve("latin"));
        // Made by the shell from octal escapes: Java cannot make a name it cannot read back.
        Process made = new ProcessBuilder("sh", "-c", "printf x > \"$(printf 'lat_\\351.jpg')\"; "
                + "mkdir \"$(printf 'dossier \\351t\\351')\"; printf x > \"$(printf 'dossier \\351t\\351')/a.jpg\"; "
                + "printf x > \"$(printf 'notes_\\351.txt')\"").directory(root.resolve("latin").toFile()).start();
        assertThat(made.waitFor()).isZero();

        Map<String, String> found = listWithErrors(false);
        assertThat(found).containsEntry("plain/é.jpg", "image").hasSize(3); // not the .txt: not an image
        assertThat(found.get("latin/lat_\uFFFD.jpg")).startsWith("skipped: its name is not UTF-8 text")
                .contains("latin/lat_%E9.jpg").contains("rename it to UTF-8");
        assertThat(found.get("latin/dossier \uFFFDt\uFFFD")).startsWith("skipped: its name is not UTF-8 text")
                .contains("latin/dossier%20%E9t%E9"); // the folder, once: nothing below it is listed
    }

    @Test
    void aFolderThatCannotBeReadOrAFileThatVanishesIsReportedAndTheListingGoesOn() throws Exception {
        touch("a/1.jpg");
        touch("b/2.jpg");
        touch("b/3.jpg");
        touch("c/4.jpg");
        touch("d/5.jpg");
        touch(".git/6.jpg");
        Path locked = root.resolve("c");
        Files.setPosixFilePermissions(locked, java.util.Set.of());
        Files.setPosixFilePermissions(root.resolve(".git"), java.util.Set.of());
        // As root (CI) permissions do not stop reads: then "c" is simply listed. What holds either way: nothing
        // stops the listing, and what it cannot list is reported unless hidden.
        boolean rootUser = canList(locked);
        Map<String, String> found = new TreeMap<>();
        try (var images = new ImageLister(new LocalObjectStore(), new NameFilter(NameFilter.DEFAULT_GLOBS),
                LabelRule.none(), false).list(Location.local(root),
                e -> found.put(root.relativize(Path.of(e.path())).toString(), e.reason()))) {
            var it = images.iterator();
            while (it.hasNext()) {
                String image = root.relativize(Path.of(it.next().path())).toString();
                found.put(image, "image");
                if (image.equals("b/2.jpg")) {
                    Files.delete(root.resolve("b/3.jpg")); // listed with its folder, gone before it is visited
                }
            }
        } finally {
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(root.resolve(".git"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        assertThat(found).containsEntry("a/1.jpg", "image").containsEntry("b/2.jpg", "image")
                .containsEntry("b/3.jpg", "vanished while the input was listed").containsEntry("d/5.jpg", "image");
        if (rootUser) {
            assertThat(found).containsEntry("c/4.jpg", "image").hasSize(5);
        } else {
            assertThat(found).containsEntry("c", "cannot read folder: permission denied").hasSize(5); // .git: silent
        }
    }

    /**
     * An entry whose kind cannot be read may be a folder of images, whatever its name: it is reported. Folders nested
     * beyond the longest path the system takes, and a link to a drive not mounted, were left out without a word (a
     * user's walk; so was a folder one may list but not search, which root, as CI runs, cannot be shown).
     */
    @Test
    void anEntryWhoseKindCannotBeReadOrALinkThatLeadsNowhereIsReportedWhateverItsName() throws Exception {
        touch("a/1.jpg");
        Files.createSymbolicLink(root.resolve("Pear"), Path.of("/mnt/orchard-drive-not-mounted/Pear"));
        Path deep = root.resolve("deep");
        Files.createDirectories(deep);
        String name = "n".repeat(200);
        // Made by bash, a folder at a time (dash cannot cd that deep): Java cannot make a path longer than PATH_MAX.
        Process made = new ProcessBuilder("bash", "-c", "for i in $(seq 25); do mkdir " + name + " && cd " + name
                + " || exit 1; done; printf x > deepest.jpg").directory(deep.toFile()).inheritIO().start();
        try {
            assertThat(made.waitFor()).isZero();
            for (boolean follow : List.of(false, true)) {
                Map<String, String> found = listWithErrors(follow);
                assertThat(found).as("follow links: " + follow).hasSize(3).containsEntry("a/1.jpg", "image");
                assertThat(found.get("Pear")).as("follow links: " + follow)
                        .startsWith(follow ? "skipped: dangling symbolic link" : "skipped: symbolic link to");
                String tooLong = found.keySet().stream().filter(k -> k.startsWith("deep/")).findFirst().orElseThrow();
                assertThat(found.get(tooLong)).startsWith("cannot read: path too long for the file system");
                assertThat(root.resolve(tooLong).toString().length()).isGreaterThan(4000);
            }
        } finally {
            assertThat(new ProcessBuilder("rm", "-rf", deep.toString()).inheritIO().start().waitFor()).isZero();
        }
    }

    private static boolean canList(Path dir) {
        try (var entries = Files.newDirectoryStream(dir)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
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
        // An empty capture is no label (it was a class named "", and NULL in pca.csv as read by DuckDB).
        assertThat(list(LabelRule.regex("^([a-z_]*)\\d", LabelRule.Source.FILE)))
                .containsEntry("Cherry 2/x.jpg", "null")
                .containsEntry("pets/wheaten_terrier_12.jpg", "wheaten_terrier_");
        touch("pets/12.jpg");
        assertThat(list(LabelRule.regex("^([a-z_]*)\\d", LabelRule.Source.FILE))).containsEntry("pets/12.jpg", "null");
    }

    /** The files --glob does not take are told, so that a listing of too few images can say what it left out. */
    @Test
    void theFilesTheGlobDoesNotTakeAreToldButNotHiddenOnes() throws Exception {
        touch("Kiwi/a.jpg");
        touch("Kiwi/b.jpeg");
        touch("Kiwi/notes.txt");
        touch(".cache/c.jpeg");
        touch("Kiwi/_meta.jpeg");
        List<String> notTaken = new ArrayList<>();
        try (var images = new ImageLister(new LocalObjectStore(), new NameFilter("*.jpg"), LabelRule.none(), false)
                .list(Location.local(root), e -> { }, o -> notTaken.add(Location.local(root).relativize(o.location())))) {
            assertThat(images.map(i -> Location.local(root).relativize(Location.parse(i.path())))).containsExactly(
                    "Kiwi/a.jpg");
        }
        assertThat(notTaken).containsExactly("Kiwi/b.jpeg", "Kiwi/notes.txt");
    }

    @Test
    void aRegexWithoutAGroupOrAnEmptyGlobIsRefused() {
        assertThatThrownBy(() -> LabelRule.regex("\\d+", LabelRule.Source.FILE)).hasMessageContaining("capture group");
        assertThatThrownBy(() -> new NameFilter(" , ")).hasMessageContaining("--glob");
    }
}
