package dev.orchard.stats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A committed partial: the statistics of exactly the units listed, as one file under {@code _orchard/partials/}.
 * Naming the units inside the file makes it self-describing: whoever merges partials can check that no unit is
 * counted twice.
 */
public record UnitStatistics(List<Integer> unitIds, CovariancePartial partial) {
    private static final int MAGIC = 0x4f525055; // "ORPU"

    public UnitStatistics {
        unitIds = List.copyOf(unitIds);
    }

    public byte[] encode() {
        byte[] stats = partial.encode();
        ByteBuffer buf = ByteBuffer.allocate(8 + 4 * unitIds.size() + stats.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(MAGIC).putInt(unitIds.size());
        unitIds.forEach(buf::putInt);
        buf.put(stats);
        return buf.array();
    }

    public static UnitStatistics decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 8 || buf.getInt() != MAGIC) {
            throw new IllegalArgumentException("not an Orchard unit-statistics file");
        }
        int n = buf.getInt();
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(buf.getInt());
        }
        byte[] rest = new byte[buf.remaining()];
        buf.get(rest);
        return new UnitStatistics(ids, CovariancePartial.decode(rest));
    }
}
