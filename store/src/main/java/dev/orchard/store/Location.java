package dev.orchard.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an object lives: a local file ({@code /data/a.jpg}, {@code file:///data/a.jpg}) or an S3 object
 * ({@code s3://bucket/key}). Local locations are absolute and normalised, so two spellings of one file are
 * one location. {@link #toString()} is the form written to outputs (a plain path, or {@code s3://bucket/key}).
 */
public record Location(Scheme scheme, String bucket, String key) {

    public enum Scheme { FILE, S3 }

    public Location {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(key, "key");
        if (scheme == Scheme.S3 && (bucket == null || bucket.isEmpty())) {
            throw new IllegalArgumentException("An s3:// location needs a bucket: s3://bucket/prefix");
        }
    }

    /** Parses a user-given location: {@code s3://bucket/key}, {@code file:///path} or a plain local path. */
    public static Location parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("Empty location: give a folder path or an s3://bucket/prefix");
        }
        if (Character.isWhitespace(text.charAt(0)) && SCHEME_AFTER_SPACES.matcher(text).lookingAt()) {
            // Taken for a local path, it was printed whole, credentials and all ("--input /home/u/ s3a:/KEY:SECRET@…
            // does not exist": the diff's review).
            throw new IllegalArgumentException("Location '" + shown(text) + "' starts with spaces: remove them");
        }
        if (text.startsWith("s3://") || text.startsWith("s3a://")) {
            String rest = text.substring(text.indexOf("://") + 3);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String key = slash < 0 ? "" : rest.substring(slash + 1);
            if (bucket.indexOf(':') >= 0 && HOST_PORT.matcher(bucket).matches()) { // no regex per image's parse
                throw new IllegalArgumentException(shown(text) + " names a server, not a bucket: give the server as"
                        + " --endpoint-url http://HOST:PORT (with --path-style for most S3-compatible servers) and the"
                        + " location as s3://bucket/prefix");
            }
            if (text.indexOf('@') >= 0 && USER_INFO.matcher(text).lookingAt()) { // at its start: a key may hold "http://u@h"
                // Hadoop's old s3a://KEY:SECRET@bucket/ form: the "bucket" went to the server in the request line and
                // came back in the error message (a user's walk). Not echoed here either.
                throw new IllegalArgumentException("An s3:// location must not hold credentials: " + shown(text)
                        + " (KEY:SECRET@bucket, as Hadoop once took them). Give them as AWS_ACCESS_KEY_ID and"
                        + " AWS_SECRET_ACCESS_KEY, --profile NAME, or the instance's role, and the location as"
                        + " s3://bucket/prefix");
            }
            if (bucket.indexOf(':') >= 0) {
                throw new IllegalArgumentException("'" + bucket + "' in " + shown(text) + " is not a bucket name (an S3 access"
                        + " point's ARN is not taken either): give the location as s3://bucket/prefix");
            }
            return new Location(Scheme.S3, bucket, key);
        }
        if (text.startsWith("file:")) {
            return local(Path.of(URI.create(text)));
        }
        if (OTHER_SCHEME.matcher(text).lookingAt()) {
            throw new IllegalArgumentException("Unsupported location '" + shown(text)
                    + "': use a local path or s3://bucket/prefix");
        }
        return local(Path.of(text));
    }

    /**
     * Parses a location the user gave ({@code --input}, {@code --output}, {@code --classifier}, …) as {@link #parse}
     * does, refusing an s3:// key with a {@code .} or {@code ..} segment. A local path's are resolved by the file
     * system, but S3 takes them literally: {@code --output s3://b/a/../out} wrote below a key segment named "..", which
     * S3Proxy's folder store answered with 400 late in the job (a user's walk), and an input prefix with one lists
     * nothing. Only for typed locations: a key a listing or a manifest names is an object's real name, dots and all.
     */
    public static Location parseGiven(String text) {
        Location location = parse(text);
        if (location.isLocal() || location.key.indexOf('.') < 0) { // most keys: no split
            return location;
        }
        java.util.ArrayDeque<String> meant = new java.util.ArrayDeque<>();
        String dotted = null;
        for (String segment : location.key.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                dotted = dotted == null ? segment : dotted;
                if (segment.equals("..")) {
                    meant.pollLast();
                }
            } else {
                meant.addLast(segment);
            }
        }
        if (dotted == null) {
            return location;
        }
        throw new IllegalArgumentException(shown(text) + " has a '" + dotted + "' segment in its key, which S3 takes"
                + " literally (as a folder named '" + dotted + "'), not as " + (dotted.equals(".") ? "this" : "the parent")
                + " folder: write the prefix without it, such as s3://" + location.bucket + "/" + String.join("/", meant));
    }

    /** A URL of a scheme Orchard does not read ({@code String.matches} compiled this for every parse: once per image). */
    private static final java.util.regex.Pattern OTHER_SCHEME = java.util.regex.Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://");
    /**
     * A URL's user information ({@code s3n://KEY:SECRET@bucket/}), left out of messages, wherever it stands in the text
     * (after spaces, or in a path that made {@code s3a://} into {@code s3a:/}). A secret may hold '/', '@' and ':': all
     * up to the text's last '@' goes, which may hide some of a key too (such a location is refused anyway).
     */
    private static final java.util.regex.Pattern USER_INFO =
            java.util.regex.Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*:/+)(?:[^/@:\\s]*:.*|[^/@\\s]*)@");
    /** A scheme after leading spaces: a location typed with them. */
    private static final java.util.regex.Pattern SCHEME_AFTER_SPACES =
            java.util.regex.Pattern.compile("\\s+[a-zA-Z][a-zA-Z0-9+.-]*:/");
    /** What stands where a bucket's name should: a server's {@code HOST:PORT}. */
    private static final java.util.regex.Pattern HOST_PORT = java.util.regex.Pattern.compile("[A-Za-z0-9.-]+:[0-9]{1,5}");

    /**
     * {@code text} as a message may show it: a URL's user information ({@code s3n://KEY:SECRET@bucket/}) becomes
     * {@code …}, so that credentials typed into a location are never printed.
     */
    public static String shown(String text) {
        return text.indexOf('@') < 0 ? text : USER_INFO.matcher(text).replaceAll("$1…@");
    }

    public static Location local(Path path) {
        return new Location(Scheme.FILE, null, path.toAbsolutePath().normalize().toString());
    }

    public boolean isLocal() {
        return scheme == Scheme.FILE;
    }

    /** The local file; only for {@link Scheme#FILE}. */
    public Path path() {
        if (!isLocal()) {
            throw new IllegalStateException(this + " is not a local file");
        }
        return Path.of(key);
    }

    /** A child: {@code relative} uses '/' as separator whatever the scheme. */
    public Location resolve(String relative) {
        if (isLocal()) {
            return local(path().resolve(relative));
        }
        if (key.isEmpty()) {
            return new Location(scheme, bucket, relative);
        }
        return new Location(scheme, bucket, key.endsWith("/") ? key + relative : key + "/" + relative);
    }

    /** The path of {@code child} below this location, with '/' separators; the child must lie below it. */
    public String relativize(Location child) {
        String prefix = key.isEmpty() || key.endsWith("/") ? key : key + "/";
        if (isLocal()) {
            // Local keys are absolute and normalised: below this one, the rest of the text (a name this JVM cannot
            // turn back into a path, FileNames.nameable, is still a name to report).
            return child.isLocal() && child.key.startsWith(prefix) ? child.key.substring(prefix.length())
                    : path().relativize(child.path()).toString().replace(java.io.File.separatorChar, '/');
        }
        if (!Objects.equals(bucket, child.bucket) || !child.key.startsWith(prefix)) {
            throw new IllegalArgumentException(child + " is not below " + this);
        }
        return child.key.substring(prefix.length());
    }

    /** The folder (prefix) holding this location: what to check for write access before writing a file there. */
    public Location parent() {
        if (isLocal()) {
            Path parent = path().toAbsolutePath().getParent();
            return local(parent == null ? path().toAbsolutePath() : parent);
        }
        String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        int slash = k.lastIndexOf('/');
        return new Location(scheme, bucket, slash < 0 ? "" : k.substring(0, slash));
    }

    /** The last path segment (file name). */
    public String name() {
        String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
        int slash = Math.max(k.lastIndexOf('/'), k.lastIndexOf(java.io.File.separatorChar));
        return k.substring(slash + 1);
    }

    @Override
    public String toString() {
        return isLocal() ? key : "s3://" + bucket + "/" + key;
    }
}
