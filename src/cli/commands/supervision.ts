import type { Command } from "commander";
import { isIsoDate } from "../../core/dates.js";
import type { RecordDoc, RecordSummary } from "../../core/model.js";
import { usageError } from "../../core/problems.js";
import { normalizeRecord } from "../../core/record.js";
import {
  type LedgerItem,
  type RateRow,
  supervisedWorkflows,
  supervisionLedger,
  supervisionRates,
} from "../../core/reports/supervision.js";
import { RecordIndex } from "../../store/index-cache.js";
import { fastLoad } from "../../store/lazy.js";
import { recordRel } from "../../store/registry.js";
import type { Column, Row } from "../../ui/render.js";
import type { Ctx } from "../context.js";
import { dueCell, listingLabels, warnProvisionalDues, withCalendarWarning } from "../present.js";
import type { Registrar } from "../registrar.js";
import { checkWorkbookTarget, listingColumns, printRows } from "../table-output.js";
import { reportBroken } from "./records.js";

/**
 * `report supervision` (督办台账): the supervision ledger for the office head's weekly meeting, and
 * with `--rate` the on-time rate per unit over a period. `overdue --check` stays the cron alarm.
 */

export interface SupervisionOptions {
  asOf?: string;
  within?: string;
  kind?: string;
  unit?: string;
  rate?: boolean;
  from?: string;
  to?: string;
  out?: string;
}

/** Register `report supervision` in the `report` group. */
export function registerSupervision(r: Registrar, report: Command): void {
  const { d, run } = r;
  report
    .command("supervision")
    .description(d("help.report-supervision"))
    .option("--as-of <date>", d("help.opt-as-of"))
    .option("--within <n>", d("help.opt-supervision-within"))
    .option("--kind <kind>", d("help.opt-kind"))
    .option("--unit <unit>", d("help.opt-supervision-unit"))
    .option("--rate", d("help.opt-supervision-rate"))
    .option("--from <date>", d("help.opt-supervision-from"))
    .option("--to <date>", d("help.opt-supervision-to"))
    .option("--out <file>", d("help.opt-out"))
    .action(run(runSupervision));
}

/** `office-doc report supervision`. */
export async function runSupervision(ctx: Ctx, opts: SupervisionOptions): Promise<number> {
  checkWorkbookTarget(ctx, opts.out);
  for (const [option, v] of [
    ["--as-of", opts.asOf],
    ["--from", opts.from],
    ["--to", opts.to],
  ] as const)
    if (v !== undefined && !isIsoDate(v)) throw usageError("cli.bad-date", { option, value: v });
  const office = ctx.office();
  const within = opts.within === undefined ? (office.supervision?.yellow_within ?? 2) : Number(opts.within);
  if (!(Number.isInteger(within) && within >= 0))
    throw usageError("cli.bad-number", { option: "--within", value: String(opts.within) });
  if (opts.kind) ctx.reg.workflow(opts.kind);
  if (opts.unit && !office.units.some((u) => u.id === opts.unit))
    throw usageError("cli.unknown-unit-option", { option: "--unit", unit: opts.unit });
  const asOf = opts.asOf ?? ctx.today();
  const workflows = ctx.reg.workflows();
  if (!supervisedWorkflows(workflows).length) ctx.warn("supervision.none-supervised");
  const index = await RecordIndex.load(ctx.reg);
  reportBroken(ctx, index);
  // A summary made before a workflow's `supervised` condition named its field: read the record.
  const fieldsOf = (s: RecordSummary) => recordOf(ctx, s)?.fields;
  const ledger = supervisionLedger(
    [...index.open.values()],
    workflows,
    office,
    ctx.reg.calendar(),
    {
      asOf,
      yellowWithin: within,
      ...(opts.kind ? { kind: opts.kind } : {}),
      ...(opts.unit ? { unit: opts.unit } : {}),
    },
    fieldsOf,
  );
  if (opts.rate || opts.from || opts.to) return printRates(ctx, opts, index, ledger, asOf);
  await printLedger(ctx, ledger, asOf, opts.out);
  warnProvisionalDues(
    ctx,
    ledger.map((x) => x.due),
  );
  return 0;
}

/**
 * A record of the index read for the ledger and the rates: parsed (js-yaml) without the full
 * validation of readRecord, which would double the cost of reading a year's records; they read only
 * its history and fields. A file that does not parse, or has no history, is named and left out.
 */
function recordOf(ctx: Ctx, s: Pick<RecordSummary, "id" | "kind">): RecordDoc | undefined {
  const rel = recordRel(s.kind, s.id);
  try {
    const raw = fastLoad(ctx.reg.readText(rel) ?? "") as Record<string, unknown> | null;
    if (raw && typeof raw === "object" && raw.id === s.id && Array.isArray(raw.history))
      return normalizeRecord(raw);
    ctx.warn("list.broken-file", { file: rel, message: ctx.t("store.no-record", { id: s.id }) });
  } catch (e) {
    ctx.warn("list.broken-file", { file: rel, message: (e as Error).message.split("\n")[0] ?? "" });
  }
  return undefined;
}

const LIGHT_KEYS = {
  red: "supervision.light-red",
  yellow: "supervision.light-yellow",
  green: "supervision.light-green",
} as const;

async function printLedger(ctx: Ctx, ledger: LedgerItem[], asOf: string, out: string | undefined) {
  const office = ctx.office();
  const names = listingLabels(office, ctx.reg.workflows(), ctx.lang);
  const light = {
    red: ctx.t(LIGHT_KEYS.red),
    yellow: ctx.t(LIGHT_KEYS.yellow),
    green: ctx.t(LIGHT_KEYS.green),
  };
  const rows: Row[] = ledger.map((x) => ({
    light: light[x.light],
    id: x.id,
    kind: names.kind(x.kind),
    title: x.title,
    unit: x.units.length ? names.holders(x.units) : "—",
    holders: names.holders(x.holders),
    step: names.step(x.kind, x.step),
    due: dueCell(ctx, x.due),
    days_left: x.days_left,
    working_days_left: x.working_days_left,
  }));
  const tones = new Map(rows.map((row, i) => [row, ledger[i]?.light]));
  // The record listings' columns (table-output.ts), with the light toned and the lead unit.
  const cols = listingColumns(ctx, [
    "light",
    "id",
    "kind",
    "title",
    "unit",
    "holders",
    "step",
    "due",
    "days_left",
    "working_days_left",
  ]).map((c): Column => {
    if (c.key === "light") return { ...c, tone: (row) => tones.get(row) };
    if (c.key === "unit") return { ...c, header: ctx.t("col.lead_unit"), priority: 2, shrink: 8 };
    return c;
  });
  const count = (l: LedgerItem["light"]) => ledger.filter((x) => x.light === l).length;
  const heading = ctx.t("supervision.heading", {
    date: asOf,
    office: office.name,
    n: ledger.length,
    red: count("red"),
    yellow: count("yellow"),
    green: count("green"),
  });
  const data = ctx.format === "json" ? ledger.map((x) => withCalendarWarning(ctx, x)) : ledger;
  await printRows(ctx, cols, rows, { data, out, heading, sheet: `${ctx.t("supervision.sheet")} ${asOf}` });
}

/**
 * `--rate`: the on-time rate per unit of the items that left supervision between `--from` and `--to`
 * (default: the 1st of January of the as-of year to the as-of day), read from the records of the
 * kinds with supervised steps registered by the end and not closed before the start of the period.
 */
async function printRates(
  ctx: Ctx,
  opts: SupervisionOptions,
  index: RecordIndex,
  ledger: LedgerItem[],
  asOf: string,
): Promise<number> {
  const from = opts.from ?? (opts.to ? undefined : `${asOf.slice(0, 4)}-01-01`);
  const to = opts.to ?? (opts.from ? undefined : asOf);
  const kinds = new Set(supervisedWorkflows(ctx.reg.workflows()).map((w) => w.kind));
  const records: RecordDoc[] = [];
  for (const s of index.all()) {
    if (!kinds.has(s.kind) || (opts.kind && s.kind !== opts.kind)) continue;
    if (to && s.created.slice(0, 10) > to) continue;
    if (from && s.status === "closed" && (s.closed ?? s.updated).slice(0, 10) < from) continue;
    const rec = recordOf(ctx, s);
    if (rec) records.push(rec);
  }
  const office = ctx.office();
  let rows = supervisionRates(
    records,
    ctx.reg.workflows(),
    office,
    { ...(from ? { from } : {}), ...(to ? { to } : {}) },
    ledger,
  );
  if (opts.unit) rows = rows.filter((r) => r.unit === opts.unit);
  const names = listingLabels(office, [], ctx.lang);
  const shown: Row[] = rows.map((r: RateRow) => ({
    unit: r.unit ? names.holders([r.unit]) : "—",
    finished: r.finished,
    on_time: r.on_time,
    late: r.late,
    on_time_rate: r.on_time_rate === null ? "—" : `${r.on_time_rate}%`,
    open: r.open,
    overdue: r.overdue,
  }));
  const cols: Column[] = ["unit", "finished", "on_time", "late", "on_time_rate", "open", "overdue"].map(
    (key): Column => ({
      key,
      header: ctx.t(key === "unit" ? "col.unit" : (`col.supervision-${key}` as never)),
      ...(key === "unit" ? { shrink: 8 } : { numeric: true }),
    }),
  );
  const heading = ctx.t("supervision.rate-heading", {
    from: from ?? "…",
    to: to ?? "…",
    office: office.name,
  });
  await printRows(ctx, cols, shown, {
    data: rows,
    out: opts.out,
    heading,
    sheet: ctx.t("supervision.rate-sheet"),
  });
  return 0;
}
