import { holidayName } from "../core/calendar.js";
import { formatInstant, officeDate, yearOf } from "../core/dates.js";
import { type ActionContext, type ActionResult, createRecord, revise, route, sign } from "../core/engine.js";
import type { Peers } from "../core/hooks.js";
import type { HistoryEvent, RecordDoc, RecordSummary } from "../core/model.js";
import { docNumberSeries, formatDocNumber } from "../core/numbering.js";
import { OfficeError, refused, usageError } from "../core/problems.js";
import { orderedRecord, summarize, textProblem, validateFields, validateRecord } from "../core/record.js";
import { findStep, type WorkflowDef } from "../core/workflow.js";
import type { Allocator } from "../store/allocate.js";
import type { RecordIndex } from "../store/index-cache.js";
import { recordRel } from "../store/registry.js";
import { type CommitInfo, type Transaction, transact } from "../store/transact.js";
import { toYaml } from "../store/yaml-io.js";
import { committedReader } from "./committed.js";
import { type Ctx, identityOf } from "./context.js";
import { freeText, listOption } from "./fields.js";
import { confirmAtTerminal, requireValues } from "./prompts.js";

/**
 * The write service every command that changes records goes through: an action context for the
 * engine, a record read fresh under the lock, the engine's answer written and committed as one
 * action, or nothing at all when anything refuses.
 */

/** The other records, as guards see them: the index's summaries. */
export function peersOf(index: RecordIndex): Peers {
  return { open: () => [...index.open.values()], all: () => index.all() };
}

/**
 * The guards of a creation (a document already registered, a room already booked) see the records
 * the index could read: name those it could not, which they cannot look at. A warning, not a
 * refusal: one broken file must not stop every registration, and `check` fails until it is fixed.
 */
export function warnUnreadPeers(ctx: Ctx, wf: WorkflowDef, index: RecordIndex): void {
  if (wf.checks?.length)
    for (const [file, message] of Object.entries(index.broken))
      ctx.warn("create.checks-unread", { file, message });
}

/** Numbers (ids, document numbers, archive items) for a write: see allocate.ts. */
export function allocator(_ctx: Ctx, tx: Transaction): Allocator {
  return tx.allocator();
}

/** The action context for the engine, with the people decided by the CLI context. */
export async function actionContext(ctx: Ctx, wf: WorkflowDef): Promise<ActionContext> {
  const { actor, recorder } = await ctx.actors();
  return {
    office: ctx.office(),
    wf,
    calendar: ctx.reg.calendar(),
    now: ctx.now(),
    actor,
    recorder,
    hooks: ctx.reg.hooks,
  };
}

/** Write a record without committing (part of a commit that changes several records). */
export function putRecord(
  tx: Transaction,
  ac: ActionContext,
  rec: RecordDoc,
  rel = recordRel(rec.kind, rec.id),
): void {
  const ordered = orderedRecord(rec, ac.wf);
  const problems = validateRecord(ordered, ac.wf, ac.office, rec.id).filter((p) => !p.warning);
  if (problems.length)
    throw new OfficeError("usage", "record.invalid-after-action", { id: rec.id }, problems);
  tx.put(rel, toYaml(ordered));
  tx.summary(summarize(rec, ac.wf));
}

/** Write a record and commit it as the event's action, with the event's people. */
async function writeRecord(
  tx: Transaction,
  ac: ActionContext,
  res: ActionResult,
  rel: string,
): Promise<void> {
  putRecord(tx, ac, res.record, rel);
  await tx.commit(
    actionCommit(ac, res.event, res.record.id, `${res.event.action} ${res.record.id}: ${res.record.title}`),
  );
}

/**
 * The commit of an action: the event's action, the record(s) it names (`IN-2026-0001`, or several
 * joined by ", "), the actor as author at the event's time, the operator as committer now.
 */
export function actionCommit(
  ac: ActionContext,
  event: HistoryEvent,
  record: string,
  subject: string,
): CommitInfo {
  return {
    action: event.action,
    record,
    subject,
    author: identityOf(ac.actor),
    committer: identityOf(ac.recorder),
    actorId: ac.actor.id,
    recorderId: ac.recorder.id,
    authorDate: event.at,
    committerDate: formatInstant(ac.now, ac.office.timezone),
  };
}

/**
 * The commit of a setup change (person add, calendar set, upgrade...) by `who` (Ctx.setupActor): its
 * identity as author and committer, now; the administrator's id in Office-Doc-Actor and
 * Office-Doc-Recorded-By when a known person made it, so that `verify` can hold it to office.yaml's
 * `admin_roles` (issue 18).
 */
export function setupCommit(
  ctx: Ctx,
  who: Awaited<ReturnType<Ctx["setupActor"]>>,
  action: string,
  subject: string,
  extra: Partial<CommitInfo> = {},
): CommitInfo {
  const when = ctx.stamp();
  return {
    action,
    subject,
    author: who.identity,
    committer: who.identity,
    ...(who.person ? { actorId: who.person.id, recorderId: who.person.id } : {}),
    authorDate: when,
    committerDate: when,
    ...extra,
  };
}

/** After a write: the years a deadline fell outside the calendar, and what the guards warned of. */
function warnAfter(ctx: Ctx, res: ActionResult): void {
  if (res.uncoveredYears.length)
    ctx.warn("deadline.uncovered-years", { years: res.uncoveredYears.join(", ") });
  for (const n of res.notices ?? []) {
    const h = n.params.holiday;
    // A holiday's name in the clerk's language (the calendar files hold both).
    const params =
      typeof h === "string" ? { ...n.params, name: h ? ` (${holidayName(h, ctx.lang)})` : "" } : n.params;
    ctx.warn(n.code, params);
  }
}

/** The open record of `wf`'s kind with the same upsert key as `fields`, or a closed one. */
function sameKey(
  index: RecordIndex,
  wf: WorkflowDef,
  fields: Record<string, unknown>,
): { open?: RecordSummary; closed?: RecordSummary } {
  const key = wf.upsert_key ?? [];
  if (!key.length || key.some((f) => fields[f] === undefined)) return {};
  const matches = (s: RecordSummary) =>
    s.kind === wf.kind && key.every((f) => s.extra?.[f] === String(fields[f]));
  const open = [...index.open.values()].find(matches);
  if (open) return { open };
  // A closed record of the same key is refused: looking for it reads the closed summaries.
  return { closed: index.all().find((s) => s.status === "closed" && matches(s)) };
}

/**
 * Register a new record of `wf`'s kind: the next id of its prefix and year (the year of `atMs` in
 * office time), allocated under the lock. The workflow's guards run first; with an `upsert_key`,
 * an open record of the same key is revised instead, `reason` saying why (a closed one is refused).
 */
export async function createAction(
  ctx: Ctx,
  wf: WorkflowDef,
  title: string,
  fields: Record<string, unknown>,
  atMs: number,
  reason?: string,
  confirmed = false,
): Promise<ActionResult> {
  const ac = await actionContext(ctx, wf);
  const checked = validateFields(fields, wf, ac.office);
  // A document number typed with the wrong brackets is kept as typed, and named at once.
  for (const p of checked) if (p.warning && p.code !== "field.unknown") ctx.warn(p.code, p.params);
  const fieldProblems = checked.filter((p) => !p.warning);
  if (fieldProblems.length) {
    const p = fieldProblems[0];
    throw new OfficeError("usage", p?.code ?? "field.required", p?.params ?? {});
  }
  const year = yearOf(officeDate(atMs, ac.office.timezone));
  // A guard's question (a document already registered, hooks.ts Notice `confirm`) stops the write
  // before anything is written; the clerk is asked after the lock is released (no lock waits on a
  // person) and the creation runs again, its guards on the records as they are then. Without a
  // terminal it is refused (exit 1) unless --duplicate-ok.
  const unconfirmed = (r: ActionResult) => {
    const asks = confirmed ? [] : (r.notices ?? []).filter((n) => n.confirm);
    if (asks.length)
      throw new OfficeError(
        "refused",
        "cli.needs-duplicate-ok",
        { option: "--duplicate-ok" },
        asks.map((n) => ({ path: [], ...n })),
      );
  };
  const res = await transact(ctx.reg, wf.create_action, async (tx) => {
    const acx = { ...ac, peers: peersOf(tx.index) };
    warnUnreadPeers(ctx, wf, tx.index);
    const same = sameKey(tx.index, wf, fields);
    if (same.closed) throw refused("engine.upsert-closed", { id: same.closed.id });
    if (same.open) {
      const { id } = same.open;
      const rel = recordRel(wf.kind, id);
      const { record } = ctx.reg.readRecord(rel, id, wf.kind);
      const r = revise(record, acx, title, fields, atMs, reason);
      unconfirmed(r);
      await writeRecord(tx, acx, r, rel);
      return r;
    }
    const id = await allocator(ctx, tx).recordId(wf.kind, wf.prefix, year);
    const r = createRecord(acx, id, title, fields, atMs);
    unconfirmed(r);
    if (reason?.trim()) r.event.reason = reason.trim();
    await writeRecord(tx, acx, r, recordRel(wf.kind, id));
    return r;
  }).catch(async (e: unknown) => {
    if (!(e instanceof OfficeError) || e.code !== "cli.needs-duplicate-ok" || !ctx.interactive) throw e;
    for (const p of e.problems) ctx.warn(p.code, p.params);
    if (!(await confirmAtTerminal(ctx.t("cli.confirm-duplicate")))) throw refused("cli.cancelled");
    return undefined;
  });
  if (!res) return createAction(ctx, wf, title, fields, atMs, reason, true);
  warnAfter(ctx, res);
  return res;
}

/** Read a record by what the clerk typed (full or short id). */
export function loadRecord(ctx: Ctx, idText: string): { record: RecordDoc; wf: WorkflowDef; rel: string } {
  const { id, kind, rel } = ctx.reg.resolveId(idText, yearOf(ctx.today()));
  const wf = ctx.reg.workflow(kind);
  const text = committedReader(ctx, [rel], "show.uncommitted-file").readText(rel);
  const { record } = ctx.reg.readRecord(rel, id, kind, text);
  return { record, wf, rel };
}

/**
 * Apply a workflow action to one record under the lock: read it fresh, let the engine decide,
 * write and commit, or change nothing when the engine refuses.
 */
export async function recordAction(
  ctx: Ctx,
  idText: string,
  command: string,
  act: (rec: RecordDoc, ac: ActionContext, tx: Transaction) => ActionResult | Promise<ActionResult>,
): Promise<ActionResult> {
  const { id, kind, rel } = ctx.reg.resolveId(idText, yearOf(ctx.today()));
  const wf = ctx.reg.workflow(kind);
  const ac = await actionContext(ctx, wf);
  const res = await transact(ctx.reg, command, async (tx) => {
    const acx = { ...ac, peers: peersOf(tx.index) };
    const { record } = ctx.reg.readRecord(rel, id, kind);
    const r = await act(record, acx, tx);
    await writeRecord(tx, acx, r, rel);
    return r;
  });
  warnAfter(ctx, res);
  return res;
}

/** The options every step command and `sign` take. */
export interface StepOptions {
  opinion?: string;
  decision?: string;
  to?: string;
  note?: string;
}

function decisionOf(v: string | undefined): "approve" | "return" | undefined {
  if (v === undefined) return undefined;
  if (v !== "approve" && v !== "return")
    throw usageError("cli.bad-enum", { option: "--decision", value: v, values: "approve, return" });
  return v;
}

/**
 * `sign`, and the step commands built on it (`instruct IN-42 --opinion … --to urban`): with `--to` on
 * a step whose holders are routed, name them; otherwise sign, and `--to` names the next step's
 * holders. `set`: fields the signature sets (a step's `sets`). A `numbers` step takes the next
 * document number of its series. Returns the engine's result (the caller prints it).
 */
export async function signOrRoute(
  ctx: Ctx,
  idText: string,
  command: string,
  opts: StepOptions,
  expectStep?: string,
  set?: Record<string, unknown>,
): Promise<ActionResult> {
  const decision = decisionOf(opts.decision);
  let opinion = freeText("--opinion", opts.opinion) || undefined;
  // A return sends the work back: those who get it must read why (asked at a terminal).
  if (decision === "return" && !opinion) {
    if (!ctx.interactive) throw usageError("cli.return-needs-opinion", { option: "--opinion" });
    const answers = await requireValues(ctx, [
      { flag: "--opinion", label: ctx.t("prompt.return-reasons"), check: (t) => textProblem(t, true) },
    ]);
    opinion = answers.get("--opinion")?.trim();
  }
  const note = freeText("--note", opts.note) || undefined;
  const to = listOption(opts.to);
  return recordAction(ctx, idText, command, async (rec, ac, tx) => {
    const step = findStep(ac.wf, rec.step);
    if (expectStep && rec.status === "open" && rec.step !== expectStep)
      throw refused("engine.wrong-step", { id: rec.id, step: rec.step ?? "", expected: expectStep });
    if (to.length && step?.actor.routed && rec.routed.length === 0 && !opinion && !decision)
      return route(rec, ac, to, note);
    const values = { ...(set ?? {}) };
    const numbers = step?.numbers;
    if (numbers && decision !== "return" && rec.fields[numbers.field] === undefined) {
      // Allocated under the lock against every committed number: gapless, never reused.
      const category = numbers.prefix ?? String((numbers.prefix_by && rec.fields[numbers.prefix_by]) ?? "");
      const prefix = ac.office.prefixes[category];
      if (!prefix) throw refused("number.no-prefix", { category });
      const year = Number(officeDate(ac.now, ac.office.timezone).slice(0, 4));
      values[numbers.field] = formatDocNumber(
        prefix,
        year,
        await allocator(ctx, tx).docNumber(rec.kind, docNumberSeries(prefix, year)),
      );
    }
    return sign(rec, ac, {
      ...(opinion ? { opinion } : {}),
      ...(decision ? { decision } : {}),
      ...(to.length ? { to } : {}),
      ...(expectStep ? { expectStep } : {}),
      ...(Object.keys(values).length ? { set: values } : {}),
    });
  });
}
