import type { ReplayHook } from "../audit.js";
import { officeDate } from "../dates.js";
import { decimalPlaces } from "../decimal.js";
import { createRecord } from "../engine.js";
import type { Guard } from "../hooks.js";
import type { IndicatorDef, OfficeConfig } from "../model.js";
import { refused, usageError } from "../problems.js";

/**
 * The monthly main economic indicators (主要经济指标, seed §5): what code says of them beyond their
 * workflow (templates/workflows/indicator.yaml). The indicator set is office.yaml `indicators:`; a
 * report's figures are a map of decimal strings keyed by indicator names (`{ output: "1234.50" }`).
 */

/** A month `YYYY-MM`. */
export const MONTH_RE = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The month `n` months after `month` (`2026-01`, -1 -> `2025-12`). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const k = y * 12 + (m - 1) + n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, "0")}`;
}

/** The months from `from` to `to`, both included, in order (none when `from` is after `to`). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** The office's indicator set (office.yaml `indicators:`; none when it has none). */
export const indicatorSet = (office: OfficeConfig): IndicatorDef[] => office.indicators ?? [];

/** The indicators `unit` reports (office.yaml `indicators[].units`), in the set's order. */
export function indicatorsOf(office: OfficeConfig, unit: string): IndicatorDef[] {
  return indicatorSet(office).filter((i) => i.units.includes(unit));
}

/** The units that report at least one indicator, in office.yaml's order: each month's expected reports. */
export function reportingUnits(office: OfficeConfig): string[] {
  return office.units.map((u) => u.id).filter((u) => indicatorsOf(office, u).length > 0);
}

/**
 * The guard `indicator-figures` (workflow `checks:`): a report's figures must name indicators of
 * office.yaml that its unit reports, each with no more decimals than the set allows, for a month not
 * after the current one. Exit 2 naming the bad entry (nothing is written); exit 1 when the office has
 * no indicators or the unit reports none. A report with no figures yet (opened by `indicator open`)
 * passes: it is what is expected.
 */
export const indicatorFigures: Guard = ({ record, office, now }) => {
  const unit = String(record.fields.unit ?? "");
  const month = String(record.fields.month ?? "");
  if (!indicatorSet(office).length) throw refused("indicator.no-set");
  const own = indicatorsOf(office, unit);
  if (!own.length)
    throw refused("indicator.unit-reports-none", { unit, units: reportingUnits(office).join(", ") || "—" });
  const current = officeDate(now, office.timezone).slice(0, 7);
  if (month > current) throw usageError("indicator.future-month", { month, current });
  const figures = (record.fields.figures ?? {}) as Record<string, unknown>;
  for (const [name, v] of Object.entries(figures)) {
    const entry = `${name}=${String(v)}`;
    const def = indicatorSet(office).find((i) => i.id === name);
    if (!def) throw usageError("indicator.unknown", { entry, known: own.map((i) => i.id).join(", ") });
    if (!def.units.includes(unit))
      throw usageError("indicator.not-of-unit", { entry, unit, known: own.map((i) => i.id).join(", ") });
    if (decimalPlaces(String(v)) > def.decimals)
      throw usageError("indicator.too-many-decimals", { entry, decimals: def.decimals });
  }
  return undefined;
};

/** The guards of this kind, spread into HOOKS.guards. */
export const INDICATOR_GUARDS = { "indicator-figures": indicatorFigures };

/**
 * `indicator open`'s expected reports as `verify` replays them (issue 18): a creation whose event is
 * `open` instead of the workflow's create action (src/cli/kinds/indicator.ts).
 */
export const INDICATOR_REPLAYS: Record<string, ReplayHook> = {
  open: ({ prev, next, event, ac }) => {
    if (prev) return undefined;
    const r = createRecord(ac, next.id, next.title, structuredClone(next.fields), Date.parse(event.at));
    r.event.action = "open";
    return r;
  },
};
