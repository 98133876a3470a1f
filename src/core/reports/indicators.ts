import { averageDecimals, percentChange, roundDecimal, subtractDecimals, sumDecimals } from "../decimal.js";
import { addMonths, indicatorSet, reportingUnits } from "../kinds/indicator.js";
import type { IndicatorDef, OfficeConfig } from "../model.js";

/**
 * The monthly indicator summary and trends (seed §5; CLI.md "Reports"): rows in, rows out. Figures
 * are decimal strings from first to last: sums are exact (scaled integers), an average is divided
 * once and rounded half away from zero (四舍五入) to the indicator's decimals, and so is every total
 * shown. No binary floating point touches a figure.
 */

/** What a report says, as the summary needs it (withdrawn reports are left out by the caller). */
export interface IndicatorReport {
  id: string;
  unit: string;
  month: string;
  /** The current step, or null when approved (closed). */
  step: string | null;
  /** NAME -> decimal string; empty for an expected report not yet submitted. */
  figures: Record<string, string>;
}

/** A unit's figures for a month, each at its indicator's decimals. */
export interface UnitRow {
  unit: string;
  id: string;
  values: Record<string, string>;
  /** The step the report is at (`leader-sign`, `analyse`, `approve`), or `closed` once approved. */
  status: string;
}

/** One month's submitted figures and the office's totals. */
export interface MonthFigures {
  month: string;
  /** Units that submitted figures, in office.yaml's order of units. */
  rows: UnitRow[];
  /** NAME -> the office's total (sum or average, per the set), for indicators some unit reported. */
  totals: Record<string, string>;
  /** NAME -> how many units' figures make the total. */
  counts: Record<string, number>;
}

/** The office's totals of another month and the change to this month's. */
export interface Comparison {
  month: string;
  totals: Record<string, string>;
  /** NAME -> this month's total minus that month's (where both exist). */
  change: Record<string, string>;
  /** NAME -> that change in per cent of |that month's total|, 1 decimal; null when it was 0. */
  change_pct: Record<string, string | null>;
}

export interface MonthSummary extends MonthFigures {
  indicators: IndicatorDef[];
  /** Units expected to report (they report some indicator) that have not submitted figures. */
  missing: string[];
  /** The report of each unit that has one (submitted or only opened): its id and step. */
  reports: Record<string, { id: string; status: string }>;
  /** The month before, when some unit reported in it. */
  month_on_month: Comparison | null;
  /** The same month a year before, when some unit reported in it. */
  year_on_year: Comparison | null;
}

const statusOf = (r: IndicatorReport) => r.step ?? "closed";

/** `v` at the indicator's decimals (a figure typed with fewer gets its zeros: `12.5` -> `12.50`). */
const atDecimals = (def: IndicatorDef | undefined, v: string) => (def ? roundDecimal(v, def.decimals) : v);

/** The office total of `values` by the indicator's rule: sum or average, at its decimals. */
export function officeTotal(def: IndicatorDef, values: readonly string[]): string | undefined {
  if (!values.length) return undefined;
  return def.total === "average"
    ? averageDecimals(values, def.decimals)
    : roundDecimal(sumDecimals(values), def.decimals);
}

/** Units in office.yaml's order, then any others (a unit since removed) by id. */
function unitOrder(office: OfficeConfig): (a: string, b: string) => number {
  const at = new Map(office.units.map((u, i) => [u.id, i]));
  return (a, b) => (at.get(a) ?? 1e9) - (at.get(b) ?? 1e9) || a.localeCompare(b);
}

/** The figures submitted for `month` and the office's totals. */
export function monthFigures(
  reports: readonly IndicatorReport[],
  office: OfficeConfig,
  month: string,
): MonthFigures {
  const defs = new Map(indicatorSet(office).map((d) => [d.id, d]));
  const rows: UnitRow[] = reports
    .filter((r) => r.month === month && Object.keys(r.figures).length > 0)
    .sort((a, b) => unitOrder(office)(a.unit, b.unit))
    .map((r) => ({
      unit: r.unit,
      id: r.id,
      values: Object.fromEntries(
        indicatorSet(office)
          .filter((d) => r.figures[d.id] !== undefined)
          .map((d) => [d.id, atDecimals(d, r.figures[d.id] as string)])
          // A figure of an indicator since taken out of the set is still shown as it was.
          .concat(Object.entries(r.figures).filter(([k]) => !defs.has(k))),
      ),
      status: statusOf(r),
    }));
  const totals: Record<string, string> = {};
  const counts: Record<string, number> = {};
  for (const def of indicatorSet(office)) {
    const values = rows.map((r) => r.values[def.id]).filter((v): v is string => v !== undefined);
    const total = officeTotal(def, values);
    if (total === undefined) continue;
    totals[def.id] = total;
    counts[def.id] = values.length;
  }
  return { month, rows, totals, counts };
}

/** `other`'s totals against `current`'s: null when nobody reported in `other`'s month. */
function compare(current: MonthFigures, other: MonthFigures): Comparison | null {
  if (!other.rows.length) return null;
  const change: Record<string, string> = {};
  const pct: Record<string, string | null> = {};
  for (const [name, now] of Object.entries(current.totals)) {
    const before = other.totals[name];
    if (before === undefined) continue;
    change[name] = subtractDecimals(now, before);
    pct[name] = percentChange(before, now) ?? null;
  }
  return { month: other.month, totals: other.totals, change, change_pct: pct };
}

/**
 * The summary of `month` (`indicator summary`): every unit's figures and step, the office's totals,
 * the units still missing, and the change from the month before and from the same month a year
 * before where those months have reports.
 */
export function monthSummary(
  reports: readonly IndicatorReport[],
  office: OfficeConfig,
  month: string,
): MonthSummary {
  const cur = monthFigures(reports, office, month);
  const submitted = new Set(cur.rows.map((r) => r.unit));
  const own: Record<string, { id: string; status: string }> = {};
  for (const r of reports) if (r.month === month) own[r.unit] = { id: r.id, status: statusOf(r) };
  return {
    ...cur,
    indicators: indicatorSet(office),
    missing: reportingUnits(office).filter((u) => !submitted.has(u)),
    reports: own,
    month_on_month: compare(cur, monthFigures(reports, office, addMonths(month, -1))),
    year_on_year: compare(cur, monthFigures(reports, office, addMonths(month, -12))),
  };
}

/** One month of a trend. */
export interface TrendPoint {
  month: string;
  /** The unit's figure, or the office's total; null when nothing was reported. */
  value: string | null;
  /** From the month before, when both have a value. */
  change: string | null;
  change_pct: string | null;
  /** The unit's report's step (a unit's trend only). */
  status?: string;
}

/**
 * The series of one indicator over `months` (`indicator trend`): the unit's figure, or without a
 * unit the office's total (sum or average), each month; the change from the month before.
 */
export function trendSeries(
  reports: readonly IndicatorReport[],
  office: OfficeConfig,
  def: IndicatorDef,
  months: readonly string[],
  unit?: string,
): TrendPoint[] {
  let prev: string | null = null;
  return months.map((month) => {
    let value: string | null;
    let status: string | undefined;
    if (unit !== undefined) {
      const r = reports.find((x) => x.month === month && x.unit === unit);
      const v = r?.figures[def.id];
      value = v === undefined ? null : roundDecimal(v, def.decimals);
      if (r) status = statusOf(r);
    } else value = monthFigures(reports, office, month).totals[def.id] ?? null;
    const point: TrendPoint = {
      month,
      value,
      change: value !== null && prev !== null ? subtractDecimals(value, prev) : null,
      change_pct: value !== null && prev !== null ? (percentChange(prev, value) ?? null) : null,
      ...(status !== undefined ? { status } : {}),
    };
    prev = value;
    return point;
  });
}
