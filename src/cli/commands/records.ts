import { Option } from "commander";
import { dueState, dueStateBy } from "../../core/deadline.js";
import type { HistoryEvent, ListedSummary, OfficeConfig, RecordDoc } from "../../core/model.js";
import { usageError } from "../../core/problems.js";
import { filterSummaries } from "../../core/reports/list.js";
import type { WorkflowDef } from "../../core/workflow.js";
import { logPath } from "../../store/git.js";
import { RecordIndex } from "../../store/index-cache.js";
import { type Row, render } from "../../ui/render.js";
import type { Ctx } from "../context.js";
import { fieldDisplay, label, listingLabels, nameOf, namesOf, recordJson, stepLabel } from "../present.js";
import type { Registrar } from "../program.js";
import { loadRecord } from "../service.js";

const time = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace("T", " ") : "");

/** The classification as listings show it: `机密` / `confidential`, empty when none. */
export function classificationLabel(ctx: Ctx, c: string | undefined): string {
  return c && c !== "none" ? ctx.t(`classification.${c}` as never) : "";
}

/** The handling slip (公文处理笺): every step with its opinions, signers and times. */
export function handlingSlip(ctx: Ctx, rec: RecordDoc, wf: WorkflowDef): string {
  const office = ctx.office();
  const L = (k: Parameters<Ctx["t"]>[0], p = {}) => ctx.t(k, p);
  const lines: string[] = [];
  const title = classificationLabel(ctx, rec.fields.classification as string)
    ? `【${classificationLabel(ctx, rec.fields.classification as string)}】${rec.title}`
    : rec.title;
  lines.push(`${rec.id}  ${label(wf.label, ctx.lang)}  ${title}`);
  lines.push("─".repeat(60));
  const st = rec.status === "open" ? L("status.open") : L("status.closed");
  const state = rec.due ? dueState(rec.due, ctx.today(), ctx.reg.calendar()) : "none";
  lines.push(
    `${L("show.status")}: ${st}` +
      (rec.step ? `   ${L("show.step")}: ${stepLabel(wf, rec.step, ctx.lang)}` : "") +
      (rec.step
        ? `   ${L("show.holders")}: ${rec.holders.length ? namesOf(office, rec.holders, ctx.lang) : L("show.nobody-yet")}`
        : "") +
      (rec.due
        ? `   ${L("show.due")}: ${rec.due}${state === "overdue" ? ` (${L("due.overdue")})` : ""}`
        : ""),
  );
  if (rec.deadline) lines.push(`${L("show.deadline")}: ${rec.deadline}`);
  lines.push(
    `${L("show.created")}: ${time(rec.created)}   ${L("show.registered-by")}: ${nameOf(office, rec.history[0]?.recorded_by ?? "")}`,
  );
  for (const def of wf.fields) {
    const v = rec.fields[def.id];
    if (v === undefined || v === null || v === "") continue;
    lines.push(`${label(def.label, ctx.lang)}: ${fieldDisplay(ctx, wf, def.id, v)}`);
  }
  if (rec.archive) lines.push(`${L("show.archive")}: ${rec.archive.number} (${rec.archive.retention})`);
  if (rec.merged_into) lines.push(L("show.merged-into", { id: rec.merged_into }));
  if (rec.withdrawn)
    lines.push(
      L("show.withdrawn", {
        at: time(rec.withdrawn.at),
        name: nameOf(office, rec.withdrawn.by),
        reason: rec.withdrawn.reason,
      }),
    );
  lines.push("", `${L("show.slip")}`);
  for (const step of wf.steps) {
    const evs = rec.history.filter(
      (e) => e.step === step.id && ["sign", "file", "skip", "route"].includes(e.action),
    );
    const current = rec.step === step.id;
    if (!evs.length && !current) continue;
    lines.push(`  ${stepLabel(wf, step.id, ctx.lang)}${current ? ` ◀ ${L("show.current")}` : ""}`);
    for (const e of evs) lines.push(`    ${eventText(ctx, e, office)}`);
    if (current && step.actor.all && rec.holders.length)
      lines.push(`    ${L("show.pending")}: ${namesOf(office, rec.holders, ctx.lang)}`);
  }
  lines.push("", L("show.history"));
  for (const e of rec.history) {
    const by =
      e.recorded_by !== e.actor ? ` (${L("show.recorded-by", { name: nameOf(office, e.recorded_by) })})` : "";
    const what = [e.opinion, e.note, e.reason].filter(Boolean).join(" · ");
    lines.push(
      `  ${time(e.at)}  ${actionLabel(ctx, e.action)}  ${nameOf(office, e.actor)}${by}${what ? `  ${what}` : ""}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function actionLabel(ctx: Ctx, action: string): string {
  const key = `action.${action}`;
  const s = ctx.t(key as never);
  return s === key ? action : s;
}

function eventText(ctx: Ctx, e: HistoryEvent, office: OfficeConfig): string {
  const who = nameOf(office, e.actor);
  const when = time(e.at);
  if (e.action === "route")
    return `${ctx.t("show.routed-to")}: ${namesOf(office, e.to ?? [], ctx.lang)} — ${who} ${when}`;
  if (e.action === "skip") return `${ctx.t("action.skip")}: ${e.reason ?? ""} — ${who} ${when}`;
  const ret = e.decision === "return" ? ` [${ctx.t("show.returned")}]` : "";
  const to = e.to?.length && e.decision !== "return" ? ` → ${namesOf(office, e.to, ctx.lang)}` : "";
  return `${e.opinion ? `${e.opinion} ` : ""}— ${who} ${when}${ret}${to}`;
}

/** Summaries as table rows, shared by list and the reports. */
export function summaryRows(ctx: Ctx, list: readonly ListedSummary[]): Row[] {
  const names = listingLabels(ctx.office(), ctx.reg.workflows(), ctx.lang);
  const today = ctx.today();
  const soon = ctx.reg.calendar().addWorkingDays(today, 1).date;
  const stateText = {
    overdue: ctx.t("due.overdue"),
    "due-today": ctx.t("due.due-today"),
    "due-soon": ctx.t("due.due-soon"),
    "on-time": ctx.t("due.on-time"),
    none: "",
  };
  return list.map((s) => {
    const cls = classificationLabel(ctx, s.classification);
    const state = s.status === "open" ? dueStateBy(s.due, today, soon) : "none";
    return {
      id: s.id,
      kind: names.kind(s.kind),
      title: cls ? `【${cls}】${s.title}` : s.title,
      step: names.step(s.kind, s.step),
      holders: names.holders(s.holders),
      due: s.due ?? "",
      state: stateText[state],
    };
  });
}

export function registerRecords(r: Registrar): void {
  const { program, d, run } = r;

  program
    .command("show")
    .description(d("help.show"))
    .argument("<id>", d("help.arg-id"))
    .action(
      run(async (ctx, idText: string) => {
        const { record, wf } = loadRecord(ctx, idText);
        if (ctx.json) ctx.out(JSON.stringify(recordJson(record, wf, ctx), null, 2));
        else ctx.out(handlingSlip(ctx, record, wf));
        return 0;
      }),
    );

  program
    .command("where")
    .description(d("help.where"))
    .argument("<id>", d("help.arg-id"))
    .action(
      run(async (ctx, idText: string) => {
        const { record, wf } = loadRecord(ctx, idText);
        const office = ctx.office();
        const signed = record.signatures.map((s) => ({ who: s.for ?? s.by, by: s.by, at: s.at }));
        const data = {
          id: record.id,
          status: record.status,
          step: record.step,
          holders: record.holders,
          signed,
          due: record.due,
        };
        if (ctx.json) ctx.out(JSON.stringify(data, null, 2));
        else if (record.status === "closed")
          ctx.out(ctx.t("where.closed", { id: record.id, archive: record.archive?.number ?? "—" }));
        else {
          ctx.out(
            ctx.t("where.at", {
              id: record.id,
              step: stepLabel(wf, record.step, ctx.lang),
              holders: namesOf(office, record.holders, ctx.lang) || ctx.t("show.nobody-yet"),
              due: record.due ?? "—",
            }),
          );
          for (const s of signed)
            ctx.out(
              `  ✓ ${nameOf(office, s.who)}${s.who !== s.by ? ` (${nameOf(office, s.by)})` : ""} ${time(s.at)}`,
            );
          for (const h of record.holders) ctx.out(`  … ${nameOf(office, h)}`);
        }
        return 0;
      }),
    );

  program
    .command("list")
    .description(d("help.list"))
    .option("--kind <kind>", d("help.opt-kind"))
    .option("--step <step>", d("help.opt-step"))
    .option("--holder <id>", d("help.opt-holder"))
    .option("--unit <unit>", d("help.opt-unit-filter"))
    .addOption(new Option("--status <status>", d("help.opt-status")).default("open"))
    .option("--limit <n>", d("help.opt-limit"))
    .action(
      run(
        async (
          ctx,
          opts: {
            kind?: string;
            step?: string;
            holder?: string;
            unit?: string;
            status: string;
            limit?: string;
          },
        ) => {
          if (!["open", "closed", "all"].includes(opts.status))
            throw usageError("cli.bad-enum", {
              option: "--status",
              value: opts.status,
              values: "open, closed, all",
            });
          if (opts.kind) ctx.reg.workflow(opts.kind);
          const limit = opts.limit === undefined ? undefined : Number(opts.limit);
          if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
            throw usageError("cli.bad-number", { option: "--limit", value: String(opts.limit) });
          const office = ctx.office();
          if (
            opts.holder &&
            !office.people.some((p) => p.id === opts.holder) &&
            !office.units.some((u) => u.id === opts.holder)
          )
            throw usageError("cli.unknown-person-option", { option: "--holder", person: opts.holder });
          const index = await RecordIndex.load(ctx.reg);
          reportBroken(ctx, index);
          for (const file of index.uncommittedEdits()) ctx.warn("list.uncommitted-file", { file });
          const filter = {
            status: opts.status as "open" | "closed" | "all",
            ...(opts.kind ? { kind: opts.kind } : {}),
            ...(opts.step ? { step: opts.step } : {}),
            ...(opts.holder ? { holder: opts.holder } : {}),
            ...(opts.unit ? { unit: opts.unit } : {}),
          };
          const pick = <S extends ListedSummary>(source: S[]) => {
            const all = filterSummaries(source, office, filter);
            return { rows: limit === undefined ? all : all.slice(0, limit), total: all.length };
          };
          const cols = ["id", "kind", "title", "step", "holders", "due", "state"].map((k) => ({
            key: k,
            header: ctx.t(`col.${k}` as never),
          }));
          const open = opts.status === "open";
          // JSON prints whole summaries; the tables need only their listed part, which the index
          // reads without the rest.
          const { rows, total } =
            ctx.format === "json"
              ? pick(open ? [...index.open.values()] : index.all())
              : pick(open ? index.openListed() : index.all());
          const display = ctx.format === "json" ? [] : summaryRows(ctx, rows);
          ctx.out(render(ctx.format, cols, display, { color: ctx.color, data: rows }));
          if (!ctx.json && ctx.format === "table")
            ctx.say(ctx.t("list.count", { shown: rows.length, total }));
          return 0;
        },
      ),
    );

  program
    .command("log")
    .description(d("help.log"))
    .argument("<id>", d("help.arg-id"))
    .action(
      run(async (ctx, idText: string) => {
        const { record, rel } = loadRecord(ctx, idText);
        const office = ctx.office();
        // A day of slack for clocks that disagree between clerks' machines.
        const since = new Date(Date.parse(record.created) - 86_400_000).toISOString();
        const entries = await logPath(ctx.reg.dir, rel, since);
        let i = 0;
        const data = entries.map((e) => {
          const action = e.trailers["Office-Doc-Action"];
          const ev = action ? record.history[i++] : undefined;
          return {
            commit: e.commit.slice(0, 10),
            when: e.authorDate,
            action: action ?? "(git)",
            actor: e.trailers["Office-Doc-Actor"] ?? e.authorName,
            recorded_by: e.trailers["Office-Doc-Recorded-By"] ?? e.committerName,
            step: ev?.step ?? "",
            opinion: [ev?.opinion, ev?.note, ev?.reason].filter(Boolean).join(" · "),
          };
        });
        const rows = data.map((x) => ({
          ...x,
          when: time(x.when),
          action: actionLabel(ctx, x.action),
          actor: nameOf(office, x.actor),
          recorded_by: nameOf(office, x.recorded_by),
        }));
        const cols = ["when", "action", "actor", "recorded_by", "opinion", "commit"].map((k) => ({
          key: k,
          header: ctx.t(`col.${k}` as never),
        }));
        ctx.out(render(ctx.format, cols, rows, { color: ctx.color, data }));
        return 0;
      }),
    );
}

/** Records whose files could not be read are named on every listing, never skipped silently. */
export function reportBroken(ctx: Ctx, index: RecordIndex): void {
  for (const [file, message] of Object.entries(index.broken)) ctx.warn("list.broken-file", { file, message });
}
