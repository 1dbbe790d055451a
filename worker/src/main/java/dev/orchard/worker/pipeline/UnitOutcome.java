package dev.orchard.worker.pipeline;

import dev.orchard.protocol.UnitReport;
import dev.orchard.stats.CovariancePartial;

/** A finished unit: its report and, for a FEATURES unit, the statistics of its rows (null for the other phases). */
public record UnitOutcome(UnitReport report, CovariancePartial statistics) {
}
