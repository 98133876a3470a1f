import { existsSync, readdirSync, statSync } from "node:fs";
import { isIsoDate } from "../../core/dates.js";
import { maskValue } from "../../core/privacy.js";
import { usageError } from "../../core/problems.js";
import { normalizeRecord } from "../../core/record.js";
import { dueHorizon, groupByHolder, overdueReport } from "../../core/reports/overdue.js";
import { type StatsBy, statsReport } from "../../core/reports/stats.js";
import { RecordIndex } from "../../store/index-cache.js";
import { fastLoad } from "../../store/lazy.js";
import { parseRecordRel } from "../../store/registry.js";
import { groupedTable, type Row, render } from "../../ui/render.js";
import { EXIT } from "../errors.js";
import { fieldDisplay, label, listingLabels, nameOf, namesOf, stepLabel } from "../present.js";
import type { Registrar } from "../program.js";
import { classificationLabel, reportBroken } from "./records.js";

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
    .action(
      run(
        async (
          ctx,
          opts: {
            asOf?: string;
            within?: string;
            kind?: string;
            unit?: string;
            holder?: string;
            check?: boolean;
          },
        ) => {
          if (opts.asOf !== undefined && !isIsoDate(opts.asOf))
            throw usageError("cli.bad-date", { option: "--as-of", value: opts.asOf });
          const within = opts.within === undefined ? 0 : Number(opts.within);
          if (!(Number.isInteger(within) && within >= 0))
            throw usageError("cli.bad-number", { option: "--within", value: String(opts.within) });
          if (opts.kind) ctx.reg.workflow(opts.kind);
          const office = ctx.office();
          if (opts.unit && !office.units.some((u) => u.id === opts.unit))
            throw usageError("cli.unknown-unit-option", { option: "--unit", unit: opts.unit });
          if (
            opts.holder &&
            !office.people.some((p) => p.id === opts.holder) &&
            !office.units.some((u) => u.id === opts.holder)
          )
            throw usageError("cli.unknown-person-option", { option: "--holder", person: opts.holder });
          const asOf = opts.asOf ?? ctx.today();
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
          const toRow = (x: (typeof rows)[number]): Row => {
            const cls = classificationLabel(ctx, x.classification);
            return {
              id: x.id,
              kind: names.kind(x.kind),
              title: cls ? `【${cls}】${x.title}` : x.title,
              step: names.step(x.kind, x.step),
              holders: names.holders(x.holders),
              due: x.due,
              days_overdue: x.days_overdue > 0 ? x.days_overdue : ctx.t("due.due-soon"),
            };
          };
          const cols = ["id", "kind", "title", "step", "holders", "due", "days_overdue"].map((k) => ({
            key: k,
            header: ctx.t(`col.${k}` as never),
          }));
          if (ctx.format === "table") {
            ctx.out(
              ctx.t("overdue.heading", { date: asOf, n: overdueCount, soon: rows.length - overdueCount }),
            );
            const groups = groupByHolder(rows);
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
              heading: `\n${holder ? nameOf(office, holder) : ctx.t("show.nobody-yet")} (${group.length})`,
              rows: group.map(rowOf),
            }));
            ctx.out(
              groupedTable(
                cols.filter((c) => c.key !== "holders"),
                tables,
                ctx.color,
              ),
            );
          } else {
            ctx.out(render(ctx.format, cols, rows.map(toRow), { color: ctx.color, data: rows }));
          }
          return opts.check && overdueCount > 0 ? EXIT.overdue : EXIT.ok;
        },
      ),
    );

  const report = program.command("report").description(d("help.report"));
  report
    .command("stats")
    .description(d("help.report-stats"))
    .option("--from <date>", d("help.opt-from-date"))
    .option("--to <date>", d("help.opt-to-date"))
    .option("--kind <kind>", d("help.opt-kind"))
    .option("--by <what>", d("help.opt-by"))
    .action(
      run(async (ctx, opts: { from?: string; to?: string; kind?: string; by?: string }) => {
        for (const [option, v] of [
          ["--from", opts.from],
          ["--to", opts.to],
        ] as const)
          if (v !== undefined && !isIsoDate(v)) throw usageError("cli.bad-date", { option, value: v });
        const by = (opts.by ?? "unit") as StatsBy;
        if (!["unit", "type", "kind"].includes(by))
          throw usageError("cli.bad-enum", { option: "--by", value: by, values: "unit, type, kind" });
        if (opts.kind) ctx.reg.workflow(opts.kind);
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
        const wfs = new Map(ctx.reg.workflows().map((w) => [w.kind, w]));
        const shown = rows.map((x) => {
          const wf = wfs.get(x.kind);
          return {
            kind: label(wf?.label, ctx.lang, x.kind),
            group:
              x.group === ""
                ? "—"
                : by === "unit"
                  ? nameOf(office, x.group)
                  : wf
                    ? fieldDisplay(ctx, wf, "type", x.group)
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
        ].map((k) => ({
          key: k,
          header: ctx.t(k === "group" ? (`col.by-${by}` as never) : (`col.${k}` as never)),
        }));
        ctx.out(render(ctx.format, cols, shown, { color: ctx.color, data: rows }));
        return 0;
      }),
    );
  report
    .command("register")
    .description(d("help.report-register"))
    .option("--kind <kind>", d("help.opt-kind"))
    .option("--year <year>", d("help.opt-year"))
    .option("--unmask", d("help.opt-unmask"))
    .action(
      run(async (ctx, opts: { kind?: string; year?: string; unmask?: boolean }) => {
        if (!opts.kind) throw usageError("cli.missing-options", { options: "--kind" });
        const wf = ctx.reg.workflow(opts.kind);
        const year = opts.year ?? ctx.today().slice(0, 4);
        if (!/^\d{4}$/.test(year)) throw usageError("cli.bad-number", { option: "--year", value: year });
        const office = ctx.office();
        const yearDir = `records/${wf.kind}/${year}`;
        const files = (existsSync(ctx.reg.path(yearDir)) ? readdirSync(ctx.reg.path(yearDir)) : [])
          .flatMap((bucket) => {
            const dir = ctx.reg.path(yearDir, bucket);
            return statSync(dir).isDirectory()
              ? readdirSync(dir)
                  .filter((f) => f.endsWith(".yaml"))
                  .map((f) => `${yearDir}/${bucket}/${f}`)
              : [];
          })
          .filter((rel) => parseRecordRel(rel))
          .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
        const records = files.map((rel) => {
          const text = ctx.reg.readText(rel) ?? "";
          try {
            return normalizeRecord(fastLoad(text) as Record<string, unknown>);
          } catch (e) {
            throw usageError("store.bad-yaml", {
              file: rel,
              line: (e as { mark?: { line: number } }).mark?.line ?? 1,
              message: (e as Error).message.split("\n")[0] ?? "",
            });
          }
        });
        const rows: Row[] = records.map((rec, i) => {
          const row: Row = { n: i + 1, id: rec.id, date: rec.created.slice(0, 10), title: rec.title };
          for (const f of wf.fields) {
            const v = rec.fields[f.id];
            const shown = f.private && !opts.unmask ? maskValue(f.type, v) : v;
            row[f.id] = shown === undefined ? "" : fieldDisplay(ctx, wf, f.id, shown);
          }
          row.step = stepLabel(wf, rec.step, ctx.lang);
          row.holders = namesOf(office, rec.holders, ctx.lang);
          row.archive = rec.archive?.number ?? "";
          return row;
        });
        const cols = [
          { key: "n", header: ctx.t("col.n") },
          { key: "id", header: ctx.t("col.id") },
          { key: "date", header: ctx.t("col.date") },
          { key: "title", header: ctx.t("col.title") },
          ...wf.fields.map((f) => ({ key: f.id, header: label(f.label, ctx.lang) })),
          { key: "step", header: ctx.t("col.step") },
          { key: "holders", header: ctx.t("col.holders") },
          { key: "archive", header: ctx.t("col.archive") },
        ];
        if (ctx.format === "table")
          ctx.out(
            `${ctx.t("register.heading", { kind: label(wf.label, ctx.lang), year, office: office.name })}`,
          );
        // Private fields stay masked in JSON too, unless --unmask.
        const data = records.map((rec) => {
          if (opts.unmask) return rec;
          const fields = { ...rec.fields };
          for (const f of wf.fields)
            if (f.private && fields[f.id] !== undefined) fields[f.id] = maskValue(f.type, fields[f.id]);
          return { ...rec, fields };
        });
        ctx.out(render(ctx.format, cols, rows, { color: ctx.color, data }));
        return 0;
      }),
    );
}
