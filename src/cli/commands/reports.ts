import { isIsoDate } from "../../core/dates.js";
import { maskValue } from "../../core/privacy.js";
import { usageError } from "../../core/problems.js";
import { dueHorizon, groupByHolder, holderGroupsFor, overdueReport } from "../../core/reports/overdue.js";
import { statsReport } from "../../core/reports/stats.js";
import { RecordIndex } from "../../store/index-cache.js";
import { readRecordFiles, recordFilesOf } from "../../store/registry.js";
import type { Column, Row } from "../../ui/render.js";
import { committedReader } from "../committed.js";
import type { Ctx } from "../context.js";
import { EXIT } from "../errors.js";
import { checkHolderOption, checkUnitOption, kindOption } from "../filters.js";
import {
  dueCell,
  fieldDisplay,
  label,
  listingLabels,
  nameOf,
  namesOf,
  stepLabel,
  warnProvisionalDues,
  withCalendarWarning,
} from "../present.js";
import type { Registrar } from "../registrar.js";
import {
  checkWorkbookTarget,
  holderGroupLabel,
  listingColumns,
  printGroups,
  printRows,
} from "../table-output.js";
import { reportBroken } from "./records.js";
import { registerSupervision } from "./supervision.js";

export function registerReports(r: Registrar): void {
  const { program, d, run } = r;

  program
    .command("overdue")
    .description(d("help.overdue"))
    .option("--as-of <date>", d("help.opt-as-of"))
    .option("--within <n>", d("help.opt-within"))
    .option("--kind <kind>", d("help.opt-kind"))
    .option("--unit <unit>", d("help.opt-unit-filter"))
    .option("--holder <person>", d("help.opt-holder"))
    .option("--check", d("help.opt-check"))
    .option("--even-on-rest-days", d("help.opt-even-on-rest-days"))
    .option("--out <file>", d("help.opt-out"))
    .action(run(runOverdue));

  const report = program.command("report").description(d("help.report"));
  report
    .command("stats")
    .description(d("help.report-stats"))
    .option("--from <date>", d("help.opt-from-date"))
    .option("--to <date>", d("help.opt-to-date"))
    .option("--kind <kind>", d("help.opt-kind"))
    .option("--by <what>", d("help.opt-by"))
    .option("--out <file>", d("help.opt-out"))
    .action(run(async (ctx, opts: StatsOptions) => runStats(ctx, opts)));
  report
    .command("register")
    .description(d("help.report-register"))
    .option("--kind <kind>", d("help.opt-kind"))
    .option("--year <year>", d("help.opt-year"))
    .option("--unmask", d("help.opt-unmask"))
    .option("--out <file>", d("help.opt-out"))
    .action(run(runReportRegister));
  registerSupervision(r, report);
}
export interface StatsOptions {
  from?: string;
  to?: string;
  kind?: string;
  /** `unit` (default), `kind`, or a field the index keeps (`summary: true`), like a call's `type`. */
  by?: string;
  /** `--out FILE`: write there instead of stdout (xlsx needs it at a terminal). */
  out?: string;
}

/** `report stats`: on-time rates per kind and unit, or per value of a listed field. */
export async function runStats(ctx: Ctx, opts: StatsOptions): Promise<number> {
  checkWorkbookTarget(ctx, opts.out);
  for (const [option, v] of [
    ["--from", opts.from],
    ["--to", opts.to],
  ] as const)
    if (v !== undefined && !isIsoDate(v)) throw usageError("cli.bad-date", { option, value: v });
  const by = opts.by ?? "unit";
  const wfs = opts.kind ? [kindOption(ctx, opts.kind)] : ctx.reg.workflows();
  const byField = wfs.flatMap((w) => w.fields).find((f) => f.id === by && f.summary);
  if (by !== "unit" && by !== "kind" && !byField) {
    const fields = [...new Set(wfs.flatMap((w) => w.fields.filter((f) => f.summary).map((f) => f.id)))];
    throw usageError("cli.bad-enum", {
      option: "--by",
      value: by,
      values: ["unit", "kind", ...fields].join(", "),
    });
  }
  const index = await RecordIndex.load(ctx.reg);
  reportBroken(ctx, index);
  const rows = statsReport(
    index.all().filter((s) => !opts.kind || s.kind === opts.kind),
    {
      by,
      asOf: ctx.today(),
      ...(opts.from ? { from: opts.from } : {}),
      ...(opts.to ? { to: opts.to } : {}),
    },
  );
  const office = ctx.office();
  const byKind = new Map(ctx.reg.workflows().map((w) => [w.kind, w]));
  const shown = rows.map((x) => {
    const wf = byKind.get(x.kind);
    return {
      kind: label(wf?.label, ctx.lang, x.kind),
      group:
        x.group === ""
          ? "—"
          : by === "unit"
            ? nameOf(office, x.group)
            : wf
              ? fieldDisplay(ctx, wf, by, x.group)
              : x.group,
      total: x.total,
      closed: x.closed,
      closed_on_time: x.closed_on_time,
      on_time_rate: x.on_time_rate === null ? "—" : `${x.on_time_rate}%`,
      open: x.open,
      open_overdue: x.open_overdue,
    };
  });
  const cols = [
    "kind",
    "group",
    "total",
    "closed",
    "closed_on_time",
    "on_time_rate",
    "open",
    "open_overdue",
  ].map(
    (k): Column => ({
      key: k,
      header:
        k !== "group"
          ? ctx.t(`col.${k}` as never)
          : byField
            ? label(byField.label, ctx.lang)
            : ctx.t(`col.by-${by}` as never),
      ...(k === "kind" || k === "group" ? { shrink: 8 } : { numeric: true }),
    }),
  );
  await printRows(ctx, cols, shown, { data: rows, out: opts.out, sheet: ctx.t("col.on_time_rate") });
  return 0;
}

/** `office-doc overdue`. */
export async function runOverdue(
  ctx: Ctx,
  opts: {
    asOf?: string;
    within?: string;
    kind?: string;
    unit?: string;
    holder?: string;
    check?: boolean;
    evenOnRestDays?: boolean;
    out?: string;
  },
): Promise<number> {
  checkWorkbookTarget(ctx, opts.out);
  if (opts.asOf !== undefined && !isIsoDate(opts.asOf))
    throw usageError("cli.bad-date", { option: "--as-of", value: opts.asOf });
  const within = opts.within === undefined ? 0 : Number(opts.within);
  if (!(Number.isInteger(within) && within >= 0))
    throw usageError("cli.bad-number", { option: "--within", value: String(opts.within) });
  if (opts.kind) kindOption(ctx, opts.kind);
  if (opts.unit) checkUnitOption(ctx, opts.unit);
  if (opts.holder) checkHolderOption(ctx, opts.holder);
  const office = ctx.office();
  const asOf = opts.asOf ?? ctx.today();
  // cron runs `overdue --check` daily: on a rest day nobody is at work to act on the list.
  if (opts.check && !opts.evenOnRestDays && !ctx.reg.calendar().isWorkingDay(asOf)) return EXIT.ok;
  const index = await RecordIndex.load(ctx.reg);
  reportBroken(ctx, index);
  // Only records due by the horizon (or by today) can be listed: the index reads no others.
  const horizon = dueHorizon(ctx.reg.calendar(), asOf, within) ?? asOf;
  const rows = overdueReport(index.openListed(horizon), office, ctx.reg.calendar(), {
    asOf,
    within,
    ...(opts.kind ? { kind: opts.kind } : {}),
    ...(opts.unit ? { unit: opts.unit } : {}),
    ...(opts.holder ? { holder: opts.holder } : {}),
  });
  const overdueCount = rows.filter((x) => x.days_overdue > 0).length;
  const names = listingLabels(office, ctx.reg.workflows(), ctx.lang);
  const stateText = {
    overdue: ctx.t("due.overdue"),
    "due-today": ctx.t("due.due-today"),
    "due-soon": ctx.t("due.due-soon"),
  };
  const toRow = (x: (typeof rows)[number]): Row => {
    const cls = names.classification(x.kind, x.classification);
    return {
      id: x.id,
      kind: names.kind(x.kind),
      title: cls ? `【${cls}】${x.title}` : x.title,
      step: names.step(x.kind, x.step),
      holders: names.holders(x.holders),
      due: dueCell(ctx, x.due),
      state: stateText[x.state],
      // Numbers only where there are some: a number column stays numbers in CSV and xlsx.
      days_overdue: x.days_overdue > 0 ? x.days_overdue : null,
      working_days_overdue: x.days_overdue > 0 ? x.working_days_overdue : null,
    };
  };
  const cols = listingColumns(ctx, [
    "id",
    "kind",
    "title",
    "step",
    "holders",
    "due",
    "state",
    "days_overdue",
    "working_days_overdue",
  ]);
  const heading = ctx.t("overdue.heading", { date: asOf, n: overdueCount, soon: rows.length - overdueCount });
  if (ctx.format === "table") {
    // A record that a whole role may take up is listed once, under the role.
    const groups = groupByHolder(rows, holderGroupsFor(office, ctx.reg.workflows()));
    // Each record's row is built once, even when several holders share it.
    const built = new Map<string, Row>();
    const rowOf = (x: (typeof rows)[number]) => {
      let row = built.get(x.id);
      if (!row) {
        row = toRow(x);
        built.set(x.id, row);
      }
      return row;
    };
    const tables = [...groups].map(([holder, group]) => ({
      heading: `\n${holderGroupLabel(ctx, holder, group.length)}`,
      rows: group.map(rowOf),
    }));
    printGroups(
      ctx,
      cols.filter((c) => c.key !== "holders"),
      tables,
      { out: opts.out, heading },
    );
  } else {
    const data = ctx.format === "json" ? rows.map((x) => withCalendarWarning(ctx, x)) : rows;
    await printRows(ctx, cols, rows.map(toRow), { data, out: opts.out, sheet: asOf });
  }
  warnProvisionalDues(
    ctx,
    rows.map((x) => x.due),
  );
  return opts.check && overdueCount > 0 ? EXIT.overdue : EXIT.ok;
}

/** `office-doc report register`. */
export async function runReportRegister(
  ctx: Ctx,
  opts: { kind?: string; year?: string; unmask?: boolean; out?: string },
): Promise<number> {
  checkWorkbookTarget(ctx, opts.out);
  if (!opts.kind) throw usageError("cli.missing-options", { options: "--kind" });
  const wf = kindOption(ctx, opts.kind);
  const year = opts.year ?? ctx.today().slice(0, 4);
  if (!/^\d{4}$/.test(year)) throw usageError("cli.bad-number", { option: "--year", value: year });
  const office = ctx.office();
  // As last committed, like every listing, which also name the invalid and the broken files.
  reportBroken(ctx, await RecordIndex.load(ctx.reg), { register: `records/${wf.kind}/${year}/` });
  const files = recordFilesOf(ctx.reg, wf.kind, year);
  const reader = committedReader(ctx, files, "list.uncommitted-file");
  const records = readRecordFiles(reader, files.filter(reader.committed));
  const rows: Row[] = records.map((rec, i) => {
    const row: Row = { n: i + 1, id: rec.id, date: rec.created.slice(0, 10), title: rec.title };
    for (const f of wf.fields) {
      const v = rec.fields[f.id];
      const shown = f.private && !opts.unmask ? maskValue(f.type, v) : v;
      // Numbers stay numbers (CSV, xlsx); everything else as people read it.
      row[f.id] =
        shown === undefined ? "" : typeof shown === "number" ? shown : fieldDisplay(ctx, wf, f.id, shown);
    }
    row.step = stepLabel(wf, rec.step, ctx.lang);
    row.holders = namesOf(office, rec.holders, ctx.lang);
    row.archive = rec.archive?.number ?? "";
    return row;
  });
  // On a narrow terminal the archive number goes first, then the holders, the step and the
  // workflow's fields (the last first); the number, id, date and title stay.
  const cols: Column[] = [
    { key: "n", header: ctx.t("col.n"), numeric: true },
    { key: "id", header: ctx.t("col.id") },
    { key: "date", header: ctx.t("col.date") },
    { key: "title", header: label(wf.title.label, ctx.lang), shrink: 20 },
    ...wf.fields.map(
      (f, i): Column => ({
        key: f.id,
        header: label(f.label, ctx.lang),
        priority: 2 + i,
        ...(f.type === "integer" ? { numeric: true } : { shrink: 8 }),
      }),
    ),
    { key: "step", header: ctx.t("col.step"), priority: 2 + wf.fields.length, shrink: 8 },
    { key: "holders", header: ctx.t("col.holders"), priority: 3 + wf.fields.length, shrink: 8 },
    { key: "archive", header: ctx.t("col.archive"), priority: 4 + wf.fields.length },
  ];
  const heading = ctx.t("register.heading", { kind: label(wf.label, ctx.lang), year, office: office.name });
  // Private fields stay masked in JSON too, unless --unmask.
  const data = records.map((rec) => {
    if (opts.unmask) return rec;
    const fields = { ...rec.fields };
    for (const f of wf.fields)
      if (f.private && fields[f.id] !== undefined) fields[f.id] = maskValue(f.type, fields[f.id]);
    return { ...rec, fields };
  });
  await printRows(ctx, cols, rows, {
    data,
    out: opts.out,
    heading,
    sheet: `${label(wf.label, ctx.lang)} ${year}`,
  });
  return 0;
}
