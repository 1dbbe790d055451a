package dev.orchard.coordinator.listing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabelRuleTest {
    /**
     * The parent folder's name, or the input's own for an image directly in it; no name at all (a bucket's root, a
     * '//' in a key) is no label: it was "", counted nowhere as unlabelled (the README walk).
     */
    @Test
    void theParentFolderRuleGivesNoLabelWhereThereIsNoFolderName() {
        LabelRule rule = LabelRule.parentFolder();
        assertThat(rule.labelOf("Apple Red 1/r 1.jpg", "Test")).isEqualTo("Apple Red 1");
        assertThat(rule.labelOf("loose.jpg", "Test")).isEqualTo("Test");
        assertThat(rule.labelOf("loose.jpg", "")).isNull(); // --input s3://bucket/
        assertThat(rule.labelOf("a//b.jpg", "Test")).isNull();
    }
}
