import { Option } from "commander";
import { yearOf } from "../../core/dates.js";
import { dueState, dueStateBy } from "../../core/deadline.js";
import type { HistoryEvent, ListedSummary, OfficeConfig, RecordDoc } from "../../core/model.js";
import { OfficeError, type Problem, usageError } from "../../core/problems.js";
import { classificationOf } from "../../core/record.js";
import { filterSummaries } from "../../core/reports/list.js";
import type { WorkflowDef } from "../../core/workflow.js";
import { RECORD_ACTIONS, recordActionOf } from "../../store/git.js";
import { RecordIndex } from "../../store/index-cache.js";
import { recordLog } from "../../store/log-index.js";
import { problemsOf } from "../../store/registry.js";
import { type Lang, t } from "../../ui/i18n/index.js";
import type { Row } from "../../ui/render.js";
import { committedReader } from "../committed.js";
import type { Ctx } from "../context.js";
import { problemLine } from "../errors.js";
import { checkHolderOption, checkStepOption, checkUnitOption, kindOption } from "../filters.js";
import {
  changesText,
  classificationWord,
  detailText,
  dueCell,
  fieldDisplay,
  kindDetails,
  label,
  listingLabels,
  nameOf,
  namesOf,
  recordJson,
  stepLabel,
  warnProvisionalDues,
  withCalendarWarning,
} from "../present.js";
import type { Registrar } from "../registrar.js";
import { loadRecord } from "../service.js";
import { checkWorkbookTarget, listingColumns, printRows } from "../table-output.js";

const time = (iso: string | undefined) => (iso ? iso.slice(0, 16).replace("T", " ") : "");

/** The handling slip (公文处理笺): every step with its opinions, signers and times. */
export function handlingSlip(ctx: Ctx, rec: RecordDoc, wf: WorkflowDef): string {
  const office = ctx.office();
  const L = (k: Parameters<Ctx["t"]>[0], p = {}) => ctx.t(k, p);
  const lines: string[] = [];
  const cls = classificationWord(wf, classificationOf(rec.fields, wf), ctx.lang);
  const title = cls ? `【${cls}】${rec.title}` : rec.title;
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
        ? `   ${L("show.due")}: ${dueCell(ctx, rec.due)}${state === "overdue" ? ` (${L("due.overdue")})` : ""}`
        : ""),
  );
  if (rec.deadline) lines.push(`${L("show.deadline")}: ${dueCell(ctx, rec.deadline)}`);
  lines.push(
    `${L("show.created")}: ${time(rec.created)}   ${L("show.registered-by")}: ${nameOf(office, rec.history[0]?.recorded_by ?? "")}`,
  );
  for (const def of wf.fields) {
    const v = rec.fields[def.id];
    if (v === undefined || v === null || v === "") continue;
    lines.push(`${label(def.label, ctx.lang)}: ${fieldDisplay(ctx, wf, def.id, v)}`);
  }
  for (const d of kindDetails(ctx, rec, wf)) lines.push(`${label(d.label, ctx.lang)}: ${detailText(ctx, d)}`);
  if (rec.archive) {
    const key = `retention.${rec.archive.retention}` as const;
    const retention = ctx.t(key as never) === key ? rec.archive.retention : ctx.t(key as never);
    lines.push(`${L("show.archive")}: ${rec.archive.number} (${retention})`);
  }
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
  for (const e of rec.history) lines.push(`  ${historyLine(ctx, wf, e)}`);
  return `${lines.join("\n")}\n`;
}

/** One event of a record's history as `show` prints it: when, what, who (and who recorded it), what was said. */
export function historyLine(ctx: Ctx, wf: WorkflowDef, e: HistoryEvent): string {
  const office = ctx.office();
  const by =
    e.recorded_by !== e.actor
      ? ` (${ctx.t("show.recorded-by", { name: nameOf(office, e.recorded_by) })})`
      : "";
  const what = [e.opinion, e.note, e.reason, changesText(ctx, wf, e)].filter(Boolean).join(" · ");
  return `${time(e.at)}  ${actionLabel(ctx, e.action, wf, e.step)}  ${nameOf(office, e.actor)}${by}${what ? `  ${what}` : ""}`;
}

/**
 * How people read an action of the history: the create action in the workflow's words, a revision
 * in the words of the step it was made at (重报, re-report).
 */
export function actionLabel(ctx: Ctx, action: string, wf?: WorkflowDef, step?: string): string {
  if (wf && action === wf.create_action) return wf.create_label?.[ctx.lang] ?? ctx.t("action.create");
  const revision = action === "revise" && step ? wf?.steps.find((s) => s.id === step)?.revision : undefined;
  if (revision?.label) return revision.label[ctx.lang];
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
    const cls = names.classification(s.kind, s.classification);
    const state = s.status === "open" ? dueStateBy(s.due, today, soon) : "none";
    return {
      id: s.id,
      kind: names.kind(s.kind),
      title: cls ? `【${cls}】${s.title}` : s.title,
      step: names.step(s.kind, s.step),
      holders: names.holders(s.holders),
      due: dueCell(ctx, s.due),
      state: stateText[state],
    };
  });
}

export function registerRecords(r: Registrar): void {
  const { program, d, run } = r;

  program.command("show").description(d("help.show")).argument("<id>", d("help.arg-id")).action(run(runShow));

  program
    .command("where")
    .description(d("help.where"))
    .argument("<id>", d("help.arg-id"))
    .action(run(runWhere));

  program
    .command("list")
    .description(d("help.list"))
    .option("--kind <kind>", d("help.opt-kind"))
    .option("--step <step>", d("help.opt-step"))
    .option("--holder <id>", d("help.opt-holder"))
    .option("--unit <unit>", d("help.opt-unit-filter"))
    .addOption(new Option("--status <status>", d("help.opt-status")).default("open"))
    .option("--limit <n>", d("help.opt-limit"))
    .option("--out <file>", d("help.opt-out"))
    .action(run(runList));

  program.command("log").description(d("help.log")).argument("<id>", d("help.arg-id")).action(run(runLog));
}

/**
 * Records whose files could not be read, or hold values office-doc cannot act on, are named on
 * every listing, never skipped silently (the latter are listed as they are; `check` names the line);
 * so are those with uncommitted changes (listed as last committed).
 */
export function reportBroken(
  ctx: Ctx,
  index: RecordIndex,
  opts: { register?: string; readsFiles?: boolean } = {},
): void {
  for (const [file, what] of Object.entries(index.invalid))
    if (!opts.register || file.startsWith(opts.register)) ctx.warn("list.invalid-record", { file, what });
  // A register (of the files below `register`) reads the files themselves: it fails on a broken
  // one and names those with uncommitted changes.
  if (opts.register) return;
  for (const { kind, error } of ctx.reg.brokenWorkflows())
    ctx.warn("list.broken-workflow", { kind, problem: brokenWorkflowText(ctx.lang, error) });
  for (const [file, message] of Object.entries(index.broken)) ctx.warn("list.broken-file", { file, message });
  // A command that reads the files whole names their uncommitted changes itself (committed.ts).
  if (!opts.readsFiles)
    for (const file of index.uncommittedEdits()) ctx.warn("list.uncommitted-file", { file });
}

/** What is wrong with a workflow file, with its file and line (its first problem). */
export function brokenWorkflowText(lang: Lang, e: OfficeError): string {
  const first = problemsOf(e)[0];
  return first ? problemLine(lang, first) : t(lang, e.code, e.params);
}

/** `office-doc show`. */
export async function runShow(ctx: Ctx, idText: string): Promise<number> {
  const { record, wf } = loadRecord(ctx, idText);
  if (ctx.json) ctx.out(JSON.stringify(recordJson(record, wf, ctx), null, 2));
  else ctx.out(handlingSlip(ctx, record, wf));
  if (record.status === "open") warnProvisionalDues(ctx, [record.due, record.deadline]);
  return 0;
}

/** `office-doc where`. */
export async function runWhere(ctx: Ctx, idText: string): Promise<number> {
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
        due: dueCell(ctx, record.due) || "—",
      }),
    );
    for (const s of signed)
      ctx.out(
        `  ✓ ${nameOf(office, s.who)}${s.who !== s.by ? ` (${nameOf(office, s.by)})` : ""} ${time(s.at)}`,
      );
    for (const h of record.holders) ctx.out(`  … ${nameOf(office, h)}`);
  }
  return 0;
}

/** `office-doc list`. */
export async function runList(
  ctx: Ctx,
  opts: {
    kind?: string;
    step?: string;
    holder?: string;
    unit?: string;
    status: string;
    limit?: string;
    out?: string;
  },
): Promise<number> {
  checkWorkbookTarget(ctx, opts.out);
  if (!["open", "closed", "all"].includes(opts.status))
    throw usageError("cli.bad-enum", {
      option: "--status",
      value: opts.status,
      values: "open, closed, all",
    });
  if (opts.kind) kindOption(ctx, opts.kind);
  if (opts.step) checkStepOption(ctx, opts.step, opts.kind);
  if (opts.unit) checkUnitOption(ctx, opts.unit);
  if (opts.holder) checkHolderOption(ctx, opts.holder);
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw usageError("cli.bad-number", { option: "--limit", value: String(opts.limit) });
  const office = ctx.office();
  const index = await RecordIndex.load(ctx.reg);
  reportBroken(ctx, index);
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
  const cols = listingColumns(ctx, ["id", "kind", "title", "step", "holders", "due", "state"]);
  const open = opts.status === "open";
  // JSON prints whole summaries; the tables need only their listed part, which the index
  // reads without the rest.
  const { rows, total } =
    ctx.format === "json"
      ? pick(open ? [...index.open.values()] : index.all())
      : pick(open ? index.openListed() : index.all());
  const display = ctx.format === "json" ? [] : summaryRows(ctx, rows);
  // JSON rows due in a year without the notice say so (calendar_warning), like show --json.
  const data = ctx.format !== "json" ? rows : rows.map((x) => withCalendarWarning(ctx, x));
  await printRows(ctx, cols, display, { data, out: opts.out });
  if (!ctx.json && ctx.format === "table") ctx.say(ctx.t("list.count", { shown: rows.length, total }));
  warnProvisionalDues(
    ctx,
    rows.map((x) => (x.status === "open" ? x.due : null)),
  );
  return 0;
}

/**
 * The record `log` shows the history of. A file broken by hand (not YAML, or invalid values) is
 * named with its line in a warning and its commits are still listed, without the steps and opinions
 * its history would add: the commits are what tells who broke it. A missing file is refused.
 */
function recordForLog(
  ctx: Ctx,
  idText: string,
): { id: string; record: RecordDoc | undefined; rel: string; wf: WorkflowDef } {
  const { id, kind, rel } = ctx.reg.resolveId(idText, yearOf(ctx.today()));
  const wf = ctx.reg.workflow(kind);
  const text = committedReader(ctx, [rel], "show.uncommitted-file").readText(rel);
  try {
    return { id, record: ctx.reg.readRecord(rel, id, kind, text).record, rel, wf };
  } catch (e) {
    if (!(e instanceof OfficeError) || (e.code !== "store.bad-yaml" && e.code !== "store.invalid-file"))
      throw e;
    const first = e.problems[0] as (Problem & { line?: number }) | undefined;
    ctx.warn("log.unreadable-record", {
      file: rel,
      line: first?.line ?? e.params.line ?? 1,
      message: first ? ctx.t(first.code, first.params) : String(e.params.message ?? ""),
    });
    return { id, record: undefined, rel, wf };
  }
}

/** `office-doc log`. */
export async function runLog(ctx: Ctx, idText: string): Promise<number> {
  const { id, record, rel, wf } = recordForLog(ctx, idText);
  const office = ctx.office();
  // A first `log` after a clone lists every commit's files once: tell a clerk at a terminal.
  const entries = await recordLog(ctx.reg.dir, rel, (done, total) => {
    if (ctx.io.isTerminal(2))
      ctx.io.write(2, `\r${ctx.t("log.index-building", { done, total })}${done === total ? "\n" : ""}`);
  });
  let i = 0;
  const data = entries.map((e) => {
    const action = recordActionOf(e.trailers["Office-Doc-Action"], e.trailers[RECORD_ACTIONS], id);
    const ev = action ? record?.history[i++] : undefined;
    return {
      commit: e.commit.slice(0, 10),
      when: e.authorDate,
      action: action ?? "(git)",
      actor: e.trailers["Office-Doc-Actor"] ?? e.authorName,
      recorded_by: e.trailers["Office-Doc-Recorded-By"] ?? e.committerName,
      step: ev?.step ?? "",
      opinion: [ev?.opinion, ev?.note, ev?.reason, ev ? changesText(ctx, wf, ev) : ""]
        .filter(Boolean)
        .join(" · "),
    };
  });
  const rows = data.map((x) => ({
    ...x,
    when: time(x.when),
    action: actionLabel(ctx, x.action, wf, x.step),
    actor: nameOf(office, x.actor),
    recorded_by: nameOf(office, x.recorded_by),
  }));
  const cols = ["when", "action", "actor", "recorded_by", "opinion", "commit"].map((k) => ({
    key: k,
    header: ctx.t(`col.${k}` as never),
    ...(k === "opinion"
      ? { shrink: 16 }
      : k === "commit"
        ? { priority: 3 }
        : k === "recorded_by"
          ? { priority: 2 }
          : {}),
  }));
  await printRows(ctx, cols, rows, { data });
  return 0;
}
