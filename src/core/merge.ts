import { type ActionContext, type ActionResult, extend, route, sign } from "./engine.js";
import type { HistoryEvent, Person, RecordDoc } from "./model.js";
import { OfficeError } from "./problems.js";

/**
 * Merging two clerks' work on one record (issue 17): the version both started from (`base`), the
 * version the shared remote has (`theirs`) and this clone's (`mine`). Records are merged by their
 * events, never by lines of YAML:
 *
 * - when one side only added events that change nothing but the history (notes, reminders), the
 *   other side's record takes them, the events of both in time order;
 * - when both changed the record's state, every event since the base is applied again through the
 *   engine, in time order (two readers' signatures on a circulation: both stand, and the later one
 *   completes the step); the remote's events must come out of it unchanged, since they are shared.
 *   Failing that, this clone's events are applied after the remote's (commit order);
 * - otherwise (two different instructions at the same step: the engine refuses the second) the two
 *   do not commute: a conflict, for a person to resolve (`office-doc resolve ID`).
 *
 * Events are kept as they were recorded; an event applied again may gain the `due` of the step it
 * now completes. The remote's events are never changed or removed, so a merged history keeps each
 * parent's events unchanged and in order (what `verify` checks), with this clone's placed by time.
 * Pure: the engine's action contexts come from `ReplayContext`.
 */

/** Events that add to the history and change nothing else (engine.annotate). */
const HISTORY_ONLY = new Set(["note", "urge"]);

/** What re-applying events needs: the engine's context for an event's people at its time. */
export interface ReplayContext {
  /** The context of `e`'s action (its actor and recorder, at its time); undefined when unknown. */
  contextFor(e: HistoryEvent): ActionContext | undefined;
  person(id: string): Person | undefined;
}

/** Why two versions of a record could not be merged. */
export interface MergeConflict {
  id: string;
  /** The step of the record where the two parted. */
  step: string | null;
  /** The events each side added since. */
  mine: HistoryEvent[];
  theirs: HistoryEvent[];
  /** "history-changed" (an event was changed or removed), "both-changed", or the engine's refusal code. */
  reason: string;
}

export type MergeOutcome =
  | { record: RecordDoc; dropped: HistoryEvent[]; conflict?: undefined }
  | { conflict: MergeConflict; record?: undefined };

/**
 * How to settle a record that conflicts: `remote` keeps the remote's events and applies this
 * clone's where the engine still accepts them (the others are dropped and returned); `local` is
 * handled by the caller (a `resolve` event sets the remote's aside; see resolveEvent).
 */
export type Keep = "local" | "remote";

/** A plain JSON value compared by content (YAML gives maps in any key order). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** Everything of a record but its history: what its events made of it. */
function stateOf(r: RecordDoc): Record<string, unknown> {
  const { history: _h, ...rest } = r;
  return rest;
}

const timeOf = (e: HistoryEvent) => Date.parse(e.at);

/**
 * The two sides' events in one list by time, each side's own order kept (a stable merge; on equal
 * times the remote's first). Everything of the remote's up to its last `resolve` event comes first:
 * what a person settled is not reordered.
 */
export function interleave(theirs: HistoryEvent[], mine: HistoryEvent[]): HistoryEvent[] {
  const barrier = theirs.map((e) => e.action).lastIndexOf("resolve") + 1;
  const out = theirs.slice(0, barrier);
  let i = barrier;
  let j = 0;
  while (i < theirs.length || j < mine.length) {
    const t = theirs[i];
    const m = mine[j];
    if (t && (!m || timeOf(t) <= timeOf(m))) {
      out.push(t);
      i++;
    } else if (m) {
      out.push(m);
      j++;
    }
  }
  return out;
}

/**
 * The events of `history` that are not among `base`'s (compared by content, each of base's taken
 * once), in their order; undefined when one of base's events is missing from `history` (changed or
 * removed: never merged). Not a prefix test: a history merged by time may have an event placed
 * among the base's.
 */
export function eventsSince(history: HistoryEvent[], base: HistoryEvent[]): HistoryEvent[] | undefined {
  const rest = [...history];
  for (const e of base) {
    const i = rest.findIndex((x) => sameValue(x, e));
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return rest;
}

const withoutDue = (e: HistoryEvent): HistoryEvent => {
  const { due: _d, ...rest } = e;
  return rest;
};

/**
 * Apply one recorded event to `rec` again through the engine. History-only events are taken as
 * they are. Returns the new record and the event as the engine made it now; throws the engine's
 * refusal, or OfficeError `merge.not-replayable` for actions that cannot be applied again here.
 */
export function replayEvent(rec: RecordDoc, e: HistoryEvent, rc: ReplayContext): ActionResult {
  if (HISTORY_ONLY.has(e.action)) {
    const record = structuredClone(rec);
    record.history.push(e);
    return { record, event: e, uncoveredYears: [] };
  }
  const ctx = rc.contextFor(e);
  if (!ctx) throw new OfficeError("refused", "merge.not-replayable", { action: e.action });
  if (rec.step !== (e.step ?? null) || rec.status !== "open")
    throw new OfficeError("refused", "engine.wrong-step", {
      id: rec.id,
      step: rec.step ?? "",
      expected: e.step ?? "",
    });
  if (e.action === "sign") {
    const returned = e.decision === "return";
    return sign(rec, ctx, {
      ...(e.opinion ? { opinion: e.opinion } : {}),
      ...(e.decision ? { decision: e.decision } : {}),
      ...(!returned && e.to?.length ? { to: e.to } : {}),
      ...(e.step ? { expectStep: e.step } : {}),
      ...(e.changes && Object.keys(e.changes).length ? { set: e.changes } : {}),
    });
  }
  if (e.action === "route" && e.to?.length) return route(rec, ctx, e.to, e.note);
  if (e.action === "extend" && e.until && e.approved_by && e.reason) {
    const approvedBy = rc.person(e.approved_by);
    if (approvedBy)
      return extend(rec, ctx, {
        until: e.until,
        approvedBy,
        reason: e.reason,
        ...(e.caller_informed ? { callerInformed: true } : {}),
      });
  }
  throw new OfficeError("refused", "merge.not-replayable", { action: e.action });
}

/**
 * Apply `events` to `start` in order; `fixed` events must come out exactly as recorded, the others
 * may gain a `due`. Returns the record, or the refusal's code.
 */
function replayAll(
  start: RecordDoc,
  events: { e: HistoryEvent; fixed: boolean }[],
  rc: ReplayContext,
): RecordDoc | string {
  let rec = start;
  for (const { e, fixed } of events) {
    let r: ActionResult;
    try {
      r = replayEvent(rec, e, rc);
    } catch (err) {
      if (err instanceof OfficeError) return err.code;
      throw err;
    }
    const same = fixed ? sameValue(r.event, e) : sameValue(withoutDue(r.event), withoutDue(e));
    if (!same) return "merge.event-changed";
    rec = r.record;
  }
  return rec;
}

/**
 * Merge this clone's version of a record with the remote's, both made from `base` (see above).
 * With `keep: "remote"`, this clone's events that the engine no longer accepts on the remote's
 * version are dropped (returned in `dropped`) instead of making a conflict.
 */
export function mergeRecord(
  base: RecordDoc,
  theirs: RecordDoc,
  mine: RecordDoc,
  rc: ReplayContext,
  keep?: Keep,
): MergeOutcome {
  const eT = eventsSince(theirs.history, base.history);
  const eM = eventsSince(mine.history, base.history);
  if (!eT || !eM)
    return {
      conflict: {
        id: mine.id,
        step: base.step,
        mine: eM ?? mine.history,
        theirs: eT ?? theirs.history,
        reason: "history-changed",
      },
    };
  const conflict = (reason: string): MergeOutcome => ({
    conflict: { id: mine.id, step: base.step, mine: eM, theirs: eT, reason },
  });
  // The remote's history stays as it is (shared); this clone's new events go in by time.
  const mineOnlyHistory = sameValue(stateOf(mine), stateOf(base));
  const theirsOnlyHistory = sameValue(stateOf(theirs), stateOf(base));
  if (mineOnlyHistory) return { record: { ...theirs, history: interleave(theirs.history, eM) }, dropped: [] };
  if (theirsOnlyHistory) return { record: { ...mine, history: interleave(theirs.history, eM) }, dropped: [] };
  if (keep === "remote") {
    // The remote's version stands; each of this clone's events is applied on it where it still can be.
    let rec = theirs;
    const dropped: HistoryEvent[] = [];
    for (const e of eM) {
      try {
        const r = replayEvent(rec, e, rc);
        if (sameValue(withoutDue(r.event), withoutDue(e))) rec = r.record;
        else dropped.push(e);
      } catch (err) {
        if (!(err instanceof OfficeError)) throw err;
        dropped.push(e);
      }
    }
    return { record: rec, dropped };
  }
  // Everyone's events again from the base, by time: the remote's must come out unchanged.
  const mineSet = new Set(eM);
  const byTime = interleave(eT, eM).map((e) => ({ e, fixed: !mineSet.has(e) }));
  const inTime = replayAll(base, byTime, rc);
  if (typeof inTime !== "string") return { record: inTime, dropped: [] };
  // This clone's after the remote's, in the order they were shared.
  const after = replayAll(
    theirs,
    eM.map((e) => ({ e, fixed: false })),
    rc,
  );
  if (typeof after !== "string") return { record: after, dropped: [] };
  return conflict(after);
}

/**
 * How a `resolve` event names an event it sets aside, in its note (`sign (propose) wang 2026-…`):
 * `verify` leaves the events so named out when it rebuilds the state the resolve went back to.
 */
export function asideKey(e: HistoryEvent): string {
  return `${e.action}${e.step ? ` (${e.step})` : ""} ${e.actor} ${e.at}`;
}

/** The events a `resolve` event's note names as set aside (see asideKey). */
export function asideKeys(resolve: HistoryEvent): Set<string> {
  return new Set(
    String(resolve.note ?? "")
      .split("; ")
      .filter(Boolean),
  );
}

/**
 * The record that sets the remote's events since `base` aside so that this clone's stand (`resolve
 * ID --keep local`): the base's state, the remote's history (shared: never removed) and one
 * `resolve` event by the person who chose, naming each event set aside. This clone's commits then
 * apply on it as they did on the base.
 */
export function resolveEvent(
  base: RecordDoc,
  theirs: RecordDoc,
  by: { actor: string; at: string; reason: string },
): RecordDoc {
  const aside = eventsSince(theirs.history, base.history) ?? theirs.history.slice(base.history.length);
  const event: HistoryEvent = {
    action: "resolve",
    at: by.at,
    actor: by.actor,
    recorded_by: by.actor,
    ...(base.step ? { step: base.step } : {}),
    reason: by.reason,
    note: aside.map(asideKey).join("; "),
  };
  return { ...structuredClone(base), history: [...theirs.history, event] };
}
