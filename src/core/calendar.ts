import { addDays, dayOfWeek, type IsoDate, isIsoDate, toEpochDay, yearOf } from "./dates.js";
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
  /**
   * Computed from the statute because no notice is in the registry (see statutoryYear); never
   * written to a file. Its adjusted working weekends cannot be known.
   */
  provisional?: boolean;
}

export type DayKind = "workday" | "weekend" | "holiday" | "adjusted-workday";

/**
 * A date computed on the calendar, with the years it counted through that have no published data
 * (their days come from the provisional statutory calendar, see statutoryYear).
 */
export interface CalendarDate {
  date: IsoDate;
  uncoveredYears: number[];
}

/**
 * The lunar calendar and the solar term 清明, which the statutory holidays of a year without a
 * notice need. The store provides it from the `chinese-days` package (store/lunar.ts); the core
 * takes it as data, so that it stays free of packages loaded from disk.
 */
export interface LunarSource {
  /** Solar date of lunar `year`-`month`-`day` (an ordinary month, not a leap month); undefined out of range. */
  solarOfLunar(year: number, month: number, day: number): IsoDate | undefined;
  /** The day of the solar term 清明 in `year`; undefined out of range. */
  qingming(year: number): IsoDate | undefined;
}

/** Where a statutory holiday's first day is: a fixed date, a lunar date, or the day of 清明. */
type Anchor = { fixed: [number, number] } | { lunar: [number, number] } | { qingming: true };

export interface StatutoryHoliday {
  zh: string;
  en: string;
  anchor: Anchor;
  /** Days from the anchor to the holiday's first day (the Spring Festival starts on the eve: -1). */
  offset: number;
  days: number;
}

/**
 * 全国年节及纪念日放假办法 (State Council, revised 2024-11-10, in force 2025-01-01), art. 2: the
 * holidays of all citizens, 13 days: New Year 1 day (Jan 1); Spring Festival 4 days (lunar New
 * Year's Eve and lunar 1-1 to 1-3); Qingming 1 day (the day of the solar term); Labour Day 2 days
 * (May 1, 2); Dragon Boat 1 day (lunar 5-5); Mid-Autumn 1 day (lunar 8-15); National Day 3 days
 * (Oct 1–3). Art. 6: such a holiday that falls on a Saturday or Sunday is made up on a working day.
 * Art. 7: the State Council may arrange adjusted working days (调休) — published each year in its
 * notice, so they cannot be known before it.
 */
export const STATUTE_2025: { since: number; holidays: StatutoryHoliday[] } = {
  since: 2025,
  holidays: [
    { zh: "元旦", en: "New Year's Day", anchor: { fixed: [1, 1] }, offset: 0, days: 1 },
    { zh: "春节", en: "Spring Festival", anchor: { lunar: [1, 1] }, offset: -1, days: 4 },
    { zh: "清明", en: "Tomb-sweeping Day", anchor: { qingming: true }, offset: 0, days: 1 },
    { zh: "劳动节", en: "Labour Day", anchor: { fixed: [5, 1] }, offset: 0, days: 2 },
    { zh: "端午", en: "Dragon Boat Festival", anchor: { lunar: [5, 5] }, offset: 0, days: 1 },
    { zh: "中秋", en: "Mid-autumn Festival", anchor: { lunar: [8, 15] }, offset: 0, days: 1 },
    { zh: "国庆节", en: "National Day", anchor: { fixed: [10, 1] }, offset: 0, days: 3 },
  ],
};

/** Suffix of the names of provisional days: calendar show and the warnings say what it means. */
export const MAKE_UP_DAY = "补假 make-up day";

const pad2 = (n: number) => String(n).padStart(2, "0");
const isWeekend = (d: IsoDate) => {
  const w = dayOfWeek(d);
  return w === 0 || w === 6;
};

/**
 * The provisional calendar of `year` from the statute, for a year whose State Council notice is not
 * in the registry: the statutory holidays (art. 2), and for each holiday day that falls on a weekend
 * (or on another holiday) a make-up day off on the first following weekday not yet off (art. 6; the
 * notices of 2025 and 2026 placed every one of them there). Adjusted working weekends (art. 7) are
 * unknown: none. A lunar holiday is left out when `lunar` cannot date it (no source, or a year
 * outside its table). Years before the statute (`since`) get no holidays at all (Monday–Friday).
 */
export function statutoryYear(
  year: number,
  lunar: LunarSource | undefined,
  statute: { since: number; holidays: StatutoryHoliday[] } = STATUTE_2025,
): CalendarYear {
  const rest: Record<IsoDate, string> = {};
  const cy: CalendarYear = {
    year,
    source: `provisional: 全国年节及纪念日放假办法 (${statute.since}), no State Council notice`,
    rest,
    work: {},
    provisional: true,
  };
  if (year < statute.since) return cy;
  const spans: { first: IsoDate; days: IsoDate[]; name: string }[] = [];
  for (const h of statute.holidays) {
    const a = h.anchor;
    const anchor =
      "fixed" in a
        ? `${year}-${pad2(a.fixed[0])}-${pad2(a.fixed[1])}`
        : "lunar" in a
          ? lunar?.solarOfLunar(year, a.lunar[0], a.lunar[1])
          : lunar?.qingming(year);
    if (anchor === undefined) continue;
    const first = addDays(anchor, h.offset);
    spans.push({
      first,
      days: Array.from({ length: h.days }, (_, i) => addDays(first, i)),
      name: `${h.zh} ${h.en}`,
    });
  }
  spans.sort((x, y) => (x.first < y.first ? -1 : 1));
  for (const s of spans) {
    let owed = 0;
    for (const d of s.days) {
      if (isWeekend(d) || d in rest) owed++;
      if (!(d in rest)) rest[d] = s.name;
    }
    for (let d = addDays(s.days[s.days.length - 1] as IsoDate, 1); owed > 0; d = addDays(d, 1)) {
      if (isWeekend(d) || d in rest) continue;
      rest[d] = `${s.name} (${MAKE_UP_DAY})`;
      owed--;
    }
  }
  // A make-up day is always in the holiday's own year (the last holiday, National Day, ends Oct 3).
  for (const d of Object.keys(rest)) if (yearOf(d) !== year) delete rest[d];
  return cy;
}

/** Weekdays (Monday–Friday) among epoch days [0, n), for any integer n (negative: minus those below 0). */
function weekdaysBefore(n: number): number {
  const weeks = Math.floor(n / 7);
  let count = weeks * 5;
  // Epoch day 0, 1970-01-01, is a Thursday (day of week 4).
  for (let i = 0; i < n - weeks * 7; i++) {
    const w = (4 + i) % 7;
    if (w !== 0 && w !== 6) count++;
  }
  return count;
}

/**
 * The working-day calendar of the office: statutory holidays and adjusted working weekends for the
 * years it covers (published data), and for the others the provisional calendar from the statute
 * (statutoryYear): every result built on such a year says so.
 */
export class Calendar {
  private readonly rest = new Map<IsoDate, string>();
  private readonly work = new Map<IsoDate, string>();
  private readonly covered = new Set<number>();
  /** Uncovered years whose provisional days are in `rest` already. */
  private readonly provisionalLoaded = new Set<number>();
  /** The year `dayKind` saw last: consecutive days are nearly always in one year. */
  private lastYearSeen = Number.NaN;
  /** Epoch days that differ from Monday-Friday, ascending, with the running sum of their +1/-1. */
  private adjustments?: { days: number[]; sums: number[] };

  /**
   * `years`: the published years (calendar/<year>.yaml). `lunar` dates the lunar holidays of
   * provisional years; without it they have only the fixed-date holidays.
   */
  constructor(
    years: readonly CalendarYear[],
    private readonly lunar?: LunarSource,
  ) {
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

  /** Does the calendar have published data (the State Council's notice) for `year`? */
  covers(year: number): boolean {
    return this.covered.has(year);
  }

  /** The provisional calendar this one uses for `year`, or undefined when the year is covered. */
  provisionalYear(year: number): CalendarYear | undefined {
    return this.covered.has(year) ? undefined : statutoryYear(year, this.lunar);
  }

  private ensureYear(y: number): void {
    if (y === this.lastYearSeen) return;
    this.lastYearSeen = y;
    if (this.covered.has(y) || this.provisionalLoaded.has(y)) return;
    this.provisionalLoaded.add(y);
    for (const [d, name] of Object.entries(statutoryYear(y, this.lunar).rest)) this.rest.set(d, name);
    this.adjustments = undefined;
  }

  dayKind(d: IsoDate): DayKind {
    this.ensureYear(yearOf(d));
    if (this.work.has(d)) return "adjusted-workday";
    if (this.rest.has(d)) return "holiday";
    const dow = dayOfWeek(d);
    return dow === 0 || dow === 6 ? "weekend" : "workday";
  }

  /** Name of the holiday or adjusted working day on `d`, if any. */
  dayName(d: IsoDate): string | undefined {
    this.ensureYear(yearOf(d));
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
   * A same-day limit that starts on `start`: `start` when it is a working day, else the next working
   * day (an immediate call registered on a holiday is due at the end of the first working day after).
   */
  sameWorkingDay(start: IsoDate): CalendarDate {
    return this.isWorkingDay(start) ? this.addWorkingDays(start, 0) : this.addWorkingDays(start, 1);
  }

  /** `d` when it is a working day, else the last working day before it. */
  workingDayOnOrBefore(d: IsoDate): CalendarDate {
    return this.isWorkingDay(d) ? this.workingDaysBefore(d, 0) : this.workingDaysBefore(d, 1);
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

  /**
   * Working days strictly after `from` up to and including `to` (0 when `to <= from`). Counted from
   * the weekdays and the days that differ from them, not day by day: the overdue list asks it for
   * due dates years back.
   */
  workingDaysBetween(from: IsoDate, to: IsoDate): number {
    if (to <= from) return 0;
    for (let y = yearOf(from); y <= yearOf(to); y++) this.ensureYear(y);
    const a = toEpochDay(from);
    const b = toEpochDay(to);
    const adj = this.adjustmentSums();
    return weekdaysBefore(b + 1) - weekdaysBefore(a + 1) + adj.upTo(b) - adj.upTo(a);
  }

  private adjustmentSums(): { upTo(day: number): number } {
    if (!this.adjustments) {
      const delta = new Map<number, number>();
      for (const d of this.rest.keys()) if (!this.work.has(d) && !isWeekend(d)) delta.set(toEpochDay(d), -1);
      for (const d of this.work.keys()) if (isWeekend(d)) delta.set(toEpochDay(d), 1);
      const days = [...delta.keys()].sort((x, y) => x - y);
      let sum = 0;
      const sums = days.map((d) => {
        sum += delta.get(d) as number;
        return sum;
      });
      this.adjustments = { days, sums };
    }
    const { days, sums } = this.adjustments;
    return {
      // The running sum at the last adjusted day <= day (binary search).
      upTo(day: number): number {
        let lo = 0;
        let hi = days.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((days[mid] as number) <= day) lo = mid + 1;
          else hi = mid;
        }
        return lo === 0 ? 0 : (sums[lo - 1] as number);
      },
    };
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

/**
 * A holiday's or adjusted working day's name as the calendar files write it (`春节 Spring Festival`,
 * `春节 Spring Festival (调休上班)`: Chinese, then English, from chinese-days and the statute) in one
 * language: `春节`, `春节（调休上班）` in Chinese; `Spring Festival`, `Spring Festival (adjusted working
 * day)` in English. A name of another form (`停电`, typed with `calendar set --name`) is kept as it is.
 */
export function holidayName(name: string, lang: "en" | "zh-CN"): string {
  // \u8c03\u4f11\u4e0a\u73ed: 调休上班 (the bundle is ASCII: Chinese in patterns is escaped).
  const m = /^([^ -~]+) ([ -~]+?)( \(\u8c03\u4f11\u4e0a\u73ed\))?$/.exec(name);
  if (!m) return name;
  const work = m[3] !== undefined;
  return lang === "zh-CN"
    ? `${m[1]}${work ? "\uff08\u8c03\u4f11\u4e0a\u73ed\uff09" : ""}`
    : `${m[2]}${work ? " (adjusted working day)" : ""}`;
}
