import { formatInstant, officeDate, yearOf } from "../core/dates.js";
import { type ActionContext, type ActionResult, createRecord } from "../core/engine.js";
import { formatId } from "../core/ids.js";
import type { RecordDoc } from "../core/model.js";
import { OfficeError } from "../core/problems.js";
import { orderedRecord, summarize, validateFields, validateRecord } from "../core/record.js";
import type { WorkflowDef } from "../core/workflow.js";
import { indexAllocator } from "../store/allocate.js";
import { recordRel } from "../store/registry.js";
import { type Transaction, transact } from "../store/transact.js";
import { toYaml } from "../store/yaml-io.js";
import { type Ctx, identityOf } from "./context.js";

/** The action context for the engine, with the people decided by the CLI context. */
export async function actionContext(ctx: Ctx, wf: WorkflowDef): Promise<ActionContext> {
  const { actor, recorder } = await ctx.actors();
  return { office: ctx.office(), wf, calendar: ctx.reg.calendar(), now: ctx.now(), actor, recorder };
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
  await tx.commit({
    action: res.event.action,
    record: res.record.id,
    subject: `${res.event.action} ${res.record.id}: ${res.record.title}`,
    author: identityOf(ac.actor),
    committer: identityOf(ac.recorder),
    actorId: ac.actor.id,
    recorderId: ac.recorder.id,
    authorDate: res.event.at,
    committerDate: formatInstant(ac.now, ac.office.timezone),
  });
}

function warnUncovered(ctx: Ctx, years: number[]): void {
  if (years.length) ctx.warn("deadline.uncovered-years", { years: years.join(", ") });
}

/**
 * Register a new record of `wf`'s kind: the next id of its prefix and year (the year of `atMs` in
 * office time), allocated under the lock against every committed record.
 */
export async function createAction(
  ctx: Ctx,
  wf: WorkflowDef,
  title: string,
  fields: Record<string, unknown>,
  atMs: number,
): Promise<ActionResult> {
  const ac = await actionContext(ctx, wf);
  const fieldProblems = validateFields(fields, wf, ac.office).filter((p) => !p.warning);
  if (fieldProblems.length) {
    const p = fieldProblems[0];
    throw new OfficeError("usage", p?.code ?? "field.required", p?.params ?? {});
  }
  const year = yearOf(officeDate(atMs, ac.office.timezone));
  const res = await transact(ctx.reg, wf.create_action, async (tx) => {
    const seq = indexAllocator(ctx.reg, tx.index).recordSeq(wf.kind, wf.prefix, year);
    const id = formatId({ prefix: wf.prefix, year, seq });
    const r = createRecord(ac, id, title, fields, atMs);
    await writeRecord(tx, ac, r, recordRel(wf.kind, id));
    return r;
  });
  warnUncovered(ctx, res.uncoveredYears);
  return res;
}

/** Read a record by what the clerk typed (full or short id). */
export function loadRecord(ctx: Ctx, idText: string): { record: RecordDoc; wf: WorkflowDef; rel: string } {
  const { id, kind, rel } = ctx.reg.resolveId(idText, yearOf(ctx.today()));
  const wf = ctx.reg.workflow(kind);
  const { record } = ctx.reg.readRecord(rel, id, kind);
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
    const { record } = ctx.reg.readRecord(rel, id, kind);
    const r = await act(record, ac, tx);
    await writeRecord(tx, ac, r, rel);
    return r;
  });
  warnUncovered(ctx, res.uncoveredYears);
  return res;
}
