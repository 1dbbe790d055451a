package dev.orchard.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Colours for groups (labels): 40 distinct ones (matplotlib's tab10 dark and light halves, tab20b and two of tab20c,
 * without their greys), then grey for {@link #OTHER}. With more groups than colours, the largest keep a colour and
 * the rest are shown together as "other", so no two groups ever share a colour.
 */
public final class Palette {
    public static final String OTHER = "other";
    public static final String OTHER_COLOUR = "#b0b0b0";

    static final List<String> COLOURS = List.of(
            "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
            "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5",
            "#393b79", "#5254a3", "#6b6ecf", "#9c9ede", "#637939", "#8ca252", "#b5cf6b", "#cedb9c",
            "#8c6d31", "#bd9e39", "#e7ba52", "#e7cb94", "#843c39", "#ad494a", "#d6616b", "#e7969c",
            "#7b4173", "#a55194", "#ce6dbd", "#de9ed6", "#e6550d", "#31a354");

    /** How many groups get a colour of their own. */
    public static final int SIZE = COLOURS.size();

    private Palette() {
    }

    public static String colour(int index) {
        return COLOURS.get(index % SIZE);
    }

    /**
     * Group → colour for groups with these counts: the {@code max} largest (ties by name) get colours in that order;
     * every other group maps to {@link #OTHER_COLOUR}. The map keeps the legend's order.
     */
    public static Map<String, String> assign(Map<String, Integer> counts, int max) {
        List<Map.Entry<String, Integer>> order = new ArrayList<>(counts.entrySet());
        order.sort(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        int coloured = order.size() <= Math.min(max, SIZE) ? order.size() : Math.min(max, SIZE) - 1;
        Map<String, String> colours = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            colours.put(order.get(i).getKey(), i < coloured ? colour(i) : OTHER_COLOUR);
        }
        return colours;
    }
}
