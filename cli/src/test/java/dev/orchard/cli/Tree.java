package dev.orchard.cli;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A folder's every entry and byte, to check that a refused job left the user's data exactly as it was. */
final class Tree {

    private Tree() {
    }

    /** Relative path → SHA-256 of a file's bytes, "dir" for a folder, "-> target" for a link (not followed). */
    static Map<String, String> hashes(Path root) throws Exception {
        Map<String, String> tree = new TreeMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String relative = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    tree.put(relative, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    tree.put(relative, "dir");
                } else {
                    tree.put(relative, HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
                }
            }
        }
        return tree;
    }
}
