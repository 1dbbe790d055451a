package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ArgumentBytesTest {

    private static byte[] cmdline(byte[]... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            out.writeBytes(e);
            out.write(0);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code out\xffbad} is not UTF-8, and Java read it as {@code out\uFFFDbad}; {@code caf\xef\xbf\xbd} is UTF-8 for a
     * real U+FFFD: taken, as a class name with it is (the first version of the check, on the string, could not tell the
     * two apart: a user's walk).
     */
    @Test
    void onlyAnArgumentWhoseBytesAreNotTextIsNamed() {
        byte[] latin = {'o', 'u', 't', (byte) 0xff, 'b', 'a', 'd'};
        byte[] line = cmdline(utf8("java"), utf8("-jar"), utf8("orchard.jar"), utf8("run"), utf8("--input"),
                utf8("caf\uFFFD"), utf8("--output"), latin);
        String[] args = {"run", "--input", "caf\uFFFD", "--output", "out\uFFFDbad"};
        assertThat(ArgumentBytes.unreadable(line, args, StandardCharsets.UTF_8)).isEqualTo("out\uFFFDbad");

        byte[] clean = cmdline(utf8("java"), utf8("run"), utf8("--pair"), utf8("caf\uFFFD"), utf8("thé"));
        assertThat(ArgumentBytes.unreadable(clean, new String[] {"run", "--pair", "caf\uFFFD", "thé"},
                StandardCharsets.UTF_8)).isNull();
        // The entries are not the arguments (an argument file expanded by the java launcher): nothing is said.
        assertThat(ArgumentBytes.unreadable(cmdline(utf8("java"), latin), new String[] {"run", "--output", "x"},
                StandardCharsets.UTF_8)).isNull();
        assertThat(ArgumentBytes.unreadable(cmdline(utf8("java"), latin), new String[] {"other"},
                StandardCharsets.UTF_8)).isNull();
        // In ASCII (no locale, as Java sees it) any byte above 127 is unreadable.
        assertThat(ArgumentBytes.unreadable(cmdline(utf8("java"), utf8("thé")), new String[] {new String(utf8("thé"),
                StandardCharsets.US_ASCII)}, StandardCharsets.US_ASCII)).isNotNull();
    }
}
