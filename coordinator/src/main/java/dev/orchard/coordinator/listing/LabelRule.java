package dev.orchard.coordinator.listing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an image gets its label: by default the name of its parent folder, exactly as it is (spaces kept); or the
 * first capture group of a regex over the parent folder's name or the file name (e.g. {@code ^(.*)_\d+\.jpg$}
 * turns Oxford-IIIT Pet's {@code wheaten_terrier_12.jpg} into {@code wheaten_terrier}); or no label at all.
 * A regex that does not match, or whose group captures nothing, leaves the image unlabelled (counted and reported,
 * never dropped).
 */
public sealed interface LabelRule {

    /** The label for the image at {@code relativePath} below the input root (whose own name is {@code rootName}). */
    String labelOf(String relativePath, String rootName);

    enum Source { FOLDER, FILE }

    static LabelRule parentFolder() {
        return new ParentFolder();
    }

    static LabelRule none() {
        return new NoLabel();
    }

    static LabelRule regex(String regex, Source source) {
        return new Regex(Pattern.compile(regex), source);
    }

    record ParentFolder() implements LabelRule {
        @Override
        public String labelOf(String relativePath, String rootName) {
            // No folder name is no label: an image at a bucket's root (--input s3://bucket/) or below a '//' key was
            // labelled "", which no count of unlabelled rows took in (the README walk).
            String folder = folderOf(relativePath, rootName);
            return folder.isEmpty() ? null : folder;
        }
    }

    record NoLabel() implements LabelRule {
        @Override
        public String labelOf(String relativePath, String rootName) {
            return null;
        }
    }

    record Regex(Pattern pattern, Source source) implements LabelRule {
        public Regex {
            if (pattern.matcher("").groupCount() < 1) {
                throw new IllegalArgumentException("--label-regex '" + pattern + "' needs one capture group, "
                        + "e.g. '^(.*)_\\d+\\.jpg$'");
            }
        }

        @Override
        public String labelOf(String relativePath, String rootName) {
            String subject = source == Source.FILE ? relativePath.substring(relativePath.lastIndexOf('/') + 1)
                                                   : folderOf(relativePath, rootName);
            Matcher m = pattern.matcher(subject);
            // An empty capture is no label: written as "", it read as a blank class in classify's reports and as
            // NULL in pca.csv (the same as no label) in DuckDB.
            String label = m.find() ? m.group(1) : null;
            return label == null || label.isEmpty() ? null : label;
        }
    }

    private static String folderOf(String relativePath, String rootName) {
        int slash = relativePath.lastIndexOf('/');
        if (slash < 0) {
            return rootName; // an image directly in the input folder is labelled by that folder
        }
        int before = relativePath.lastIndexOf('/', slash - 1);
        return relativePath.substring(before + 1, slash);
    }
}
