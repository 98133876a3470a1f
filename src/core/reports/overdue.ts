import type { Calendar } from "../calendar.js";
import type { IsoDate } from "../dates.js";
import { daysOverdue, workingDaysOverdue } from "../deadline.js";
import type { ListedSummary, OfficeConfig } from "../model.js";
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
    };
    if (s.classification) row.classification = s.classification;
    rows.push(row);
  }
  return rows.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.id < b.id ? -1 : 1));
}

/** Rows grouped by holder (a record held by two appears under each), holders in first-due order. */
export function groupByHolder(rows: readonly OverdueRow[]): Map<string, OverdueRow[]> {
  const groups = new Map<string, OverdueRow[]>();
  for (const r of rows) {
    const hs = r.holders.length ? r.holders : [""];
    for (const h of hs) {
      const g = groups.get(h) ?? [];
      g.push(r);
      groups.set(h, g);
    }
  }
  return groups;
}
