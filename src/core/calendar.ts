import { addDays, dayOfWeek, type IsoDate, isIsoDate, yearOf } from "./dates.js";
import type { Problem } from "./problems.js";

/** One year of the working-day calendar, as stored in `calendar/<year>.yaml`. */
export interface CalendarYear {
  year: number;
  /** Where the data came from (the State Council notice, a package, a local decision). */
  source?: string;
  /** Days off that would otherwise be working days, and the days of each holiday: date -> name. */
  rest: Record<IsoDate, string>;
  /** Adjusted working days (调休) that fall on a weekend: date -> name. */
  work: Record<IsoDate, string>;
}

export type DayKind = "workday" | "weekend" | "holiday" | "adjusted-workday";

/** A date computed on the calendar, with the years it had to guess (Monday–Friday) because no data covers them. */
export interface CalendarDate {
  date: IsoDate;
  uncoveredYears: number[];
}

/**
 * The working-day calendar of the office: statutory holidays and adjusted working weekends for the
 * years it covers, Monday–Friday for the others (every result built on such a year says so).
 */
export class Calendar {
  private readonly rest = new Map<IsoDate, string>();
  private readonly work = new Map<IsoDate, string>();
  private readonly covered = new Set<number>();

  constructor(years: readonly CalendarYear[]) {
    for (const y of years) {
      this.covered.add(y.year);
      for (const [d, name] of Object.entries(y.rest)) this.rest.set(d, name);
      for (const [d, name] of Object.entries(y.work)) this.work.set(d, name);
    }
  }

  /** Years with published data, ascending. */
  years(): number[] {
    return [...this.covered].sort((a, b) => a - b);
  }

  covers(year: number): boolean {
    return this.covered.has(year);
  }

  dayKind(d: IsoDate): DayKind {
    if (this.work.has(d)) return "adjusted-workday";
    if (this.rest.has(d)) return "holiday";
    const dow = dayOfWeek(d);
    return dow === 0 || dow === 6 ? "weekend" : "workday";
  }

  /** Name of the holiday or adjusted working day on `d`, if any. */
  dayName(d: IsoDate): string | undefined {
    return this.work.get(d) ?? this.rest.get(d);
  }

  isWorkingDay(d: IsoDate): boolean {
    const k = this.dayKind(d);
    return k === "workday" || k === "adjusted-workday";
  }

  /**
   * The `n`th working day after `start` (working days, start day not counted); `n = 0` is `start`
   * itself ("same day"). The deadline it gives is the end of that day in office time.
   */
  addWorkingDays(start: IsoDate, n: number): CalendarDate {
    const uncovered = new Set<number>();
    this.note(start, uncovered);
    let d = start;
    let left = n;
    while (left > 0) {
      d = addDays(d, 1);
      this.note(d, uncovered);
      if (this.isWorkingDay(d)) left--;
    }
    return { date: d, uncoveredYears: [...uncovered].sort() };
  }

  /**
   * "N working days before `date`": counting back from the day before `date`, the `n`th working day
   * found. A meeting on Monday 2026-03-02 needs its agenda 2 working days before: Friday 02-27
   * (Saturday 02-28 is an adjusted working day). `n = 0` is `date` itself.
   */
  workingDaysBefore(date: IsoDate, n: number): CalendarDate {
    const uncovered = new Set<number>();
    this.note(date, uncovered);
    let d = date;
    let left = n;
    while (left > 0) {
      d = addDays(d, -1);
      this.note(d, uncovered);
      if (this.isWorkingDay(d)) left--;
    }
    return { date: d, uncoveredYears: [...uncovered].sort() };
  }

  /** Working days strictly after `from` up to and including `to` (0 when `to <= from`). */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    let n = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) n++;
    return n;
  }

  private note(d: IsoDate, into: Set<number>): void {
    const y = yearOf(d);
    if (!this.covered.has(y)) into.add(y);
  }
}

/**
 * Validate the parsed contents of `calendar/<year>.yaml`. `expectedYear` comes from the file name.
 * Returns problems; never throws.
 */
export function validateCalendarYear(
  raw: unknown,
  expectedYear: number,
): { value?: CalendarYear; problems: Problem[] } {
  const problems: Problem[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { problems: [{ path: [], code: "calendar.not-a-map", params: {} }] };
  }
  const r = raw as Record<string, unknown>;
  if (r.year !== expectedYear) {
    problems.push({
      path: ["year"],
      code: "calendar.year-mismatch",
      params: { year: String(r.year), expected: expectedYear },
    });
  }
  const days = (key: "rest" | "work"): Record<IsoDate, string> => {
    const v = r[key] ?? {};
    const out: Record<IsoDate, string> = {};
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      problems.push({ path: [key], code: "calendar.days-not-a-map", params: { key } });
      return out;
    }
    for (const [d, name] of Object.entries(v as Record<string, unknown>)) {
      if (!isIsoDate(d) || yearOf(d) !== expectedYear) {
        problems.push({ path: [key, d], code: "calendar.bad-date", params: { date: d, year: expectedYear } });
        continue;
      }
      out[d] = name == null ? "" : String(name);
    }
    return out;
  };
  const rest = days("rest");
  const work = days("work");
  for (const d of Object.keys(work)) {
    if (d in rest)
      problems.push({ path: ["work", d], code: "calendar.both-rest-and-work", params: { date: d } });
  }
  const value: CalendarYear = { year: expectedYear, rest, work };
  if (typeof r.source === "string") value.source = r.source;
  return { value, problems };
}

/** The shape of the `chinese-days` package's JSON data: date -> "English name,中文名,days". */
export interface ChineseDaysData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** Turn `chinese-days` data into calendar years: every year that has at least one holiday. */
export function yearsFromChineseDays(data: ChineseDaysData, source: string): CalendarYear[] {
  const years = new Map<number, CalendarYear>();
  const get = (d: string) => {
    const y = yearOf(d);
    let cy = years.get(y);
    if (!cy) {
      cy = { year: y, source, rest: {}, work: {} };
      years.set(y, cy);
    }
    return cy;
  };
  const name = (v: string) => {
    const [en, zh] = v.split(",");
    return zh && en ? `${zh} ${en}` : v;
  };
  for (const [d, v] of Object.entries(data.holidays)) get(d).rest[d] = name(v);
  for (const [d, v] of Object.entries(data.workdays)) get(d).work[d] = `${name(v)} (调休上班)`;
  return [...years.values()].sort((a, b) => a.year - b.year);
}
