import type { Calendar, CalendarDate } from "./calendar.js";
import { daysBetween, type IsoDate, isIsoDate, yearOf } from "./dates.js";
import type { Condition, LimitRule, StepDef, WorkflowDef } from "./workflow.js";

export interface LimitContext {
  calendar: Calendar;
  /** Office date on which the current step began. */
  stepStart: IsoDate;
  /** Office date on which the record was created (or its current handling round began). */
  recordStart: IsoDate;
  /** Office date on which each step was last completed, for limits counted from another step. */
  stepDone?: Record<string, IsoDate>;
  fields: Record<string, unknown>;
}

/** Does `cond` hold for these record fields? */
export function conditionHolds(cond: Condition, fields: Record<string, unknown>): boolean {
  const v = fields[cond.field];
  if (cond.in) return cond.in.some((x) => x === v);
  if (cond.equals !== undefined) return v === cond.equals;
  return v !== undefined && v !== null && v !== false && v !== "";
}

function dateOfField(v: unknown): IsoDate | undefined {
  if (typeof v !== "string") return undefined;
  const d = v.slice(0, 10);
  return isIsoDate(d) ? d : undefined;
}

function lastDayOfMonth(month: string): number {
  const [y, m] = month.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, m ?? 1, 0)).getUTCDate();
}

/**
 * The deadline a limit rule gives: a plain date whose end (23:59:59 office time) is the deadline.
 * Working days are counted from the day after the start. A same-day limit (`same_day`, or
 * `working_days: 0`) that starts on a rest day falls on the next working day: an immediate call
 * registered on a holiday is due at the end of the first working day after it. A day of the month
 * (`day_of_month`) that is a rest day moves to the working day before it (`rest_day: after`: the
 * working day after). `undefined` when the rule needs a field the record does not have.
 */
export function applyLimit(rule: LimitRule, ctx: LimitContext): CalendarDate | undefined {
  if ("same_day" in rule) return ctx.calendar.sameWorkingDay(ctx.stepStart);
  if ("working_days_before" in rule) {
    const d = dateOfField(ctx.fields[rule.field]);
    return d === undefined ? undefined : ctx.calendar.workingDaysBefore(d, rule.working_days_before);
  }
  if ("working_days" in rule) {
    const start = rule.from_step
      ? (ctx.stepDone?.[rule.from_step] ?? ctx.stepStart)
      : rule.from === "record"
        ? ctx.recordStart
        : ctx.stepStart;
    return rule.working_days === 0
      ? ctx.calendar.sameWorkingDay(start)
      : ctx.calendar.addWorkingDays(start, rule.working_days);
  }
  if ("date_field" in rule) {
    const d = dateOfField(ctx.fields[rule.date_field]);
    return d === undefined ? undefined : ctx.calendar.addWorkingDays(d, 0);
  }
  if ("day_of_month" in rule) {
    const mv = rule.month_field ? ctx.fields[rule.month_field] : undefined;
    const month = typeof mv === "string" && /^\d{4}-\d{2}$/.test(mv) ? mv : ctx.stepStart.slice(0, 7);
    const day = Math.min(rule.day_of_month, lastDayOfMonth(month));
    const date = `${month}-${String(day).padStart(2, "0")}`;
    // "By the 25th" on a rest day is due the working day before (seed §5: figures "before the 25th");
    // a meeting day (`rest_day: after`) on a rest day is held the next working day.
    return rule.rest_day === "after"
      ? ctx.calendar.sameWorkingDay(date)
      : ctx.calendar.workingDayOnOrBefore(date);
  }
  const value = String(ctx.fields[rule.by_field]);
  const chosen = (Object.hasOwn(rule.cases, value) ? rule.cases[value] : undefined) ?? rule.default;
  return chosen ? applyLimit(chosen, ctx) : undefined;
}

/** The record's overall deadline from its workflow (before any extension). */
export function recordDeadline(wf: WorkflowDef, ctx: LimitContext): CalendarDate | undefined {
  return wf.deadline ? applyLimit(wf.deadline, { ...ctx, stepStart: ctx.recordStart }) : undefined;
}

/**
 * The due date of `step`: an override whose condition holds (urgent documents: same day) beats the
 * step's own limit, which beats the record's overall deadline.
 */
export function stepDue(
  wf: WorkflowDef,
  step: StepDef,
  ctx: LimitContext,
  overallDeadline: IsoDate | null,
): { due: IsoDate | null; uncoveredYears: number[]; own: boolean } {
  const override = wf.overrides?.find((o) => conditionHolds(o.when, ctx.fields));
  const rule = override?.limit ?? step.limit;
  if (rule) {
    const r = applyLimit(rule, ctx);
    if (r) return { due: r.date, uncoveredYears: r.uncoveredYears, own: true };
  }
  return { due: overallDeadline, uncoveredYears: [], own: false };
}

export type DueState = "none" | "on-time" | "due-soon" | "due-today" | "overdue";

/**
 * Where a due date stands on the office day `asOf`: overdue when the due day ended before `asOf`
 * began; due soon when it falls within the next `soonWorkingDays` working days.
 */
export function dueState(
  due: IsoDate | null,
  asOf: IsoDate,
  calendar: Calendar,
  soonWorkingDays = 1,
): DueState {
  return dueStateBy(due, asOf, calendar.addWorkingDays(asOf, soonWorkingDays).date);
}

/** dueState with the horizon of "due soon" computed once, for long listings. */
export function dueStateBy(due: IsoDate | null, asOf: IsoDate, soon: IsoDate): DueState {
  if (due === null) return "none";
  if (due < asOf) return "overdue";
  if (due === asOf) return "due-today";
  return due <= soon ? "due-soon" : "on-time";
}

/** Calendar days from the due day to `asOf` (1 the day after the due day). */
export function daysOverdue(due: IsoDate, asOf: IsoDate): number {
  return Math.max(0, daysBetween(due, asOf));
}

/**
 * Working days after the due day up to and including `asOf` (0 when not overdue): a record due on
 * Friday is 1 working day overdue on Monday, 0 on the Saturday between.
 */
export function workingDaysOverdue(due: IsoDate, asOf: IsoDate, calendar: Calendar): number {
  return calendar.workingDaysBetween(due, asOf);
}

/**
 * The years among `dates` (due dates, deadlines) without published calendar data: deadlines there
 * come from the provisional statutory calendar, and everything that shows them warns. Ascending.
 */
export function provisionalYears(
  covered: { covers(year: number): boolean },
  dates: readonly (IsoDate | null | undefined)[],
): number[] {
  const out = new Set<number>();
  for (const d of dates) if (d && !covered.covers(yearOf(d))) out.add(yearOf(d));
  return [...out].sort((a, b) => a - b);
}
