import type { Calendar } from "../calendar.js";
import { daysBetween, type IsoDate } from "../dates.js";
import type { HistoryEvent, OfficeConfig, RecordDoc, RecordSummary } from "../model.js";
import { type Condition, fieldByRole, findStep, type StepDef, type WorkflowDef } from "../workflow.js";

/**
 * The supervision ledger (督办台账): every open item under supervision, across kinds, with its lead
 * unit, holders, due date, days left and a warning light, and the on-time rate per unit over a period.
 * What is supervised is data: a step of a workflow that says `supervised: true` (or a condition on
 * the record's fields), so that an office's own kind joins the ledger by saying so. Seed §9 ("matters
 * … shall be supervised regularly and irregularly"); the lights are those of government OA suites
 * (yellow a few days before the deadline, red when overdue).
 */

/** A warning light: green (on schedule), yellow (due within N working days), red (overdue). */
export type Light = "green" | "yellow" | "red";

/** Does `cond` hold for a record whose fields read `value(field)` (typed values, or the index's text)? */
function holdsOn(cond: Condition, value: unknown): boolean {
  const v = value === undefined || value === null ? undefined : String(value);
  if (cond.in) return cond.in.some((x) => String(x) === v);
  if (cond.equals !== undefined) return String(cond.equals) === v;
  return v !== undefined && v !== "" && v !== "false";
}

/**
 * Is a record at `step` under supervision? `value(field)` reads the record's fields (only asked for
 * the field of a `supervised` condition).
 */
export function isSupervised(step: StepDef | undefined, value: (field: string) => unknown): boolean {
  const s = step?.supervised;
  if (s === undefined || s === false) return false;
  return s === true || holdsOn(s, value(s.field));
}

/** The workflows with at least one supervised step: the only kinds the ledger looks at. */
export function supervisedWorkflows(workflows: readonly WorkflowDef[]): WorkflowDef[] {
  return workflows.filter((w) => w.steps.some((s) => s.supervised !== undefined && s.supervised !== false));
}

/**
 * The light of a due date on the office day `asOf`: red when the due day ended before `asOf` began,
 * yellow when it is no later than `horizon` (the day `yellow_within` working days after `asOf`, the
 * start day not counted: 0 makes only what is due today yellow), green otherwise or with no due date.
 */
export function lightOf(due: IsoDate | null, asOf: IsoDate, horizon: IsoDate): Light {
  if (due === null) return "green";
  if (due < asOf) return "red";
  return due <= horizon ? "yellow" : "green";
}

export interface LedgerItem {
  id: string;
  kind: string;
  title: string;
  step: string;
  /** The lead unit (the record's responsible unit), else the units holding it; may be empty. */
  units: string[];
  holders: string[];
  due: IsoDate | null;
  /** Calendar days from `asOf` to the due day: 0 due today, negative when overdue; null without a due date. */
  days_left: number | null;
  /**
   * Working days after `asOf` up to the due day (the start day not counted); when overdue, minus the
   * working days after the due day up to `asOf`. null without a due date.
   */
  working_days_left: number | null;
  light: Light;
}

export interface LedgerQuery {
  /** The office day of the ledger. */
  asOf: IsoDate;
  /** Working days before the due date when the light turns yellow (office.yaml `supervision.yellow_within`). */
  yellowWithin: number;
  kind?: string;
  /** Only items this unit leads or holds. */
  unit?: string;
}

/**
 * The ledger: the open records of `open` waiting at a supervised step, earliest due first (so red,
 * then yellow, then green; no due date last), then by id. A summary made before a workflow named a
 * condition's field lacks it in `extra`: `fieldsOf` reads that record's fields (the CLI reads its
 * file). Grows with the open records.
 */
export function supervisionLedger(
  open: readonly RecordSummary[],
  workflows: readonly WorkflowDef[],
  office: OfficeConfig,
  calendar: Calendar,
  q: LedgerQuery,
  fieldsOf: (s: RecordSummary) => Record<string, unknown> | undefined = () => undefined,
): LedgerItem[] {
  const wfs = new Map(supervisedWorkflows(workflows).map((w) => [w.kind, w]));
  const units = new Set(office.units.map((u) => u.id));
  const horizon = calendar.addWorkingDays(q.asOf, q.yellowWithin).date;
  const items: LedgerItem[] = [];
  for (const s of open) {
    const wf = wfs.get(s.kind);
    if (!wf || s.status !== "open" || (q.kind && s.kind !== q.kind)) continue;
    const step = findStep(wf, s.step);
    let fields: Record<string, unknown> | undefined;
    const value = (f: string) => {
      if (s.extra?.[f] !== undefined) return s.extra[f];
      fields ??= fieldsOf(s) ?? {};
      return fields[f];
    };
    if (!step || !isSupervised(step, value)) continue;
    const lead = s.unit ? [s.unit] : s.holders.filter((h) => units.has(h));
    if (q.unit && !lead.includes(q.unit) && !s.holders.includes(q.unit)) continue;
    const due = s.due;
    items.push({
      id: s.id,
      kind: s.kind,
      title: s.title,
      step: step.id,
      units: lead,
      holders: s.holders,
      due,
      days_left: due === null ? null : daysBetween(q.asOf, due),
      working_days_left:
        due === null
          ? null
          : due >= q.asOf
            ? calendar.workingDaysBetween(q.asOf, due)
            : -calendar.workingDaysBetween(due, q.asOf),
      light: lightOf(due, q.asOf, horizon),
    });
  }
  return items.sort((a, b) =>
    a.due === b.due ? (a.id < b.id ? -1 : 1) : a.due === null ? 1 : b.due === null || a.due < b.due ? -1 : 1,
  );
}

export interface RateRow {
  /** A unit id, or "" for items with no unit. */
  unit: string;
  /** Items that left supervision in the period. */
  finished: number;
  on_time: number;
  late: number;
  /** on_time / finished in percent, one decimal, rounded half up, as an exact decimal string; null when none finished. */
  on_time_rate: string | null;
  /** Items on the ledger now. */
  open: number;
  /** … of which overdue (red). */
  overdue: number;
}

export interface RateQuery {
  /** The period (office dates, inclusive) in which an item left supervision. */
  from?: IsoDate;
  to?: IsoDate;
}

/** One round of a supervised step that was completed: when, by when it was due, and who signed it. */
interface Round {
  step: StepDef;
  date: IsoDate;
  due?: IsoDate;
  /** Each signature of the round: the signer and the day. */
  signs: { actor: string; date: IsoDate }[];
}

const dayOf = (at: string) => at.slice(0, 10);

/**
 * The completed rounds of `rec`'s supervised steps: each run of consecutive events on a step that
 * ends with its completion (a signature, not a return, after which the record moved on). The
 * completing event carries the step's due date then (engine.ts sign).
 */
function supervisedRounds(rec: RecordDoc, wf: WorkflowDef): Round[] {
  const rounds: Round[] = [];
  const h = rec.history;
  let start = 0;
  for (let i = 0; i < h.length; i++) {
    const e = h[i] as HistoryEvent;
    const next = h[i + 1];
    const stepId = e.step;
    // The end of a run of events on one step.
    if (next && next.step === stepId && stepId !== undefined) continue;
    const run = h.slice(start, i + 1);
    start = i + 1;
    const step = stepId === undefined ? undefined : findStep(wf, stepId);
    const completed =
      (e.action === "sign" || e.action === "file") &&
      e.decision !== "return" &&
      (next !== undefined || rec.step !== stepId);
    if (!step || !completed || !isSupervised(step, (f) => rec.fields[f])) continue;
    rounds.push({
      step,
      date: dayOf(e.at),
      ...(e.due ? { due: e.due } : {}),
      signs: run
        .filter((x) => (x.action === "sign" || x.action === "file") && x.decision !== "return")
        .map((x) => ({ actor: x.actor, date: dayOf(x.at) })),
    });
  }
  return rounds;
}

/**
 * Who a finished item counts for, and whether it was on time for each: the record's responsible
 * unit, on time when every supervised round was done by its due date; without one, each unit whose
 * members signed a round of a step held by routed, listed or countersigning people (an inspection's
 * each inspected unit), on time when its own signatures were; else "" (no unit).
 */
function itemsOf(
  rec: RecordDoc,
  wf: WorkflowDef,
  rounds: Round[],
  office: OfficeConfig,
): Map<string, boolean> {
  const onTime = (r: Round, date = r.date) => r.due === undefined || date <= r.due;
  const out = new Map<string, boolean>();
  const unitField = fieldByRole(wf, "responsible-unit");
  const unit = unitField ? rec.fields[unitField.id] : undefined;
  if (typeof unit === "string" && unit)
    return out.set(
      unit,
      rounds.every((r) => onTime(r)),
    );
  const unitOf = new Map(office.people.map((p) => [p.id, p.unit]));
  for (const r of rounds) {
    const a = r.step.actor;
    if (!(a.routed || a.from_field || a.same_as)) continue;
    for (const sg of r.signs) {
      const u = unitOf.get(sg.actor);
      if (u) out.set(u, (out.get(u) ?? true) && onTime(r, sg.date));
    }
  }
  return out.size
    ? out
    : out.set(
        "",
        rounds.every((r) => onTime(r)),
      );
}

/** `n / d` in percent with one decimal, rounded half up, exactly (integers only). */
export function percentOf(n: number, d: number): string {
  const tenths = Math.floor((n * 2000 + d) / (2 * d));
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/**
 * The on-time rate per unit: the records of `records` that left supervision in the period (their
 * last supervised step completed between `from` and `to`, and the record no longer at a supervised
 * step), each counted once for each unit it counts for (itemsOf), on time or late; with what the
 * ledger `ledger` holds now per unit (open, and overdue: red). Units in id order, "" last.
 */
export function supervisionRates(
  records: readonly RecordDoc[],
  workflows: readonly WorkflowDef[],
  office: OfficeConfig,
  q: RateQuery,
  ledger: readonly LedgerItem[],
): RateRow[] {
  const wfs = new Map(supervisedWorkflows(workflows).map((w) => [w.kind, w]));
  const rows = new Map<string, RateRow>();
  const row = (unit: string) => {
    let r = rows.get(unit);
    if (!r) {
      r = { unit, finished: 0, on_time: 0, late: 0, on_time_rate: null, open: 0, overdue: 0 };
      rows.set(unit, r);
    }
    return r;
  };
  for (const rec of records) {
    const wf = wfs.get(rec.kind);
    if (!wf) continue;
    if (rec.status === "open" && isSupervised(findStep(wf, rec.step), (f) => rec.fields[f])) continue;
    const rounds = supervisedRounds(rec, wf);
    // Rounds are in the order of the history: the last one is when the item left supervision.
    const last = rounds.at(-1)?.date;
    if (!last || (q.from && last < q.from) || (q.to && last > q.to)) continue;
    for (const [unit, ok] of itemsOf(rec, wf, rounds, office)) {
      const r = row(unit);
      r.finished++;
      if (ok) r.on_time++;
      else r.late++;
    }
  }
  for (const item of ledger)
    for (const unit of item.units.length ? item.units : [""]) {
      const r = row(unit);
      r.open++;
      if (item.light === "red") r.overdue++;
    }
  for (const r of rows.values()) r.on_time_rate = r.finished ? percentOf(r.on_time, r.finished) : null;
  return [...rows.values()].sort((a, b) =>
    a.unit === b.unit ? 0 : a.unit === "" ? 1 : b.unit === "" ? -1 : a.unit < b.unit ? -1 : 1,
  );
}
