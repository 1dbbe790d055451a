package dev.orchard.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line's own bytes, where the system shows them ({@code /proc/self/cmdline} on Linux). Java reads each
 * argument in the file-name encoding; bytes that are not text there (a Latin-1 name under a UTF-8 locale) become
 * U+FFFD, and the job then named another folder than the one typed: {@code --output $'out\xffbad'} wrote to
 * {@code out\uFFFDbad}, or into an existing folder of that name (users' walks). A name that really holds U+FFFD is
 * text like any other: only the bytes tell the two apart.
 */
final class ArgumentBytes {
    private static final Path CMDLINE = Path.of("/proc/self/cmdline");

    private ArgumentBytes() {
    }

    /**
     * Why this JVM's arguments cannot be taken: the first whose bytes are not text in the file-name encoding, named,
     * and what to do; null when none is (or where the bytes are not known). Java reads bytes it cannot decode as
     * U+FFFD, so only a line with one is looked at: the others cost nothing at start-up (the command line's read and
     * decoding took 5-6 ms of a cold JVM).
     */
    static String refusal(String[] args) {
        boolean replaced = false;
        for (String arg : args) { // a loop, not a stream: a cold JVM's first lambda costs milliseconds
            replaced |= arg.indexOf('\uFFFD') >= 0;
        }
        if (!replaced) {
            return null;
        }
        Charset encoding;
        try {
            encoding = Charset.forName(dev.orchard.store.FileNames.encoding());
        } catch (IllegalArgumentException unknown) {
            return null;
        }
        String unreadable;
        try {
            unreadable = Files.isReadable(CMDLINE) ? unreadable(Files.readAllBytes(CMDLINE), args, encoding) : null;
        } catch (IOException e) {
            return null;
        }
        return unreadable == null ? null : "orchard: the argument '" + unreadable + "' has bytes that are not "
                + (dev.orchard.store.FileNames.utf8() ? "UTF-8 text" : "text in " + encoding.name())
                + " (shown as \uFFFD): Java cannot read them, so it would name another file, folder or class;"
                + " use a UTF-8 name" + dev.orchard.store.FileNames.localeHint();
    }

    /**
     * The first of {@code args} (the last entries of {@code cmdline}, NUL-separated) whose bytes do not decode in
     * {@code encoding} and which Java read as they decode with replacements; null when none, or when the entries are
     * not the arguments (an argument file, a command line that does not end with them).
     */
    static String unreadable(byte[] cmdline, String[] args, Charset encoding) {
        List<byte[]> entries = new ArrayList<>();
        for (int from = 0, nul; from < cmdline.length; from = nul + 1) {
            nul = from;
            while (nul < cmdline.length && cmdline[nul] != 0) {
                nul++;
            }
            byte[] entry = new byte[nul - from];
            System.arraycopy(cmdline, from, entry, 0, entry.length);
            entries.add(entry);
        }
        if (entries.size() < args.length) {
            return null;
        }
        int first = entries.size() - args.length;
        for (int i = 0; i < args.length; i++) {
            byte[] raw = entries.get(first + i);
            try {
                encoding.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw));
            } catch (CharacterCodingException e) {
                return new String(raw, encoding).equals(args[i]) ? args[i] : null;
            }
        }
        return null;
    }
}
