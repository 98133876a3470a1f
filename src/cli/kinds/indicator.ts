import { officeDate } from "../../core/dates.js";
import { JsonDecimal, jsonWithDecimals } from "../../core/decimal.js";
import { createRecord } from "../../core/engine.js";
import {
  addMonths,
  indicatorSet,
  MONTH_RE,
  monthsBetween,
  reportingUnits,
} from "../../core/kinds/indicator.js";
import type { IndicatorDef, RecordDoc } from "../../core/model.js";
import { refused, usageError } from "../../core/problems.js";
import { titleFromTemplate } from "../../core/record.js";
import {
  type IndicatorReport,
  monthSummary,
  type TrendPoint,
  trendSeries,
} from "../../core/reports/indicators.js";
import type { WorkflowDef } from "../../core/workflow.js";
import { readRecordFiles, recordFilesOf } from "../../store/registry.js";
import { transact } from "../../store/transact.js";
import { lineChart } from "../../ui/chart.js";
import type { Column, Row } from "../../ui/render.js";
import { headingLine } from "../../ui/render.js";
import { committedReader } from "../committed.js";
import type { Ctx } from "../context.js";
import { identityOf } from "../context.js";
import type { KindCommand } from "../kind-commands.js";
import { outputColumns } from "../output.js";
import { dueCell, label, nameOf, stepLabel } from "../present.js";
import { actionContext, allocator, peersOf, putRecord } from "../service.js";
import { checkWorkbookTarget, printRows } from "../table-output.js";

/**
 * The kind commands of the monthly indicator reports (seed §5): `indicator open` (the month's
 * expected reports, for cron on the 1st), `indicator summary` (units × indicators, office totals,
 * month-on-month and year-on-year, units missing) and `indicator trend` (one indicator over months,
 * with a chart at a terminal). `indicator submit` is the kind's create command (the workflow).
 */

/** The `--month` option (default: this month, office time); exit 2 when it is not YYYY-MM. */
function monthOption(option: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  const m = String(v).trim();
  if (!MONTH_RE.test(m)) throw usageError("field.bad-month", { option, value: m, field: option });
  return m;
}

/**
 * The reports of `wf`'s kind for `months` (withdrawn ones left out), read from their files: a report
 * for a month is made in that month's year or later, so the folders of those years to this one.
 */
export function indicatorReports(ctx: Ctx, wf: WorkflowDef, months: readonly string[]): IndicatorReport[] {
  if (!months.length) return [];
  const wanted = new Set(months);
  const first = Math.min(...months.map((m) => Number(m.slice(0, 4))));
  const last = Math.max(first, Number(ctx.today().slice(0, 4)));
  const out: IndicatorReport[] = [];
  for (let year = first; year <= last; year++) {
    // As last committed, like every listing; a file with uncommitted changes is named.
    const files = recordFilesOf(ctx.reg, wf.kind, year);
    const reader = committedReader(ctx, files, "list.uncommitted-file");
    for (const rec of readRecordFiles(reader, files.filter(reader.committed))) {
      const month = String(rec.fields.month ?? "");
      if (!wanted.has(month) || rec.withdrawn || rec.merged_into) continue;
      const figures = rec.fields.figures;
      out.push({
        id: rec.id,
        unit: String(rec.fields.unit ?? ""),
        month,
        step: rec.status === "closed" ? null : rec.step,
        figures:
          typeof figures === "object" && figures !== null && !Array.isArray(figures)
            ? Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, String(v)]))
            : {},
      });
    }
  }
  return out;
}

/** `indicator open [--month YYYY-MM]`: the month's expected reports, in one commit; nothing twice. */
async function runOpen(ctx: Ctx, wf: WorkflowDef, opts: Record<string, unknown>): Promise<number> {
  const month = monthOption("--month", opts.month, ctx.today().slice(0, 7));
  const office = ctx.office();
  if (!indicatorSet(office).length) throw refused("indicator.no-set");
  const ac = await actionContext(ctx, wf);
  const now = ctx.now();
  const year = Number(officeDate(now, office.timezone).slice(0, 4));
  const made = await transact(ctx.reg, "open", async (tx) => {
    const acx = { ...ac, peers: peersOf(tx.index) };
    // Every report of the month, open or approved, counts (a withdrawn one does not): read from the
    // kind's folders of the month's year on, not from every closed record's summary.
    const has = new Set(indicatorReports(ctx, wf, [month]).map((r) => r.unit));
    const out: RecordDoc[] = [];
    for (const unit of reportingUnits(office).filter((u) => !has.has(u))) {
      const fields = { unit, month, figures: {} };
      const id = await allocator(ctx, tx).recordId(wf.kind, wf.prefix, year);
      const title = titleFromTemplate(wf.title.template ?? "{month} {unit}", fields, wf, office);
      const res = createRecord(acx, id, title, fields, now);
      res.event.action = "open";
      putRecord(tx, acx, res.record);
      out.push(res.record);
    }
    if (!out.length) return out;
    await tx.commit({
      action: "open",
      record: out.map((r) => r.id).join(", "),
      subject: `open ${out.map((r) => r.id).join(", ")}: ${month}`,
      author: identityOf(ac.actor),
      committer: identityOf(ac.recorder),
      actorId: ac.actor.id,
      recorderId: ac.recorder.id,
      authorDate: ctx.stamp(),
      committerDate: ctx.stamp(),
    });
    return out;
  });
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        made.map((r) => ({
          id: r.id,
          unit: r.fields.unit,
          month,
          step: r.step,
          holders: r.holders,
          due: r.due,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  if (!made.length) ctx.say(ctx.t("indicator.open-nothing", { month }));
  for (const r of made)
    ctx.out(
      ctx.t("indicator.opened", {
        id: r.id,
        unit: nameOf(office, String(r.fields.unit)),
        holders: r.holders.map((h) => nameOf(office, h)).join(ctx.lang === "zh-CN" ? "、" : ", ") || "—",
        due: dueCell(ctx, r.due) || "—",
      }),
    );
  return 0;
}

/** An indicator's column header: its label, its unit of measure, and "average" for an averaged one. */
function indicatorHeader(ctx: Ctx, d: IndicatorDef): string {
  const parts = [d.measure, d.total === "average" ? ctx.t("indicator.average") : ""].filter(Boolean);
  const sep = ctx.lang === "zh-CN" ? "，" : ", ";
  return parts.length
    ? `${label(d.label, ctx.lang)}${ctx.lang === "zh-CN" ? `（${parts.join(sep)}）` : ` (${parts.join(sep)})`}`
    : label(d.label, ctx.lang);
}

const dec = (v: string | null | undefined) => (v === null || v === undefined ? null : new JsonDecimal(v));
const decMap = (m: Record<string, string | null>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, dec(v)]));
const pct = (v: string | null | undefined) => (v === null || v === undefined ? "" : `${v}%`);

/** `indicator summary [--month YYYY-MM] [--format F] [--out FILE]`. */
async function runSummary(ctx: Ctx, wf: WorkflowDef, opts: Record<string, unknown>): Promise<number> {
  const out = opts.out as string | undefined;
  checkWorkbookTarget(ctx, out);
  const month = monthOption("--month", opts.month, ctx.today().slice(0, 7));
  const office = ctx.office();
  const reports = indicatorReports(ctx, wf, [month, addMonths(month, -1), addMonths(month, -12)]);
  const s = monthSummary(reports, office, month);
  const names = s.indicators.map((d) => d.id);
  const data = {
    month,
    indicators: names,
    rows: s.rows.map((r) => ({ unit: r.unit, values: decMap(r.values), status: r.status, id: r.id })),
    totals: decMap(s.totals),
    missing: s.missing,
    definitions: s.indicators.map((d) => ({
      id: d.id,
      label: d.label,
      measure: d.measure,
      total: d.total,
      decimals: d.decimals,
      units: d.units,
    })),
    counts: s.counts,
    reports: s.reports,
    month_on_month: comparisonJson(s.month_on_month),
    year_on_year: comparisonJson(s.year_on_year),
  };
  const statusText = (st: string | undefined) =>
    st === undefined ? ctx.t("indicator.missing") : stepLabel(wf, st === "closed" ? null : st, ctx.lang);
  const submitted = new Map(s.rows.map((r) => [r.unit, r]));
  const units = [...new Set([...s.rows.map((r) => r.unit), ...reportingUnits(office)])];
  const rows: Row[] = units
    .sort((a, b) => office.units.findIndex((u) => u.id === a) - office.units.findIndex((u) => u.id === b))
    .map((u) => {
      const r = submitted.get(u);
      const row: Row = { unit: nameOf(office, u), status: r ? statusText(r.status) : statusText(undefined) };
      if (!r && s.reports[u]) row.status = `${statusText(undefined)} (${s.reports[u]?.id})`;
      for (const n of names) row[n] = r?.values[n] ?? "";
      return row;
    });
  const line = (name: string, values: Record<string, string | null>, f = (v: string | null) => v ?? "") => {
    const row: Row = { unit: name, status: "" };
    for (const n of names) row[n] = values[n] === undefined ? "" : f(values[n] ?? null);
    return row;
  };
  rows.push(line(ctx.t("indicator.total"), s.totals));
  for (const [c, key] of [
    [s.month_on_month, "mom"],
    [s.year_on_year, "yoy"],
  ] as const) {
    if (!c) continue;
    rows.push(line(ctx.t(`indicator.${key}-total` as const, { month: c.month }), c.totals));
    rows.push(line(ctx.t(`indicator.${key}-change` as const), c.change));
    rows.push(line(ctx.t(`indicator.${key}-pct` as const), c.change_pct, pct));
  }
  const cols: Column[] = [
    { key: "unit", header: ctx.t("col.unit") },
    ...s.indicators.map((d) => ({ key: d.id, header: indicatorHeader(ctx, d), numeric: true })),
    { key: "status", header: ctx.t("col.step"), priority: 2, shrink: 8 },
  ];
  await printRows(ctx, cols, rows, {
    out,
    jsonText: `${jsonWithDecimals(data)}\n`,
    heading: ctx.t("indicator.summary-heading", { month, office: office.name }),
    sheet: `${month}`,
  });
  if (ctx.format === "table" && s.missing.length)
    ctx.say(
      ctx.t("indicator.missing-units", {
        month,
        units: s.missing.map((u) => nameOf(office, u)).join(ctx.lang === "zh-CN" ? "、" : ", "),
      }),
    );
  return 0;
}

function comparisonJson(c: ReturnType<typeof monthSummary>["month_on_month"]) {
  return c === null
    ? null
    : {
        month: c.month,
        totals: decMap(c.totals),
        change: decMap(c.change),
        change_pct: decMap(c.change_pct),
      };
}

/** The most months one trend spans (20 years). */
const TREND_MAX_MONTHS = 240;

/** `indicator trend --name NAME [--unit U] [--from YYYY-MM] [--to YYYY-MM] [--format F] [--out FILE]`. */
async function runTrend(ctx: Ctx, wf: WorkflowDef, opts: Record<string, unknown>): Promise<number> {
  const out = opts.out as string | undefined;
  checkWorkbookTarget(ctx, out);
  const office = ctx.office();
  const name = typeof opts.name === "string" ? opts.name.trim() : "";
  if (!name) throw usageError("cli.missing-options", { options: "--name" });
  const def = indicatorSet(office).find((d) => d.id === name);
  if (!def)
    throw usageError("indicator.unknown", {
      entry: name,
      known:
        indicatorSet(office)
          .map((d) => d.id)
          .join(", ") || "—",
    });
  const unit = typeof opts.unit === "string" ? opts.unit.trim() : undefined;
  if (unit !== undefined && !def.units.includes(unit))
    throw usageError("indicator.not-of-unit", { entry: name, unit, known: def.units.join(", ") || "—" });
  const to = monthOption("--to", opts.to, ctx.today().slice(0, 7));
  const from = monthOption("--from", opts.from, addMonths(to, -11));
  const months = monthsBetween(from, to);
  if (!months.length || months.length > TREND_MAX_MONTHS)
    throw usageError("indicator.bad-range", { from, to, max: TREND_MAX_MONTHS });
  const series = trendSeries(indicatorReports(ctx, wf, months), office, def, months, unit);
  const data = {
    indicator: def.id,
    label: def.label,
    measure: def.measure,
    total: def.total,
    unit: unit ?? null,
    from,
    to,
    series: series.map((p) => ({
      month: p.month,
      value: dec(p.value),
      change: dec(p.change),
      change_pct: dec(p.change_pct),
      ...(p.status !== undefined ? { status: p.status } : {}),
    })),
  };
  const rows: Row[] = series.map((p) => ({
    month: p.month,
    value: p.value ?? "",
    change: p.change ?? "",
    change_pct: pct(p.change_pct),
    ...(unit !== undefined
      ? {
          status:
            p.status === undefined
              ? ctx.t("indicator.missing")
              : stepLabel(wf, p.status === "closed" ? null : p.status, ctx.lang),
        }
      : {}),
  }));
  const cols: Column[] = [
    { key: "month", header: ctx.t("col.month") },
    { key: "value", header: indicatorHeader(ctx, def), numeric: true },
    { key: "change", header: ctx.t("indicator.change"), numeric: true },
    { key: "change_pct", header: ctx.t("indicator.change-pct"), numeric: true },
    ...(unit !== undefined ? [{ key: "status", header: ctx.t("col.step"), priority: 2 }] : []),
  ];
  const heading = ctx.t("indicator.trend-heading", {
    name: label(def.label, ctx.lang),
    who: unit !== undefined ? nameOf(office, unit) : office.name,
    from,
    to,
  });
  // At a terminal the chart comes first, under the heading, and the table with the exact figures after it.
  const chart =
    ctx.format === "table" && !out && ctx.io.isTerminal(1) ? trendChart(ctx, def, series) : undefined;
  if (chart) ctx.io.writeRaw(1, `${headingLine(heading, outputColumns(ctx.env))}\n\n${chart}\n`);
  await printRows(ctx, cols, rows, {
    out,
    jsonText: `${jsonWithDecimals(data)}\n`,
    ...(chart ? {} : { heading }),
    sheet: def.id,
  });
  return 0;
}

/**
 * The trend as a line chart (months with a figure; a month without one is left out of the line and
 * named in the table), or undefined when fewer than two months have one. The value axis shows the
 * indicator's decimals; asciichart computes its ticks in binary floating point, which is fine for a
 * picture: the table under it has the exact figures.
 */
export function trendChart(
  ctx: Pick<Ctx, "env" | "color" | "lang">,
  def: IndicatorDef,
  series: readonly TrendPoint[],
): string | undefined {
  const points = series
    .filter((p) => p.value !== null)
    .map((p) => ({ label: p.month.slice(2), value: Number(p.value) }));
  return lineChart(points, {
    width: outputColumns(ctx.env) ?? 80,
    format: (v) => v.toFixed(def.decimals),
    color: ctx.color,
  });
}

const workflowOf = (wfs: readonly WorkflowDef[]): WorkflowDef => {
  const wf = wfs[0];
  if (!wf) throw refused("indicator.no-set");
  return wf;
};

/** The kind commands of this kind, spread into KIND_COMMANDS. */
export const INDICATOR_COMMANDS: Record<string, KindCommand> = {
  "indicator-open": {
    description: "help.indicator-open",
    options: [{ flags: "--month <YYYY-MM>", description: "help.opt-indicator-month" }],
    run: (ctx, { wfs, opts }) => runOpen(ctx, workflowOf(wfs), opts),
  },
  "indicator-summary": {
    description: "help.indicator-summary",
    options: [
      { flags: "--month <YYYY-MM>", description: "help.opt-indicator-month" },
      { flags: "--out <file>", description: "help.opt-out" },
    ],
    run: (ctx, { wfs, opts }) => runSummary(ctx, workflowOf(wfs), opts),
  },
  "indicator-trend": {
    description: "help.indicator-trend",
    options: [
      { flags: "--name <NAME>", description: "help.opt-indicator-name" },
      { flags: "--unit <unit>", description: "help.opt-indicator-unit" },
      { flags: "--from <YYYY-MM>", description: "help.opt-indicator-from" },
      { flags: "--to <YYYY-MM>", description: "help.opt-indicator-to" },
      { flags: "--out <file>", description: "help.opt-out" },
    ],
    run: (ctx, { wfs, opts }) => runTrend(ctx, workflowOf(wfs), opts),
  },
};
