import type { Calendar } from "../calendar.js";
import type { IsoDate } from "../dates.js";
import { daysOverdue, workingDaysOverdue } from "../deadline.js";
import { personsWithRole } from "../engine.js";
import type { ListedSummary, OfficeConfig } from "../model.js";
import type { StepDef, WorkflowDef } from "../workflow.js";
import { heldBy } from "./list.js";

export interface OverdueRow {
  id: string;
  kind: string;
  title: string;
  step: string | null;
  holders: string[];
  due: IsoDate;
  /** Calendar days since the due day ended; 0 for what is not overdue yet (with --within). */
  days_overdue: number;
  /** Working days after the due day up to and including the as-of day; 0 when not overdue. */
  working_days_overdue: number;
  /**
   * `overdue` (the due day ended before the as-of day), `due-today` (it is the as-of day) or
   * `due-soon` (later, within `--within`): the words `list` uses for the same days (deadline.ts
   * dueStateBy).
   */
  state: "overdue" | "due-today" | "due-soon";
  classification?: string;
}

export interface OverdueQuery {
  /** The office day the list is for; a record is overdue when its due day ended before this day began. */
  asOf: IsoDate;
  /** Also list what falls due within the next N working days (0: only overdue). */
  within?: number;
  kind?: string;
  unit?: string;
  holder?: string;
}

/**
 * The last due date that `within` working days after `asOf` reach (the start day not counted), or
 * null without `within`: what falls due by then is listed besides what is overdue.
 */
export function dueHorizon(calendar: Calendar, asOf: IsoDate, within: number | undefined): IsoDate | null {
  return within && within > 0 ? calendar.addWorkingDays(asOf, within).date : null;
}

/**
 * The overdue list: open records whose current step's due day has ended before `asOf` (and, with
 * `within`, those due in the next N working days), most overdue first. Grows with open records only.
 */
export function overdueReport(
  open: readonly ListedSummary[],
  office: OfficeConfig,
  calendar: Calendar,
  q: OverdueQuery,
): OverdueRow[] {
  const horizon = dueHorizon(calendar, q.asOf, q.within);
  const rows: OverdueRow[] = [];
  // Thousands of rows share a few hundred due dates: count each date's days once.
  const daysByDue = new Map<IsoDate, [number, number]>();
  const daysSince = (due: IsoDate) => {
    let n = daysByDue.get(due);
    if (n === undefined) {
      n = [daysOverdue(due, q.asOf), workingDaysOverdue(due, q.asOf, calendar)];
      daysByDue.set(due, n);
    }
    return n;
  };
  for (const s of open) {
    if (s.status !== "open" || s.due === null) continue;
    if (q.kind && s.kind !== q.kind) continue;
    if (q.unit && s.unit !== q.unit && !s.holders.includes(q.unit)) continue;
    if (q.holder && !heldBy(s, q.holder, office)) continue;
    const overdue = s.due < q.asOf;
    if (!overdue && !(horizon !== null && s.due <= horizon)) continue;
    const [days, workingDays] = overdue ? daysSince(s.due) : [0, 0];
    const row: OverdueRow = {
      id: s.id,
      kind: s.kind,
      title: s.title,
      step: s.step,
      holders: s.holders,
      due: s.due,
      days_overdue: days,
      working_days_overdue: workingDays,
      state: overdue ? "overdue" : s.due === q.asOf ? "due-today" : "due-soon",
    };
    if (s.classification) row.classification = s.classification;
    rows.push(row);
  }
  return rows.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.id < b.id ? -1 : 1));
}

/**
 * Rows grouped by who holds them, groups in first-due order: under each of `groupsOf(row)` (by
 * default its holders; a record held by two appears under each), or under "" when it has none.
 */
export function groupByHolder(
  rows: readonly OverdueRow[],
  groupsOf: (row: OverdueRow) => readonly string[] = (r) => r.holders,
): Map<string, OverdueRow[]> {
  const groups = new Map<string, OverdueRow[]>();
  for (const r of rows) {
    const gs = groupsOf(r);
    for (const h of gs.length ? gs : [""]) {
      const g = groups.get(h) ?? [];
      g.push(r);
      groups.set(h, g);
    }
  }
  return groups;
}

/** The prefix of a holder group that is a role (or roles) rather than a person or a unit. */
const ROLE_GROUP = "role:";

/** A role group's roles and unit: `role:office,clerk` or `role:unit-head@urban`; undefined for a person or unit id. */
export function parseRoleGroup(key: string): { roles: string[]; unit?: string } | undefined {
  if (!key.startsWith(ROLE_GROUP)) return undefined;
  const [roles = "", unit] = key.slice(ROLE_GROUP.length).split("@");
  return unit === undefined ? { roles: roles.split(",") } : { roles: roles.split(","), unit };
}

const roleGroup = (roles: readonly string[], unit: string | undefined) =>
  `${ROLE_GROUP}${roles.join(",")}${unit === undefined ? "" : `@${unit}`}`;

/**
 * Who a record is waiting for, as the overdue list groups it: the roles of a step that any one of
 * their members may do (`role:office,office-head,clerk`; `role:unit-head@urban` for a step of the
 * record's unit), each role of a step that every role signs, or else the holders themselves (routed
 * people and units, readers who must each sign). A role group stands for two or more people; one
 * person is listed as that person. Derived from the step's actor rule (workflows/<kind>.yaml) and
 * office.yaml, so summaries carry nothing new: a record a whole role may take up is listed once,
 * not once for each member (engine.ts eligibility makes each member a holder). A holder who no longer
 * has the role (office.yaml changed since the record's last action) leaves the record under its
 * holders, as before.
 */
export function holderGroups(
  holders: readonly string[],
  step: StepDef | undefined,
  office: OfficeConfig,
): readonly string[] {
  if (!step || holders.length < 2) return holders;
  const a = step.actor;
  const roles = a.roles ?? (a.role_by_field ? [...new Set(Object.values(a.role_by_field.map))] : undefined);
  const personOf = new Map(office.people.map((p) => [p.id, p]));
  const people = holders.map((h) => personOf.get(h));
  if (people.some((p) => p === undefined)) return holders;
  // A step of the record's unit (unit_field): all its holders are of that unit.
  const unit = a.unit_field ? people[0]?.unit : undefined;
  if (unit !== undefined && people.some((p) => p?.unit !== unit)) return holders;
  const members = (rs: readonly string[]) => personsWithRole(office, rs, unit).map((p) => p.id);
  if (roles && !a.all) {
    // role_by_field picks one of its roles by the record's field: the one all holders have.
    const set = a.roles ? roles : roles.filter((r) => people.every((p) => p?.roles.includes(r)));
    const ok = set.length > 0 && people.every((p) => p?.roles.some((r) => set.includes(r)));
    return ok ? [roleGroup(a.roles ? set : [set[0] as string], unit)] : holders;
  }
  if (roles && a.all) {
    // Each role still to sign is a group (eligibility lists their members in role order).
    const out: string[] = [];
    const left = new Set(holders);
    for (const r of roles) {
      const m = members([r]).filter((id) => left.has(id));
      if (m.length === 0) continue;
      for (const id of m) left.delete(id);
      out.push(...(m.length > 1 ? [roleGroup([r], unit)] : m));
    }
    return left.size ? holders : out;
  }
  if ((a.routed || a.leader_of !== undefined) && a.fallback_roles) {
    // Nobody routed yet, or a unit without a leader in charge: the fallback roles hold it — exactly them.
    const m = members(a.fallback_roles);
    if (m.length === holders.length && m.every((id) => holders.includes(id)))
      return [roleGroup(a.fallback_roles, undefined)];
  }
  return holders;
}

/**
 * holderGroups for the rows of a listing: one computation per kind, step and set of holders
 * (thousands of rows share a few dozen).
 */
export function holderGroupsFor(
  office: OfficeConfig,
  workflows: readonly WorkflowDef[],
): (row: Pick<OverdueRow, "kind" | "step" | "holders">) => readonly string[] {
  const wfs = new Map(workflows.map((w) => [w.kind, w]));
  const memo = new Map<string, readonly string[]>();
  return (row) => {
    if (row.holders.length < 2) return row.holders;
    const key = `${row.kind}\u0000${row.step}\u0000${row.holders.join(",")}`;
    let g = memo.get(key);
    if (g === undefined) {
      const step = wfs.get(row.kind)?.steps.find((s) => s.id === row.step);
      g = holderGroups(row.holders, step, office);
      memo.set(key, g);
    }
    return g;
  };
}
