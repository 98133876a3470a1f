import type { Calendar } from "./calendar.js";
import {
  type ActionContext,
  type ActionResult,
  annotate,
  correct,
  createRecord,
  extend,
  fileRecord,
  mergeInto,
  refreshDerived,
  reopen,
  revise,
  route,
  sign,
  skip,
  withdraw,
} from "./engine.js";
import type { CoreHooks, Guard } from "./hooks.js";
import type { HistoryEvent, OfficeConfig, Person, RecordDoc, Retention } from "./model.js";
import { OfficeError, type Problem } from "./problems.js";
import { orderedRecord, roleValue } from "./record.js";
import { adminRoles, hasAdmin, isAdmin } from "./trust.js";
import type { WorkflowDef } from "./workflow.js";

/**
 * The audit of the registry's history (issue 18, `office-doc verify`): what a commit did to the
 * records it changed, held to what office-doc would have done. Pure: the commits, the record files
 * before and after each, and the office, workflows and calendar at the commit are given by the store
 * (src/store/verify.ts), which walks the history.
 *
 * A record's commit is an office-doc action when its trailers name it and its action, its history
 * grows by exactly one event (events are append-only: the old history is a prefix of the new), that
 * event is the commit's (action, actor = author, recorder = committer, time = author date), and the
 * record is exactly what the engine makes of the version before with that event: the event is
 * replayed through the same engine functions the commands call (`sign`, `extend`, `file`..., and the
 * kinds' own through the hooks' `replays`), with the office, workflow and calendar of the commit's
 * parent, and every key of the result is compared (step, holders, due dates, status, fields, the
 * event itself). So a due date moved by hand, a forged event the workflow does not allow, or a
 * field changed without its event shows as a difference. What the replay leaves out: the kinds'
 * guards (`checks:`), which judge a request against other records and the moment it was made (a
 * room's bookings, a cutoff); they are not re-run.
 */

/** The office, workflows and calendar as they were at a commit (the files of its tree). */
export interface AuditConfig {
  office: OfficeConfig;
  workflows: ReadonlyMap<string, WorkflowDef>;
  calendar: Calendar;
}

/** A git identity with its time, as the commit has it. */
export interface CommitIdentity {
  name: string;
  email: string;
  /** Seconds since the epoch. */
  time: number;
}

/** What the audit reads of a commit. */
export interface CommitMeta {
  commit: string;
  parents: string[];
  author: CommitIdentity;
  committer: CommitIdentity;
  /** `Office-Doc-*` trailers (last value of each key), e.g. `Office-Doc-Action`. */
  trailers: Record<string, string>;
}

/** A record file the commit changed: its version in the parent and in the commit. */
export interface RecordChange {
  rel: string;
  id: string;
  kind: string;
  /** The parsed record, or `{ error }` when the file does not parse; undefined when there is none. */
  before?: RecordDoc | { error: string };
  after?: RecordDoc | { error: string };
}

/** One thing the audit found: in which commit, about which record or file, what. */
export interface AuditProblem extends Pick<Problem, "code" | "params"> {
  commit: string;
  record?: string;
  file?: string;
}

/** The commit actions that may change office.yaml, workflows or the calendar (CLI.md "Setup"). */
export const CONFIG_ACTIONS: ReadonlySet<string> = new Set([
  "init",
  "demo",
  "person-add",
  "person-set",
  "unit-add",
  "calendar-set",
  "calendar-import",
  "upgrade",
  "config-commit",
]);

/** Trailer keys (src/store/transact.ts writes them). */
export const TRAILER = {
  action: "Office-Doc-Action",
  record: "Office-Doc-Record",
  records: "Office-Doc-Records",
  actor: "Office-Doc-Actor",
  recorder: "Office-Doc-Recorded-By",
  recordActions: "Office-Doc-Record-Actions",
} as const;

/**
 * A kind's own action, replayed (`meeting reply`, `egov send`): the engine's result for `event` on
 * `prev` (undefined for a creation), or undefined when the hook does not apply to it (the generic
 * replay is used). Registered in CoreHooks `replays` under the event's action.
 */
export type ReplayHook = (r: {
  prev: RecordDoc | undefined;
  next: RecordDoc;
  event: HistoryEvent;
  ac: ActionContext;
}) => ActionResult | undefined;

const isRecord = (x: RecordDoc | { error: string } | undefined): x is RecordDoc =>
  x !== undefined && !("error" in x && Object.keys(x).length === 1);

/** The ids of a trailer that lists records (`IN-2026-0001, IN-2026-0002`). */
export function idsOf(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `ID=action, ...` of Office-Doc-Record-Actions. */
export function recordActionsOf(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of idsOf(value)) {
    const [k, v] = part.split("=").map((x) => x.trim());
    if (k && v) out.set(k, v);
  }
  return out;
}

/** The identity office-doc gives a person's commits (src/cli/context.ts identityOf). */
export function personIdentity(p: Person): { name: string; email: string } {
  return { name: p.name, email: p.email ?? `${p.id}@office-doc.invalid` };
}

/** git keeps an identity without `<`, `>` and line breaks, trimmed (git-objects.ts identLine). */
const cleanIdent = (s: string) => s.replace(/[<>\n]/g, "").trim();

function sameIdentity(p: Person, id: { name: string; email: string }): boolean {
  const want = personIdentity(p);
  return cleanIdent(want.name) === id.name && cleanIdent(want.email).toLowerCase() === id.email.toLowerCase();
}

/** Guards are not re-run by a replay (see the module's comment): every name answers "nothing". */
const NO_GUARDS: Record<string, Guard> = new Proxy({}, { get: () => () => undefined });

/** The action context of a replayed event: its people and time, the configuration given. */
export function replayContext(
  cfg: AuditConfig,
  wf: WorkflowDef,
  event: HistoryEvent,
  hooks: CoreHooks | undefined,
): ActionContext {
  const person = (id: string): Person => {
    const p = cfg.office.people.find((x) => x.id === id);
    if (!p) throw new OfficeError("refused", "verify.unknown-person", { person: id });
    return p;
  };
  return {
    office: cfg.office,
    wf,
    calendar: cfg.calendar,
    now: Date.parse(event.at),
    actor: person(event.actor),
    recorder: person(event.recorded_by),
    hooks: { guards: NO_GUARDS, forms: hooks?.forms ?? {}, replays: hooks?.replays ?? {} },
  };
}

const mapOf = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * What the engine makes of `event` on `prev` (undefined: the event creates the record), for the
 * record `next` is (its id, title and fields give what a creation was typed with). The kinds' own
 * actions go through `ac.hooks.replays`. Throws the engine's OfficeError when it refuses the action,
 * and `verify.unknown-action` for an action nothing replays.
 */
export function replayEvent(
  prev: RecordDoc | undefined,
  next: RecordDoc,
  event: HistoryEvent,
  ac: ActionContext,
): ActionResult {
  const hook = ac.hooks?.replays?.[event.action];
  const own = hook?.({ prev, next, event, ac });
  if (own) return own;
  const at = Date.parse(event.at);
  if (!prev) {
    if (event.action !== ac.wf.create_action)
      throw new OfficeError("refused", "verify.unknown-action", { action: event.action });
    const r = createRecord(ac, next.id, next.title, structuredClone(next.fields), at);
    if (event.reason !== undefined) r.event.reason = event.reason;
    return r;
  }
  const changes = mapOf(event.changes);
  switch (event.action) {
    case "sign": {
      const set = { ...changes };
      return sign(prev, ac, {
        ...(event.opinion !== undefined ? { opinion: event.opinion } : {}),
        ...(event.decision ? { decision: event.decision } : {}),
        ...(event.decision !== "return" && event.to?.length ? { to: [...event.to] } : {}),
        ...(Object.keys(set).length ? { set } : {}),
      });
    }
    case "route":
      return route(prev, ac, [...(event.to ?? [])], event.note);
    case "skip":
      return skip(prev, ac, event.reason ?? "");
    case "note":
    case "urge":
      return annotate(prev, ac, event.action, event.note);
    case "extend": {
      const approvedBy = ac.office.people.find((p) => p.id === event.approved_by);
      if (!approvedBy)
        throw new OfficeError("refused", "verify.unknown-person", { person: String(event.approved_by) });
      return extend(prev, ac, {
        ...(event.until ? { until: event.until } : {}),
        approvedBy,
        reason: event.reason ?? "",
        ...(event.caller_informed ? { callerInformed: true } : {}),
      });
    }
    case "file": {
      const archive = next.archive;
      if (!archive) throw new OfficeError("refused", "verify.no-archive", { id: next.id });
      const item = Number(/-(\d+)$/.exec(archive.number)?.[1] ?? Number.NaN);
      const unitId = roleValue(prev.fields, ac.wf, "responsible-unit");
      const unitCode = ac.office.units.find((u) => u.id === unitId)?.code;
      return fileRecord(prev, ac, archive.retention as Retention, item, unitCode);
    }
    case "reopen":
      return reopen(prev, ac, event.reason ?? "");
    case "withdraw":
      return withdraw(prev, ac, event.reason ?? "");
    case "correct": {
      const { title, ...fields } = changes;
      return correct(prev, ac, fields, {
        ...(typeof title === "string" ? { title } : {}),
        reason: event.reason ?? "",
      });
    }
    default:
      if (event.action === "revise" || event.action === ac.wf.create_action) {
        const { title, ...fields } = changes;
        return revise(prev, ac, typeof title === "string" ? title : prev.title, fields, at, event.reason);
      }
      throw new OfficeError("refused", "verify.unknown-action", { action: event.action });
  }
}

/** A value with its object keys sorted, for comparing records whatever their key order. */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sorted(x);
    }
    return out;
  }
  return v;
}

/** The record as compared: its keys in the written order's content, sorted, as JSON. */
export function canonical(rec: RecordDoc, wf: WorkflowDef): Record<string, string> {
  const o = orderedRecord(rec, wf);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = JSON.stringify(sorted(v));
  return out;
}

/**
 * The top-level keys where two records differ (history compared event by event: `history[3]`),
 * each with the two values, shortened for a message. `from`: the events before it are known to be
 * the same (rewrittenEvent checked them), so they are not compared again: a record's commits cost
 * the length of what each adds, not of its whole history each time.
 */
export function differences(
  file: RecordDoc,
  engine: RecordDoc,
  wf: WorkflowDef,
  from = 0,
): { key: string; file: string; engine: string }[] {
  const a = canonical(from ? { ...file, history: file.history.slice(from) } : file, wf);
  const b = canonical(from ? { ...engine, history: engine.history.slice(from) } : engine, wf);
  const out: { key: string; file: string; engine: string }[] = [];
  const cut = (s: string | undefined) => (s === undefined ? "-" : s.length > 60 ? `${s.slice(0, 57)}...` : s);
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[k] === b[k]) continue;
    if (k === "history") {
      const n = Math.max(file.history.length, engine.history.length);
      for (let i = from; i < n; i++) {
        const x = JSON.stringify(sorted(file.history[i]));
        const y = JSON.stringify(sorted(engine.history[i]));
        if (x !== y) out.push({ key: `history[${i}]`, file: cut(x), engine: cut(y) });
      }
    } else out.push({ key: k, file: cut(a[k]), engine: cut(b[k]) });
  }
  return out;
}

/** Actions that change no state of the record: sync may merge them in time order (core/merge.ts). */
const COMMUTING = new Set(["note", "urge"]);

/**
 * Where `after` holds one event more than `before`, all of `before`'s kept in their order: the
 * index of the new one; undefined when `after` is anything else.
 */
export function insertedAt(
  before: readonly HistoryEvent[],
  after: readonly HistoryEvent[],
): number | undefined {
  if (after.length !== before.length + 1) return undefined;
  const same = (x: unknown, y: unknown) => JSON.stringify(sorted(x)) === JSON.stringify(sorted(y));
  let i = 0;
  while (i < before.length && same(before[i], after[i])) i++;
  for (let j = i; j < before.length; j++) if (!same(before[j], after[j + 1])) return undefined;
  return i;
}

/** The first event of `before` that `after` does not keep at the same place, or -1 (append-only). */
export function rewrittenEvent(before: readonly HistoryEvent[], after: readonly HistoryEvent[]): number {
  for (let i = 0; i < before.length; i++)
    if (JSON.stringify(sorted(before[i])) !== JSON.stringify(sorted(after[i]))) return i;
  return -1;
}

/** The problem of a refused replay: the engine's message code and parameters, named. */
function refusal(commit: string, id: string, action: string, e: unknown): AuditProblem {
  if (e instanceof OfficeError)
    return {
      commit,
      record: id,
      code: "verify.refused",
      params: { id, action, code: e.code, ...e.params },
    };
  throw e;
}

/** What the audit of one commit needs besides the commit and its changes. */
export interface AuditInput {
  meta: CommitMeta;
  changes: readonly RecordChange[];
  /** office.yaml, workflows/... and calendar/… files the commit changed. */
  configFiles: readonly string[];
  /** Other files under egov/ the commit changed (e-gov check-ins: office-doc's too). */
  egovFiles: readonly string[];
  /** The configuration of the commit's parent, and of the commit itself. */
  before: AuditConfig;
  after: AuditConfig;
  hooks?: CoreHooks;
}

/** The engine's versions of the records a commit changed (for repairs), and what was wrong with it. */
export interface AuditResult {
  problems: AuditProblem[];
  /** Per record id: the engine's record after this commit, when it could be computed. */
  engine: Map<string, RecordDoc>;
  /** Numbers the commit gave: document numbers (`docno:kind:series`) and archive items. */
  numbers: { id: string; key: string; n: number; number: string }[];
}

/**
 * Audit one commit (see the module's comment). Config changes must be one of CONFIG_ACTIONS, made by
 * an administrator once the office has one (its id in Office-Doc-Actor, its identity the author's);
 * record changes as described above. A `calendar-*` commit recomputes due dates of open records
 * (Office-Doc-Records names them): each must be refreshDerived of its version before, on the new
 * calendar, with no event. A `merge` is replayed on both its records at once. `fix` events are
 * checked by the store (they need the record's whole history): here only their people.
 */
export function auditCommit(input: AuditInput): AuditResult {
  const { meta, changes, before, after } = input;
  const c = meta.commit;
  const problems: AuditProblem[] = [];
  const engine = new Map<string, RecordDoc>();
  const numbers: AuditResult["numbers"] = [];
  const action = meta.trailers[TRAILER.action];
  const touched = [...input.configFiles, ...input.egovFiles, ...changes.map((ch) => ch.rel)];
  if (!touched.length) return { problems, engine, numbers };
  if (!action) {
    for (const f of input.configFiles)
      problems.push({ commit: c, file: f, code: "verify.not-office-doc", params: { file: f } });
    for (const f of input.egovFiles)
      problems.push({ commit: c, file: f, code: "verify.not-office-doc", params: { file: f } });
    for (const ch of changes)
      problems.push({
        commit: c,
        record: ch.id,
        file: ch.rel,
        code: "verify.not-office-doc",
        params: { file: ch.rel },
      });
    return { problems, engine, numbers };
  }
  const actorId = meta.trailers[TRAILER.actor];
  const recorderId = meta.trailers[TRAILER.recorder];
  if (input.configFiles.length) {
    if (!CONFIG_ACTIONS.has(action))
      for (const f of input.configFiles)
        problems.push({ commit: c, file: f, code: "verify.config-action", params: { file: f, action } });
    else if (meta.parents.length && hasAdmin(before.office)) {
      const admin = before.office.people.find((p) => p.id === actorId);
      const ok =
        admin !== undefined &&
        isAdmin(before.office, admin) &&
        recorderId === actorId &&
        sameIdentity(admin, meta.author) &&
        sameIdentity(admin, meta.committer);
      if (!ok)
        problems.push({
          commit: c,
          file: input.configFiles[0] as string,
          code: "verify.config-not-admin",
          params: {
            file: input.configFiles.join(", "),
            person: actorId ?? `${meta.author.name} <${meta.author.email}>`,
            roles: adminRoles(before.office).join(", "),
          },
        });
    }
  }
  if (!changes.length) return { problems, engine, numbers };

  // Which records the trailers name, and each one's own action.
  const calendarAction = action.startsWith("calendar");
  const named = new Set([
    ...idsOf(meta.trailers[TRAILER.record]),
    ...(calendarAction ? idsOf(meta.trailers[TRAILER.records]) : []),
  ]);
  const own = recordActionsOf(meta.trailers[TRAILER.recordActions]);
  const changedIds = new Set(changes.map((ch) => ch.id));
  for (const id of named)
    if (!changedIds.has(id))
      problems.push({ commit: c, record: id, code: "verify.named-unchanged", params: { id } });

  const merged: { ch: RecordChange; event: HistoryEvent }[] = [];
  for (const ch of changes) {
    const p = (code: Problem["code"], params: Problem["params"]) =>
      problems.push({ commit: c, record: ch.id, file: ch.rel, code, params: { id: ch.id, ...params } });
    if (!named.has(ch.id)) {
      p("verify.not-named", { action });
      continue;
    }
    const wf = before.workflows.get(ch.kind) ?? after.workflows.get(ch.kind);
    if (!wf) {
      p("verify.unknown-kind", { kind: ch.kind });
      continue;
    }
    if (ch.after === undefined) {
      p("verify.removed", {});
      continue;
    }
    if (!isRecord(ch.after)) {
      p("verify.unparsable", { file: ch.rel, message: (ch.after as { error: string }).error });
      continue;
    }
    const next = ch.after;
    const prev = isRecord(ch.before) ? ch.before : undefined;
    const last = next.history[next.history.length - 1];
    if (last?.action === "fix" && (own.get(ch.id) ?? action) === "fix") {
      // A repair may put back what a hand edit took out of the history, or a file that did not
      // read: the store compares it with what the engine makes of the history (it needs all of it).
      for (const x of eventPeopleProblems(last, meta, before.office)) p(x.code, x.params);
      continue;
    }
    if (ch.before !== undefined && !prev) {
      // The version before did not parse: that commit was reported; this one is judged on its own.
      p("verify.after-unparsable", {});
      continue;
    }
    const old = prev?.history ?? [];
    const bad = rewrittenEvent(old, next.history);
    // sync merges two clerks' commuting actions in time order (issue 17): this clone's event, made
    // again on the remote's, may stand before events it did not see. Every earlier event is kept,
    // in its order; only one is new.
    const inserted = bad >= 0 ? insertedAt(old, next.history) : undefined;
    if (bad >= 0 && inserted === undefined) {
      const e = old[bad] as HistoryEvent;
      p("verify.history-rewritten", { n: bad + 1, action: String(e.action), at: String(e.at) });
      continue;
    }
    const added =
      inserted === undefined ? next.history.slice(old.length) : [next.history[inserted] as HistoryEvent];
    if (calendarAction) {
      if (added.length || !prev) {
        p("verify.calendar-event", {});
        continue;
      }
      const re = structuredClone(prev);
      refreshDerived(re, { office: after.office, wf, calendar: after.calendar });
      const diff = differences(next, re, wf);
      if (diff.length)
        p("verify.derived", { fields: diff.map((d) => d.key).join(", "), details: detailsOf(diff) });
      else engine.set(ch.id, re);
      continue;
    }
    if (added.length !== 1) {
      p(added.length ? "verify.events-count" : "verify.no-event", { n: added.length });
      continue;
    }
    const event = added[0] as HistoryEvent;
    const expected = own.get(ch.id) ?? action;
    if (event.action !== expected) p("verify.event-action", { event: event.action, commit: expected });
    const people = eventPeopleProblems(event, meta, before.office);
    for (const x of people) p(x.code, x.params);
    if (people.length) continue;
    // A `resolve` (issue 17) takes the record back to its state before the events it sets aside:
    // the store rebuilds that state from the history and compares (store/verify.ts checkResolves).
    if (event.action === "resolve") continue;
    if (event.action === "merge") {
      merged.push({ ch, event });
      continue;
    }
    try {
      const ac = replayContext(before, wf, event, input.hooks);
      const res = replayEvent(prev, next, event, ac);
      if (inserted !== undefined) {
        // Only an event that commutes may stand before others: the engine's event goes where the
        // file has it, and the state must be the same as with the event last.
        if (!COMMUTING.has(event.action)) {
          const e = old[bad] as HistoryEvent;
          p("verify.history-rewritten", { n: bad + 1, action: String(e.action), at: String(e.at) });
          continue;
        }
        const h = res.record.history.slice(0, -1);
        h.splice(inserted, 0, res.record.history[res.record.history.length - 1] as HistoryEvent);
        res.record.history = h;
      }
      const diff = differences(next, res.record, wf, inserted ?? old.length);
      if (diff.length)
        p("verify.derived", { fields: diff.map((d) => d.key).join(", "), details: detailsOf(diff) });
      else engine.set(ch.id, res.record);
      numbers.push(...numbersGiven(prev, next, wf, before.office));
    } catch (e) {
      problems.push(refusal(c, ch.id, event.action, e));
    }
  }
  if (merged.length) problems.push(...auditMerge(c, merged, before, input.hooks, engine));
  return { problems, engine, numbers };
}

/** A short "key: file X, engine Y" list of differences for a message. */
export function detailsOf(diff: { key: string; file: string; engine: string }[]): string {
  return diff
    .slice(0, 3)
    .map((d) => `${d.key}: ${d.file} / ${d.engine}`)
    .join("; ");
}

/**
 * The event's people and time against the commit (DESIGN.md: author = who acted, committer = who
 * typed): Office-Doc-Actor and -Recorded-By name the event's actor and recorder, the author is the
 * actor's identity in office.yaml at the commit's parent and the committer the recorder's, and the
 * author date is the event's time (to the second).
 */
export function eventPeopleProblems(
  event: HistoryEvent,
  meta: CommitMeta,
  office: OfficeConfig,
): Pick<Problem, "code" | "params">[] {
  const out: Pick<Problem, "code" | "params">[] = [];
  const actorId = meta.trailers[TRAILER.actor];
  const recorderId = meta.trailers[TRAILER.recorder];
  if (actorId !== event.actor)
    out.push({
      code: "verify.trailer-person",
      params: { key: "Actor", trailer: actorId ?? "-", event: event.actor },
    });
  if (recorderId !== event.recorded_by)
    out.push({
      code: "verify.trailer-person",
      params: { key: "Recorded-By", trailer: recorderId ?? "-", event: event.recorded_by },
    });
  const actor = office.people.find((p) => p.id === event.actor);
  const recorder = office.people.find((p) => p.id === event.recorded_by);
  if (!actor || !sameIdentity(actor, meta.author))
    out.push({
      code: "verify.event-author",
      params: { person: event.actor, commit: `${meta.author.name} <${meta.author.email}>` },
    });
  if (!recorder || !sameIdentity(recorder, meta.committer))
    out.push({
      code: "verify.event-committer",
      params: { person: event.recorded_by, commit: `${meta.committer.name} <${meta.committer.email}>` },
    });
  const at = Date.parse(event.at);
  if (Number.isNaN(at) || Math.floor(at / 1000) !== meta.author.time)
    out.push({
      code: "verify.event-time",
      params: { event: String(event.at), commit: new Date(meta.author.time * 1000).toISOString() },
    });
  return out;
}

/** `merge`: both records of the commit replayed at once (engine.mergeInto). */
function auditMerge(
  commit: string,
  merged: { ch: RecordChange; event: HistoryEvent }[],
  cfg: AuditConfig,
  hooks: CoreHooks | undefined,
  engine: Map<string, RecordDoc>,
): AuditProblem[] {
  const dup = merged.find((m) => m.event.to?.length);
  const target = merged.find((m) => m !== dup);
  const problem = (
    m: { ch: RecordChange },
    code: Problem["code"],
    params: Problem["params"],
  ): AuditProblem => ({
    commit,
    record: m.ch.id,
    file: m.ch.rel,
    code,
    params: { id: m.ch.id, ...params },
  });
  if (!dup || !target || merged.length !== 2) return merged.map((m) => problem(m, "verify.merge-pair", {}));
  const wf = cfg.workflows.get(dup.ch.kind) as WorkflowDef;
  try {
    const ac = replayContext(cfg, wf, dup.event, hooks);
    const r = mergeInto(
      dup.ch.before as RecordDoc,
      target.ch.before as RecordDoc,
      ac,
      dup.event.reason ?? "",
      dup.event.forced === true,
    );
    const out: AuditProblem[] = [];
    for (const [m, res] of [
      [dup, r.duplicate],
      [target, r.target],
    ] as const) {
      const diff = differences(m.ch.after as RecordDoc, res.record, wf);
      if (diff.length)
        out.push(
          problem(m, "verify.derived", {
            fields: diff.map((d) => d.key).join(", "),
            details: detailsOf(diff),
          }),
        );
      else engine.set(m.ch.id, res.record);
    }
    return out;
  } catch (e) {
    return [refusal(commit, dup.ch.id, "merge", e)];
  }
}

/**
 * The numbers a record got in this commit: a document number of a `numbers` step
 * (`docno:<kind>:<series>`, gapless per series) and an archive item (`archive:<series>`), the keys
 * of src/store/allocate.ts.
 */
export function numbersGiven(
  prev: RecordDoc | undefined,
  next: RecordDoc,
  wf: WorkflowDef,
  _office: OfficeConfig,
): { id: string; key: string; n: number; number: string }[] {
  const out: { id: string; key: string; n: number; number: string }[] = [];
  const field = wf.steps.find((s) => s.numbers)?.numbers?.field;
  const dn = field ? next.fields[field] : undefined;
  if (field && typeof dn === "string" && prev?.fields[field] !== dn) {
    const m = /^(.*\u3014\d{4}\u3015)(\d+)\u53f7$/.exec(dn);
    if (m) out.push({ id: next.id, key: `docno:${next.kind}:${m[1]}`, n: Number(m[2]), number: dn });
  }
  if (next.archive && !prev?.archive) {
    const a = /^(.*)-(\d+)$/.exec(next.archive.number);
    if (a) out.push({ id: next.id, key: `archive:${a[1]}`, n: Number(a[2]), number: next.archive.number });
  }
  return out;
}
