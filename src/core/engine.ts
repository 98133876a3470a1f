import type { Calendar } from "./calendar.js";
import { formatInstant, type IsoDate, officeDate } from "./dates.js";
import { conditionHolds, type LimitContext, provisionalYears, recordDeadline, stepDue } from "./deadline.js";
import type { CoreHooks, GuardInput, Peers } from "./hooks.js";
import type { HistoryEvent, OfficeConfig, Person, RecordDoc, Retention, Signature } from "./model.js";
import { type Problem, refused, usageError } from "./problems.js";
import { assertAdmin, assertMayRecordFor } from "./trust.js";
import { fieldByRole, findStep, type StepDef, type WorkflowDef } from "./workflow.js";

/**
 * The workflow engine: every action takes a record and returns the next record and the one history
 * event that says what happened. Pure: time, people and the calendar are passed in.
 */

export interface ActionContext {
  office: OfficeConfig;
  wf: WorkflowDef;
  calendar: Calendar;
  /** Epoch ms of the action. */
  now: number;
  /** The person who acts (author of the commit). */
  actor: Person;
  /** The person typing (committer); the actor unless `--as` was given. */
  recorder: Person;
  /** The hooks the workflow's `checks` name (none: a workflow with checks cannot act). */
  hooks?: CoreHooks;
  /** The other records, for guards. */
  peers?: Peers;
}

export interface ActionResult {
  record: RecordDoc;
  event: HistoryEvent;
  /**
   * Years without published calendar data that a deadline of the result was counted through or falls
   * in: the provisional statutory calendar was used (Calendar, statutoryYear). The command warns.
   */
  uncoveredYears: number[];
  /**
   * What the command tells the clerk besides its result: an extension moved off a rest day, the
   * warnings of the guards that let the action through.
   */
  notices?: ActionNotice[];
}

const NO_PEERS: Peers = { open: () => [], all: () => [] };

/**
 * Run the guards `names` (hooks.ts) on `record`: one that refuses throws; the warnings of the others
 * are returned. A guard the hooks do not have refuses too (the workflow was validated against other
 * hooks).
 */
export function runGuards(
  names: readonly string[] | undefined,
  ctx: ActionContext,
  input: Pick<GuardInput, "event" | "record" | "step">,
): ActionNotice[] {
  const notices: ActionNotice[] = [];
  for (const name of names ?? []) {
    const guard = ctx.hooks?.guards[name];
    if (!guard) throw refused("engine.unknown-hook", { hook: name, kind: ctx.wf.kind });
    const out = guard({
      ...input,
      wf: ctx.wf,
      office: ctx.office,
      calendar: ctx.calendar,
      now: ctx.now,
      actor: ctx.actor,
      peers: ctx.peers ?? NO_PEERS,
    });
    if (out) notices.push(...out);
  }
  return notices;
}

/**
 * A message for the clerk about a completed action: a catalogue key and its parameters; `confirm`:
 * a guard's question that a creation needs the clerk's consent to (hooks.ts Notice).
 */
export type ActionNotice = Pick<Problem, "code" | "params"> & { confirm?: boolean };

const tzOf = (ctx: ActionContext) => ctx.office.timezone;
const stamp = (ctx: ActionContext, ms = ctx.now) => formatInstant(ms, tzOf(ctx));

/**
 * The people of an event: recording another person's action (`--as`) is for the roles of office.yaml
 * `record_for` (issue 18): refused (exit 1) otherwise. Every engine action and kind action makes its
 * event through this, so that a replay in `verify` holds recorded history to the same rule.
 */
export function eventPeople(ctx: ActionContext): Pick<HistoryEvent, "actor" | "recorded_by"> {
  if (ctx.actor.id !== ctx.recorder.id) assertMayRecordFor(ctx.office, ctx.recorder, ctx.actor, "--as");
  return { actor: ctx.actor.id, recorded_by: ctx.recorder.id };
}

function baseEvent(ctx: ActionContext, action: string, at = ctx.now): HistoryEvent {
  return { action, at: stamp(ctx, at), ...eventPeople(ctx) };
}

/**
 * A field with the role `approved-by` (a meeting's late approval) names someone other than the
 * operator: only a role that records for others may say that person approved (issue 18).
 */
function assertApprovers(ctx: ActionContext, fields: Record<string, unknown>): void {
  const def = fieldByRole(ctx.wf, "approved-by");
  const v = def ? fields[def.id] : undefined;
  if (def && typeof v === "string" && v)
    assertMayRecordFor(ctx.office, ctx.recorder, v, `--${def.option ?? def.id.replace(/_/g, "-")}`);
}

/**
 * Refuse any further action on a filed record, and on a closed one (issue 18): what happened after
 * the procedure ended is `reopen` (where the workflow allows it) or an administrator's `correct`.
 */
export function assertOpen(rec: RecordDoc): void {
  if (rec.archive) throw refused("engine.record-filed", { id: rec.id, number: rec.archive.number });
  if (rec.status === "closed") throw refused("engine.record-closed", { id: rec.id });
}

/** The deadline inputs of a record's current state. */
function limitCtx(rec: RecordDoc, calendar: Calendar, tz: string): LimitContext {
  const stepDone: Record<string, string> = {};
  for (const e of rec.history)
    if ((e.action === "sign" || e.action === "file") && e.step && e.decision !== "return")
      stepDone[e.step] = officeDate(Date.parse(e.at), tz);
  return {
    calendar,
    stepStart: officeDate(Date.parse(rec.step_started ?? rec.created), tz),
    recordStart: officeDate(Date.parse(rec.round_started ?? rec.created), tz),
    fields: rec.fields,
    stepDone,
  };
}

/** Persons who hold `role` (and belong to `unit`, when given). */
export function personsWithRole(office: OfficeConfig, roles: readonly string[], unit?: string): Person[] {
  return office.people.filter(
    (p) => p.roles.some((r) => roles.includes(r)) && (unit === undefined || p.unit === unit),
  );
}

/** The parts of an `all` step still to be signed, or of any step the set of who may act. */
interface Eligibility {
  /** Ids shown as holders: persons, or units for routed units. */
  holders: string[];
  /** May this person act now, and for which part (unit, role or own id)? */
  partFor(p: Person): string | undefined;
}

function signersOf(rec: RecordDoc, stepId: string): string[] {
  // The last round of that step: a return sends a record back and its earlier signatures lapse.
  const out: string[] = [];
  for (const e of rec.history) {
    if (e.decision === "return" && e.to?.includes(stepId)) out.length = 0;
    else if (e.step === stepId && e.action === "sign" && !out.includes(e.actor)) out.push(e.actor);
  }
  return out;
}

function stepActorRoles(step: StepDef, rec: RecordDoc): string[] | undefined {
  const a = step.actor;
  if (a.roles) return a.roles;
  if (a.role_by_field) {
    const r = a.role_by_field.map[String(rec.fields[a.role_by_field.field])];
    return r ? [r] : [];
  }
  return undefined;
}

/** Who may act on the record's current step, and who still must (for steps every holder signs). */
export function eligibility(rec: RecordDoc, step: StepDef, office: OfficeConfig): Eligibility {
  const a = step.actor;
  const signed = new Set(rec.signatures.map((s) => s.for ?? s.by));
  const unitFilter = a.unit_field ? String(rec.fields[a.unit_field] ?? "") : undefined;
  // The unit a role's members must belong to: unit_field's, for the roles it applies to.
  const unitOf = (r: string) => (a.unit_roles && !a.unit_roles.includes(r) ? undefined : unitFilter);
  const roles = stepActorRoles(step, rec);
  if (roles) {
    if (a.all) {
      const open = roles.filter((r) => !signed.has(r));
      return {
        holders: [...new Set(open.flatMap((r) => personsWithRole(office, [r], unitOf(r)).map((p) => p.id)))],
        partFor: (p) =>
          open.find(
            (r) =>
              p.roles.includes(r) &&
              (unitOf(r) === undefined || p.unit === unitOf(r)) &&
              !rec.signatures.some((s) => s.by === p.id),
          ),
      };
    }
    const persons = office.people.filter((p) =>
      p.roles.some((r) => roles.includes(r) && (unitOf(r) === undefined || p.unit === unitOf(r))),
    );
    return {
      holders: persons.map((p) => p.id),
      partFor: (p) => (persons.some((x) => x.id === p.id) ? p.id : undefined),
    };
  }
  if (a.leader_of !== undefined) {
    // The leader in charge of the record's unit (office.yaml), else the fallback roles.
    const leader = leaderOf(office, rec.fields[a.leader_of]);
    const persons = leader ? [leader] : personsWithRole(office, a.fallback_roles ?? []);
    return {
      holders: persons.map((p) => p.id),
      partFor: (p) => (persons.some((x) => x.id === p.id) ? p.id : undefined),
    };
  }
  const parts = partsOf(rec, step);
  if (a.routed && parts.length === 0 && a.fallback_roles) {
    const persons = personsWithRole(office, a.fallback_roles);
    return {
      holders: persons.map((p) => p.id),
      partFor: (p) => (persons.some((x) => x.id === p.id) ? p.id : undefined),
    };
  }
  const open = a.all ? parts.filter((x) => !signed.has(x)) : parts;
  return {
    holders: open,
    partFor: (p) => open.find((x) => x === p.id) ?? open.find((x) => x === p.unit),
  };
}

/** The leader in charge (office.yaml `units[].leader`) of the unit `unitId`, when it has one. */
export function leaderOf(office: OfficeConfig, unitId: unknown): Person | undefined {
  const id = office.units.find((u) => u.id === unitId)?.leader;
  return id === undefined ? undefined : office.people.find((p) => p.id === id);
}

/** The routed, countersigning or listed holders of a step without fixed roles. */
function partsOf(rec: RecordDoc, step: StepDef): string[] {
  const a = step.actor;
  if (a.same_as) return signersOf(rec, a.same_as);
  if (a.from_field) {
    const v = rec.fields[a.from_field];
    return Array.isArray(v) ? v.map(String) : typeof v === "string" && v ? [v] : [];
  }
  return rec.routed;
}

function stepComplete(rec: RecordDoc, step: StepDef): boolean {
  if (!step.actor.all) return rec.signatures.length > 0;
  return openParts(rec, step) === 0;
}

function openParts(rec: RecordDoc, step: StepDef): number {
  const signed = new Set(rec.signatures.map((s) => s.for ?? s.by));
  const roles = stepActorRoles(step, rec);
  if (roles) return roles.filter((r) => !signed.has(r)).length;
  return partsOf(rec, step).filter((x) => !signed.has(x)).length;
}

/** Index of the first step at or after `from` whose condition holds. */
function nextStepIndex(wf: WorkflowDef, rec: RecordDoc, from: number): number {
  for (let i = from; i < wf.steps.length; i++) {
    const s = wf.steps[i] as StepDef;
    if (!s.when || conditionHolds(s.when, rec.fields)) return i;
  }
  return -1;
}

/** Recompute `due` and `holders` of the current step (after any change to the record's state). */
export function refreshDerived(
  rec: RecordDoc,
  ctx: Pick<ActionContext, "office" | "wf" | "calendar">,
): number[] {
  const step = findStep(ctx.wf, rec.step);
  if (!step || rec.status === "closed") {
    rec.holders = [];
    rec.due = null;
    return [];
  }
  const lc = limitCtx(rec, ctx.calendar, ctx.office.timezone);
  const computed = rec.deadline_extended_until ? undefined : recordDeadline(ctx.wf, lc);
  const overall = rec.deadline_extended_until ?? computed?.date ?? null;
  rec.deadline = overall;
  const d = stepDue(ctx.wf, step, lc, overall);
  rec.due = rec.step_extended_until ?? d.due;
  rec.holders = eligibility(rec, step, ctx.office).holders;
  // The overall deadline is shown with the record even when the step has its own limit: the years
  // either was counted through are reported, and so is the year of an extended date.
  const years = new Set([...(computed?.uncoveredYears ?? []), ...d.uncoveredYears]);
  for (const y of provisionalYears(ctx.calendar, [rec.due, rec.deadline])) years.add(y);
  return [...years].sort((a, b) => a - b);
}

function enterStep(rec: RecordDoc, ctx: ActionContext, index: number, atMs: number): { uncovered: number[] } {
  const i = nextStepIndex(ctx.wf, rec, index);
  rec.routed = [];
  rec.signatures = [];
  delete rec.step_extended_until;
  if (i < 0) {
    rec.status = "closed";
    rec.step = null;
    rec.step_started = null;
    rec.holders = [];
    rec.due = null;
    return { uncovered: [] };
  }
  const step = ctx.wf.steps[i] as StepDef;
  rec.status = "open";
  rec.step = step.id;
  rec.step_started = stamp(ctx, atMs);
  return { uncovered: refreshDerived(rec, ctx) };
}

function clone(rec: RecordDoc): RecordDoc {
  return structuredClone(rec);
}

/** Create a record of `ctx.wf`'s kind: its first applicable step begins at `atMs`. */
export function createRecord(
  ctx: ActionContext,
  id: string,
  title: string,
  fields: Record<string, unknown>,
  atMs: number,
): ActionResult {
  const rec: RecordDoc = {
    id,
    kind: ctx.wf.kind,
    title,
    status: "open",
    step: null,
    holders: [],
    due: null,
    deadline: null,
    created: stamp(ctx, atMs),
    fields,
    step_started: null,
    routed: [],
    signatures: [],
    history: [],
  };
  assertApprovers(ctx, fields);
  const { uncovered } = enterStep(rec, ctx, 0, atMs);
  const notices = runGuards(ctx.wf.checks, ctx, { event: "create", record: rec });
  const event: HistoryEvent = { ...baseEvent(ctx, ctx.wf.create_action, atMs) };
  if (rec.step) event.step = rec.step;
  rec.history.push(event);
  return { record: rec, event, uncoveredYears: uncovered, ...(notices.length ? { notices } : {}) };
}

/**
 * Change fields of a record without moving its step (a meeting's replies and checklist, figures
 * adjusted at an analysis meeting): one event `action` whose `changes` are the new values and
 * `previous` the values they replaced; `reason` says why. Values equal to the record's are left out;
 * nothing changed is refused. The record's deadlines are computed again.
 */
export function amend(
  rec0: RecordDoc,
  ctx: ActionContext,
  action: string,
  fields: Record<string, unknown>,
  opts: { title?: string; reason?: string; atMs?: number } = {},
): ActionResult {
  const rec = clone(rec0);
  const changes: Record<string, unknown> = {};
  const previous: Record<string, unknown> = {};
  if (opts.title !== undefined && opts.title !== rec.title) {
    changes.title = opts.title;
    previous.title = rec.title;
    rec.title = opts.title;
  }
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || JSON.stringify(v) === JSON.stringify(rec.fields[k])) continue;
    changes[k] = v;
    if (rec.fields[k] !== undefined) previous[k] = rec.fields[k];
    rec.fields[k] = v;
  }
  if (!Object.keys(changes).length) throw refused("engine.revise-unchanged", { id: rec.id });
  assertApprovers(ctx, changes);
  const event: HistoryEvent = { ...baseEvent(ctx, action, opts.atMs), changes };
  if (Object.keys(previous).length) event.previous = previous;
  if (opts.reason) event.reason = opts.reason;
  if (rec.step) event.step = rec.step;
  rec.history.push(event);
  const uncovered = refreshDerived(rec, ctx);
  return { record: rec, event, uncoveredYears: uncovered };
}

/**
 * Create again what an open record of the same `upsert_key` already holds (a second indicator report
 * for the same unit and month): that record is revised in place, same id, same step, by an event
 * `revise` (see amend). The entries of a `map` field are merged into the record's (a figure not given
 * again keeps its value). At a step whose `revision.reason` is `required` (the analysis meeting's
 * re-reporting, seed §5) a `reason` is needed (exit 2 without); it is kept on the event. A closed
 * record is refused (it must be reopened first). The workflow's guards run on the revised record.
 */
export function revise(
  rec0: RecordDoc,
  ctx: ActionContext,
  title: string,
  fields: Record<string, unknown>,
  atMs: number,
  reason?: string,
): ActionResult {
  if (rec0.status === "closed") throw refused("engine.upsert-closed", { id: rec0.id });
  const step = findStep(ctx.wf, rec0.step);
  if (step?.revision?.reason === "required" && !reason?.trim())
    throw usageError("engine.revise-needs-reason", {
      id: rec0.id,
      step: step.id,
      revision: step.revision.label?.en ?? "revise",
    });
  const merged = { ...fields };
  for (const def of ctx.wf.fields) {
    const old = rec0.fields[def.id];
    const v = merged[def.id];
    if (def.type === "map" && isPlainMap(old) && isPlainMap(v)) merged[def.id] = { ...old, ...v };
  }
  const res = amend(rec0, ctx, "revise", merged, {
    title,
    atMs,
    ...(reason?.trim() ? { reason: reason.trim() } : {}),
  });
  // A record opened empty (an expected report) and filled for the first time is submitted, not revised.
  const was = res.event.previous ?? {};
  if (Object.keys(res.event.changes ?? {}).every((k) => k === "title" || isEmptyValue(was[k])))
    res.event.action = ctx.wf.create_action;
  const notices = runGuards(ctx.wf.checks, ctx, { event: "create", record: res.record });
  return notices.length ? { ...res, notices } : res;
}

const isPlainMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A value a step's `requires` does not accept: none, an empty text, an empty map or list. */
export const isEmptyValue = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (isPlainMap(v) && Object.keys(v).length === 0);

function currentStep(rec: RecordDoc, wf: WorkflowDef): StepDef {
  const step = findStep(wf, rec.step);
  if (!step || rec.status === "closed") throw refused("engine.record-closed", { id: rec.id });
  return step;
}

function holderNames(ids: string[], office: OfficeConfig): string {
  return (
    ids
      .map(
        (id) =>
          office.people.find((p) => p.id === id)?.name ?? office.units.find((u) => u.id === id)?.name ?? id,
      )
      .join(", ") || "—"
  );
}

function refuseNotPermitted(rec: RecordDoc, step: StepDef, ctx: ActionContext): never {
  const el = eligibility(rec, step, ctx.office);
  const already = rec.signatures.some((s) => s.by === ctx.actor.id);
  throw refused(already ? "engine.already-signed" : "engine.not-permitted", {
    person: `${ctx.actor.name} (${ctx.actor.id})`,
    id: rec.id,
    step: step.id,
    who: el.holders.length
      ? holderNames(el.holders, ctx.office)
      : (stepActorRoles(step, rec) ?? ["route"]).join(", "),
  });
}

/** Check that `to` names units or people of the office. */
export function validateTargets(to: string[], office: OfficeConfig): void {
  if (to.length === 0) throw usageError("engine.route-empty");
  for (const t of to) {
    if (!office.people.some((p) => p.id === t) && !office.units.some((u) => u.id === t))
      throw usageError("engine.unknown-target", { target: t });
  }
}

export interface SignInput {
  opinion?: string;
  decision?: "approve" | "return";
  /** Holders for the next step, when it is one whose holders are routed. */
  to?: string[];
  /** The step the caller expects (kind commands like `instruct`): refused when the record is elsewhere. */
  expectStep?: string;
  /** Extra fields the step sets (a reply, an archive number…), merged into the record's fields. */
  set?: Record<string, unknown>;
}

/** Complete the actor's part of the current step; advance when the step is complete. */
export function sign(rec0: RecordDoc, ctx: ActionContext, input: SignInput): ActionResult {
  const rec = clone(rec0);
  const step = currentStep(rec, ctx.wf);
  if (input.expectStep && input.expectStep !== step.id)
    throw refused("engine.wrong-step", { id: rec.id, step: rec.step ?? "", expected: input.expectStep });
  const part = eligibility(rec, step, ctx.office).partFor(ctx.actor);
  if (part === undefined) refuseNotPermitted(rec, step, ctx);
  const decision = input.decision ?? "approve";
  const event: HistoryEvent = { ...baseEvent(ctx, "sign"), step: step.id, decision };
  if (input.opinion) event.opinion = input.opinion;
  if (input.set && Object.keys(input.set).length) {
    event.changes = input.set;
    Object.assign(rec.fields, input.set);
  }
  let uncovered: number[] = [];
  if (decision === "return") {
    if (!step.return_to) throw refused("engine.no-return", { id: rec.id, step: step.id });
    event.to = [step.return_to];
    rec.history.push(event);
    const idx = ctx.wf.steps.findIndex((s) => s.id === step.return_to);
    const holders = lastRouted(rec, ctx.wf, step.return_to);
    uncovered = enterStep(rec, ctx, idx, ctx.now).uncovered;
    // A step whose holders were routed goes back to the same holders, not to nobody.
    if (holders.length && findStep(ctx.wf, rec.step)?.actor.routed) {
      rec.routed = holders;
      refreshDerived(rec, ctx);
    }
    return { record: rec, event, uncoveredYears: uncovered };
  }
  if (step.stamps) {
    const today = officeDate(ctx.now, tzOf(ctx));
    rec.fields[step.stamps] = today;
    event.changes = { ...(event.changes ?? {}), [step.stamps]: today };
  }
  const missing = (step.requires ?? []).filter((f) => isEmptyValue(rec.fields[f]));
  if (missing.length) throw usageError("engine.step-requires", { step: step.id, fields: missing.join(", ") });
  const sig: Signature = { by: ctx.actor.id, at: event.at };
  if (step.actor.all && part !== ctx.actor.id) sig.for = part;
  if (input.opinion) sig.opinion = input.opinion;
  rec.signatures.push(sig);
  let notices: ActionNotice[] | undefined;
  if (step.checks?.length && stepComplete(rec, step))
    notices = runGuards(step.checks, ctx, { event: "complete-step", record: rec, step });
  rec.history.push(event);
  if (stepComplete(rec, step)) {
    if (rec.due) event.due = rec.due;
    const idx = ctx.wf.steps.findIndex((s) => s.id === step.id);
    uncovered = enterStep(rec, ctx, idx + 1, ctx.now).uncovered;
    if (input.to?.length) {
      const next = findStep(ctx.wf, rec.step);
      if (!next?.actor.routed) throw usageError("engine.next-not-routed", { step: rec.step ?? "closed" });
      validateTargets(input.to, ctx.office);
      rec.routed = [...new Set(input.to)];
      event.to = rec.routed;
      const changes = routeSets(rec, next, ctx);
      if (changes) event.changes = { ...(event.changes ?? {}), ...changes };
      uncovered = [...new Set([...uncovered, ...refreshDerived(rec, ctx)])].sort((a, b) => a - b);
    }
  } else {
    if (input.to?.length) throw usageError("engine.next-not-routed", { step: step.id });
    uncovered = refreshDerived(rec, ctx);
  }
  return { record: rec, event, uncoveredYears: uncovered, ...(notices?.length ? { notices } : {}) };
}

const ROUTE_ROLES = ["office", "clerk", "office-head"];

/** Who was last named to hold `stepId`: by `route` on it, or by `--to` on the step before it. */
function lastRouted(rec: RecordDoc, wf: WorkflowDef, stepId: string): string[] {
  const before = wf.steps[wf.steps.findIndex((s) => s.id === stepId) - 1]?.id;
  for (let i = rec.history.length - 1; i >= 0; i--) {
    const e = rec.history[i];
    if (!e?.to?.length || e.decision === "return") continue;
    if ((e.action === "route" && e.step === stepId) || (e.action === "sign" && e.step === before))
      return [...e.to];
  }
  return [];
}

/** A step with `route_sets` keeps the first routed unit in that field (a call's responsible unit). */
function routeSets(rec: RecordDoc, step: StepDef, ctx: ActionContext): Record<string, unknown> | undefined {
  if (!step.route_sets) return undefined;
  const unit = rec.routed.find((t) => ctx.office.units.some((u) => u.id === t));
  if (!unit || rec.fields[step.route_sets] === unit) return undefined;
  rec.fields[step.route_sets] = unit;
  return { [step.route_sets]: unit };
}

/** Name who must act on the current step (undertakers, readers, the unit a call is transferred to). */
export function route(rec0: RecordDoc, ctx: ActionContext, to: string[], note?: string): ActionResult {
  const rec = clone(rec0);
  const step = currentStep(rec, ctx.wf);
  if (!step.actor.routed) throw refused("engine.step-not-routed", { id: rec.id, step: step.id });
  const by = step.route_by ?? ROUTE_ROLES;
  if (!ctx.actor.roles.some((r) => by.includes(r)))
    throw refused("engine.route-not-permitted", { person: ctx.actor.name, roles: by.join(", ") });
  validateTargets(to, ctx.office);
  rec.routed = [...new Set(to)];
  const changes = routeSets(rec, step, ctx);
  // Signatures already given for parts still routed stay valid.
  rec.signatures = rec.signatures.filter((s) => rec.routed.includes(s.for ?? s.by));
  const event: HistoryEvent = { ...baseEvent(ctx, "route"), step: step.id, to: rec.routed };
  if (note) event.note = note;
  if (changes) event.changes = changes;
  rec.history.push(event);
  return { record: rec, event, uncoveredYears: refreshDerived(rec, ctx) };
}

/** Skip an optional step. */
export function skip(rec0: RecordDoc, ctx: ActionContext, reason: string): ActionResult {
  const rec = clone(rec0);
  const step = currentStep(rec, ctx.wf);
  if (!step.optional) throw refused("engine.not-optional", { id: rec.id, step: step.id });
  if (!ctx.actor.roles.some((r) => (step.route_by ?? ROUTE_ROLES).includes(r)))
    throw refused("engine.route-not-permitted", {
      person: ctx.actor.name,
      roles: (step.route_by ?? ROUTE_ROLES).join(", "),
    });
  const event: HistoryEvent = { ...baseEvent(ctx, "skip"), step: step.id, reason };
  rec.history.push(event);
  const idx = ctx.wf.steps.findIndex((s) => s.id === step.id);
  const { uncovered } = enterStep(rec, ctx, idx + 1, ctx.now);
  return { record: rec, event, uncoveredYears: uncovered };
}

/** A progress note or a reminder (催办): history only, the step does not change. */
export function annotate(
  rec0: RecordDoc,
  ctx: ActionContext,
  action: "note" | "urge",
  text?: string,
): ActionResult {
  assertOpen(rec0);
  const rec = clone(rec0);
  const event: HistoryEvent = { ...baseEvent(ctx, action) };
  if (rec.step) event.step = rec.step;
  if (action === "urge" && rec.holders.length) event.to = [...rec.holders];
  if (text) event.note = text;
  rec.history.push(event);
  return { record: rec, event, uncoveredYears: [] };
}

export function isLeader(p: Person, office: OfficeConfig): boolean {
  return p.roles.some((r) => office.roles.find((x) => x.id === r)?.leader);
}

export interface ExtendInput {
  until?: IsoDate;
  days?: number;
  approvedBy: Person;
  reason: string;
  callerInformed?: boolean;
}

/**
 * Move the due date, with a leader's approval (seed §1: "the time limit may be appropriately extended
 * after approval by the relevant leaders"; §4: calls also inform the caller). A step with its own limit
 * is extended itself; otherwise the record's overall deadline moves.
 * - `days`: working days (start day not counted) after the later of the current due date and today,
 *   so that an overdue record is never "extended" to a day already past.
 * - `until`: that date; a rest day is moved to the working day before it (a deadline is the end of a
 *   working day: what is due "on" a holiday is due before it), and the result says so in `notices`.
 * Refused (exit 2) when the new date is not later than the current due date.
 */
export function extend(rec0: RecordDoc, ctx: ActionContext, input: ExtendInput): ActionResult {
  const rec = clone(rec0);
  const step = currentStep(rec, ctx.wf);
  if (!isLeader(input.approvedBy, ctx.office))
    throw refused("engine.approver-not-leader", {
      person: `${input.approvedBy.name} (${input.approvedBy.id})`,
    });
  assertMayRecordFor(ctx.office, ctx.recorder, input.approvedBy, "--approved-by");
  const today = officeDate(ctx.now, tzOf(ctx));
  const base = rec.due && rec.due > today ? rec.due : today;
  let until: IsoDate;
  let uncovered: number[];
  const notices: ActionNotice[] = [];
  if (input.until) {
    const r = ctx.calendar.workingDayOnOrBefore(input.until);
    until = r.date;
    uncovered = r.uncoveredYears;
    if (until !== input.until)
      notices.push({
        code: "engine.extend-rest-day",
        params: {
          date: input.until,
          // The day's name, in the clerk's language: the command fills `name` from it.
          holiday: ctx.calendar.dayName(input.until) ?? "",
          until,
        },
      });
  } else {
    const r = ctx.calendar.addWorkingDays(base, input.days ?? 0);
    until = r.date;
    uncovered = r.uncoveredYears;
  }
  if (rec.due && until <= rec.due) throw usageError("engine.extend-not-later", { until, due: rec.due });
  const lc = limitCtx(rec, ctx.calendar, tzOf(ctx));
  const own = stepDue(ctx.wf, step, lc, rec.deadline).own;
  if (own) rec.step_extended_until = until;
  else rec.deadline_extended_until = until;
  const event: HistoryEvent = {
    ...baseEvent(ctx, "extend"),
    step: step.id,
    until,
    approved_by: input.approvedBy.id,
    reason: input.reason,
  };
  if (input.callerInformed) event.caller_informed = true;
  if (rec.due) event.changes = { due: rec.due };
  rec.history.push(event);
  const years = [...new Set([...uncovered, ...refreshDerived(rec, ctx)])].sort((a, b) => a - b);
  return { record: rec, event, uncoveredYears: years, ...(notices.length ? { notices } : {}) };
}

const RETENTION_CODE: Record<Retention, string> = { permanent: "Y", "30y": "D30", "10y": "D10" };

/** DA/T 22 archive number: `fonds-WS·year-retention[-unit]-item` (item zero-padded to 4). */
export function archiveNumber(
  fonds: string,
  year: number,
  retention: Retention,
  item: number,
  unitCode?: string,
): string {
  const unit = unitCode ? `-${unitCode}` : "";
  return `${fonds}-WS·${year}-${RETENTION_CODE[retention]}${unit}-${String(item).padStart(4, "0")}`;
}

/** The part of an archive number before the item: items are numbered within it. */
export function archiveSeries(fonds: string, year: number, retention: Retention, unitCode?: string): string {
  return archiveNumber(fonds, year, retention, 0, unitCode).replace(/-0000$/, "");
}

/**
 * File (归档) a record: completes the current step when it is the archiving step, or files a record
 * whose procedure has ended. `item` is the next item number of the archive series.
 */
export function fileRecord(
  rec0: RecordDoc,
  ctx: ActionContext,
  retention: Retention,
  item: number,
  unitCode?: string,
): ActionResult {
  if (rec0.archive) throw refused("engine.already-filed", { id: rec0.id, number: rec0.archive.number });
  const number = archiveNumber(ctx.office.fonds, Number(rec0.id.split("-")[1]), retention, item, unitCode);
  let res: ActionResult;
  if (rec0.status === "closed") {
    const rec = clone(rec0);
    const event: HistoryEvent = { ...baseEvent(ctx, "file") };
    rec.history.push(event);
    res = { record: rec, event, uncoveredYears: [] };
  } else {
    const step = currentStep(rec0, ctx.wf);
    if (!step.archive) throw refused("engine.wrong-step", { id: rec0.id, step: step.id, expected: "file" });
    res = sign(rec0, ctx, {});
    res.event.action = "file";
    if (res.record.status !== "closed") return res;
  }
  res.record.archive = { number, retention, filed_at: res.event.at };
  res.event.changes = { ...(res.event.changes ?? {}), archive: number };
  return res;
}

/**
 * Reopen a closed record for a new handling round (a dissatisfied caller; approved indicator figures
 * to correct): its limits count anew. Only the roles of `reopen_by`, when the workflow names them.
 */
export function reopen(rec0: RecordDoc, ctx: ActionContext, reason: string): ActionResult {
  const target = ctx.wf.reopen_to;
  if (!target) throw refused("engine.cannot-reopen", { id: rec0.id });
  const by = ctx.wf.reopen_by;
  if (by && !ctx.actor.roles.some((r) => by.includes(r)))
    throw refused("engine.reopen-not-permitted", {
      person: `${ctx.actor.name} (${ctx.actor.id})`,
      id: rec0.id,
      roles: by.join(", "),
    });
  if (rec0.status !== "closed" || rec0.withdrawn || rec0.archive)
    throw refused("engine.reopen-not-closed", { id: rec0.id });
  const when = ctx.wf.reopen_when;
  if (when && !conditionHolds(when, rec0.fields))
    throw refused("engine.reopen-condition", {
      id: rec0.id,
      field: when.field,
      value: String(when.equals ?? when.in?.join(", ") ?? ""),
    });
  const rec = clone(rec0);
  rec.round_started = stamp(ctx);
  delete rec.deadline_extended_until;
  // The condition that allowed this round is spent: the next reopening needs a new one.
  if (ctx.wf.reopen_when) delete rec.fields[ctx.wf.reopen_when.field];
  const event: HistoryEvent = { ...baseEvent(ctx, "reopen"), step: target, reason };
  rec.history.push(event);
  const { uncovered } = enterStep(
    rec,
    ctx,
    ctx.wf.steps.findIndex((s) => s.id === target),
    ctx.now,
  );
  return { record: rec, event, uncoveredYears: uncovered };
}

/**
 * An administrator's correction (issue 18): fields (and the title) of any record, open, closed or
 * filed, set to `fields`, recorded as a `correct` event with the old values and the reason (see
 * amend); the record's deadlines and holders are computed again. What the workflow derives (step,
 * holders, due dates, status, signatures) and the numbers it gives (a `numbers` step's document
 * number, the archive number) are not fields and cannot be corrected: exit 2 naming them. Refused
 * (exit 1) unless the operator (and, with `--as`, the actor) holds an administrator's role.
 */
export function correct(
  rec0: RecordDoc,
  ctx: ActionContext,
  fields: Record<string, unknown>,
  opts: { title?: string; reason: string },
): ActionResult {
  assertAdmin(ctx.office, ctx.recorder, "correct");
  if (ctx.actor.id !== ctx.recorder.id) assertAdmin(ctx.office, ctx.actor, "correct");
  for (const k of Object.keys(fields)) {
    if (ctx.wf.steps.some((s) => s.numbers?.field === k))
      throw usageError("engine.correct-numbered", { field: k });
    if (!ctx.wf.fields.some((f) => f.id === k)) throw usageError("engine.correct-unknown", { field: k });
  }
  return amend(rec0, ctx, "correct", fields, {
    ...(opts.title === undefined ? {} : { title: opts.title }),
    reason: opts.reason,
  });
}

/**
 * An administrator's repair after `verify` reported a change of this record that office-doc did not
 * make (issue 18): the record becomes `repaired` (what the engine makes of its history, see
 * store/verify.ts repairRecord) with a `fix` event naming the commits it repairs (`fixes`) and why;
 * `changes` and `previous` hold the top-level keys the repair changed, history aside (none when the
 * file did not read as a record: `rec0` undefined). Refused (exit 1) unless the operator is an
 * administrator.
 */
export function fixRecord(
  rec0: RecordDoc | undefined,
  repaired: RecordDoc,
  ctx: ActionContext,
  reason: string,
  fixes: string[],
): ActionResult {
  assertAdmin(ctx.office, ctx.recorder, "fix");
  if (ctx.actor.id !== ctx.recorder.id) assertAdmin(ctx.office, ctx.actor, "fix");
  const rec = clone(repaired);
  const changes: Record<string, unknown> = {};
  const previous: Record<string, unknown> = {};
  const was = (rec0 ?? rec) as unknown as Record<string, unknown>;
  const now = rec as unknown as Record<string, unknown>;
  for (const k of new Set([...Object.keys(was), ...Object.keys(now)])) {
    if (k === "history" || JSON.stringify(was[k]) === JSON.stringify(now[k])) continue;
    changes[k] = now[k] ?? null;
    if (was[k] !== undefined) previous[k] = was[k];
  }
  const event: HistoryEvent = { ...baseEvent(ctx, "fix"), reason, fixes };
  if (rec.step) event.step = rec.step;
  if (Object.keys(changes).length) event.changes = changes;
  if (Object.keys(previous).length) event.previous = previous;
  rec.history.push(event);
  return { record: rec, event, uncoveredYears: [] };
}

/** Withdraw an open record: it is closed; a document number it had is never given out again. */
export function withdraw(rec0: RecordDoc, ctx: ActionContext, reason: string): ActionResult {
  const rec = clone(rec0);
  currentStep(rec, ctx.wf);
  if (!isLeader(ctx.actor, ctx.office))
    throw refused("engine.withdraw-not-leader", { person: `${ctx.actor.name} (${ctx.actor.id})` });
  const event: HistoryEvent = { ...baseEvent(ctx, "withdraw"), reason };
  if (rec.step) event.step = rec.step;
  rec.history.push(event);
  rec.withdrawn = { at: event.at, by: ctx.actor.id, reason };
  enterStep(rec, ctx, ctx.wf.steps.length, ctx.now);
  return { record: rec, event, uncoveredYears: [] };
}

/**
 * Merge a duplicate into the record it repeats (the same caller about the same matter): the duplicate
 * is closed and points to the other, which notes it. Both records change in one commit.
 */
export function mergeInto(
  dup0: RecordDoc,
  target0: RecordDoc,
  ctx: ActionContext,
  reason: string,
  force = false,
): { duplicate: ActionResult; target: ActionResult } {
  if (dup0.id === target0.id) throw refused("engine.merge-self", { id: dup0.id });
  if (dup0.kind !== target0.kind) throw refused("engine.merge-kind", { id: dup0.id, other: target0.id });
  // Two calls of different people are not one matter (a mistyped id): the fields with the roles
  // contact-name and contact-phone must agree in one of them, unless the clerk forces it.
  const contacts = ctx.wf.fields.filter((f) => f.role === "contact-name" || f.role === "contact-phone");
  const given = contacts.filter((f) => dup0.fields[f.id] !== undefined && target0.fields[f.id] !== undefined);
  if (
    !force &&
    given.length &&
    given.every((f) => String(dup0.fields[f.id]) !== String(target0.fields[f.id]))
  )
    throw refused("engine.merge-different-contact", {
      id: dup0.id,
      other: target0.id,
      fields: given.map((f) => f.id).join(", "),
    });
  currentStep(dup0, ctx.wf);
  assertOpen(target0);
  if (target0.merged_into)
    throw refused("engine.merge-into-merged", { id: target0.id, other: target0.merged_into });
  if (!ctx.actor.roles.some((r) => ROUTE_ROLES.includes(r)))
    throw refused("engine.route-not-permitted", { person: ctx.actor.name, roles: ROUTE_ROLES.join(", ") });
  const dup = clone(dup0);
  const dupEvent: HistoryEvent = {
    ...baseEvent(ctx, "merge"),
    to: [target0.id],
    reason,
    ...(force ? { forced: true } : {}),
  };
  if (dup.step) dupEvent.step = dup.step;
  dup.history.push(dupEvent);
  dup.merged_into = target0.id;
  enterStep(dup, ctx, ctx.wf.steps.length, ctx.now);
  const target = clone(target0);
  // The same action on both records: the one commit is an event of each.
  const targetEvent: HistoryEvent = {
    ...baseEvent(ctx, "merge"),
    note: `${dup0.id}: ${dup0.title}`,
    reason,
    changes: { merged: dup0.id },
  };
  if (target.step) targetEvent.step = target.step;
  target.history.push(targetEvent);
  return {
    duplicate: { record: dup, event: dupEvent, uncoveredYears: [] },
    target: { record: target, event: targetEvent, uncoveredYears: [] },
  };
}

/** The office date of an instant, for callers that only have the context. */
export function todayOf(ctx: Pick<ActionContext, "now" | "office">): IsoDate {
  return officeDate(ctx.now, ctx.office.timezone);
}
