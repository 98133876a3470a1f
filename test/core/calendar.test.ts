import { describe, expect, it } from "vitest";
import {
  Calendar,
  type DayKind,
  holidayName,
  validateCalendarYear,
  yearsFromChineseDays,
} from "../../src/core/calendar.js";
import { CALENDAR, CALENDAR_YEARS } from "./fixtures.js";

describe("yearsFromChineseDays", () => {
  it("builds one calendar year per year of data, covering 2026", () => {
    expect(CALENDAR.covers(2026)).toBe(true);
    expect(CALENDAR.covers(2004)).toBe(true);
    expect(CALENDAR.covers(2027)).toBe(false);
    const years = CALENDAR.years();
    expect(years).toEqual([...years].sort((a, b) => a - b));
    const y2026 = CALENDAR_YEARS.find((y) => y.year === 2026);
    expect(y2026?.source).toBe("chinese-days");
    expect(Object.keys(y2026?.work ?? {}).sort()).toEqual([
      "2026-01-04",
      "2026-02-14",
      "2026-02-28",
      "2026-05-09",
      "2026-09-20",
      "2026-10-10",
    ]);
    expect(y2026?.rest["2026-02-16"]).toBe("春节 Spring Festival");
    expect(y2026?.work["2026-02-14"]).toBe("春节 Spring Festival (调休上班)");
  });

  it("keeps every date in its own year", () => {
    for (const y of CALENDAR_YEARS)
      for (const d of [...Object.keys(y.rest), ...Object.keys(y.work)])
        expect(d.slice(0, 4)).toBe(String(y.year));
  });

  it("files days under the year of the date", () => {
    const ys = yearsFromChineseDays(
      { holidays: { "2030-01-01": "New Year,元旦,1" }, workdays: { "2029-12-29": "New Year,元旦,1" } },
      "test",
    );
    expect(ys.map((y) => y.year)).toEqual([2029, 2030]);
    expect(ys[0]?.work).toEqual({ "2029-12-29": "元旦 New Year (调休上班)" });
    expect(ys[1]?.rest).toEqual({ "2030-01-01": "元旦 New Year" });
  });
});

describe("addWorkingDays (start day not counted)", () => {
  it.each([
    // REFERENCE.md examples
    ["2026-02-13", 2, "2026-02-24", "Sat 02-14 is an adjusted working day, then the Spring Festival"],
    ["2026-09-18", 15, "2026-10-15", "Mid-Autumn and National Day, with Sun 09-20 and Sat 10-10 worked"],
    // N = 0 is the same day, whatever kind of day it is
    ["2026-03-05", 0, "2026-03-05", "same day"],
    ["2026-02-16", 0, "2026-02-16", "same day on a holiday"],
    ["2026-03-07", 0, "2026-03-07", "same day on a weekend"],
    // ordinary weeks
    ["2026-03-02", 1, "2026-03-03", "Mon + 1"],
    ["2026-03-06", 1, "2026-03-09", "Fri + 1 skips the weekend"],
    ["2026-03-05", 5, "2026-03-12", "a full week"],
    // Spring Festival 2026: rest Feb 15–23, work Sat Feb 14 and Sat Feb 28
    ["2026-02-13", 1, "2026-02-14", "adjusted working Saturday"],
    ["2026-02-14", 1, "2026-02-24", "the whole holiday is skipped"],
    ["2026-02-20", 1, "2026-02-24", "start inside the holiday"],
    ["2026-02-27", 1, "2026-02-28", "second adjusted Saturday"],
    ["2026-02-27", 2, "2026-03-02", "then the weekend's Sunday is skipped"],
    // National Day 2026: rest Oct 1–7, work Sun Sep 20 and Sat Oct 10
    ["2026-09-19", 1, "2026-09-20", "adjusted working Sunday"],
    ["2026-09-30", 1, "2026-10-08", "National Day skipped"],
    ["2026-10-09", 1, "2026-10-10", "adjusted working Saturday Oct 10"],
    ["2026-10-09", 2, "2026-10-12", "Sun Oct 11 is a weekend"],
    ["2026-09-24", 1, "2026-09-28", "Mid-Autumn rest Sep 25–27"],
    // New Year 2026: rest Jan 1–3, work Sun Jan 4
    ["2025-12-31", 1, "2026-01-04", "New Year skipped, Sunday Jan 4 worked"],
    ["2026-01-04", 1, "2026-01-05", "Mon after"],
    // Labour Day 2026: rest May 1–5, work Sat May 9
    ["2026-04-30", 1, "2026-05-06", "Labour Day skipped"],
    ["2026-05-08", 1, "2026-05-09", "adjusted working Saturday May 9"],
  ])("%s + %i working days = %s (%s)", (start, n, expected) => {
    const r = CALENDAR.addWorkingDays(start, n);
    expect(r.date).toBe(expected);
    expect(r.uncoveredYears).toEqual([]);
  });
});

describe("workingDaysBefore (counting back from the day before)", () => {
  it.each([
    // DESIGN.md examples
    ["2026-03-02", 2, "2026-02-27", "Sat 02-28 is an adjusted working day"],
    ["2026-03-10", 3, "2026-03-05", "report to the party secretary"],
    ["2026-03-02", 0, "2026-03-02", "N = 0 is the date itself"],
    ["2026-03-02", 1, "2026-02-28", "the adjusted working Saturday is the first found"],
    ["2026-02-24", 1, "2026-02-14", "back across the whole Spring Festival"],
    ["2026-02-24", 2, "2026-02-13", "then Friday"],
    ["2026-10-08", 1, "2026-09-30", "back across National Day"],
    ["2026-09-21", 1, "2026-09-20", "adjusted working Sunday Sep 20"],
    ["2026-01-05", 2, "2025-12-31", "back across New Year with Sunday Jan 4 worked"],
  ])("%i working days before %s… %s", (date, n, expected) => {
    const r = CALENDAR.workingDaysBefore(date, n);
    expect(r.date).toBe(expected);
    expect(r.uncoveredYears).toEqual([]);
  });
});

describe("dayKind and isWorkingDay", () => {
  it.each<[string, DayKind, boolean]>([
    ["2026-03-05", "workday", true],
    ["2026-03-07", "weekend", false],
    ["2026-03-08", "weekend", false],
    ["2026-02-16", "holiday", false],
    ["2026-02-21", "holiday", false], // a holiday on a Saturday is still a holiday
    ["2026-02-14", "adjusted-workday", true],
    ["2026-02-28", "adjusted-workday", true],
    ["2026-01-01", "holiday", false],
    ["2026-01-02", "holiday", false],
    ["2026-01-03", "holiday", false],
    ["2026-01-04", "adjusted-workday", true],
    ["2026-09-20", "adjusted-workday", true],
    ["2026-10-01", "holiday", false],
    ["2026-10-07", "holiday", false],
    ["2026-10-08", "workday", true],
    ["2026-10-10", "adjusted-workday", true],
    ["2026-10-11", "weekend", false],
  ])("%s is %s", (d, kind, working) => {
    expect(CALENDAR.dayKind(d)).toBe(kind);
    expect(CALENDAR.isWorkingDay(d)).toBe(working);
  });

  it("names holidays and adjusted working days, not ordinary days", () => {
    expect(CALENDAR.dayName("2026-10-01")).toContain("国庆节");
    expect(CALENDAR.dayName("2026-10-10")).toContain("调休上班");
    expect(CALENDAR.dayName("2026-03-05")).toBeUndefined();
  });

  it("counts National Day 2026: seven days of rest, two adjusted working days", () => {
    const days = Array.from({ length: 7 }, (_, i) => `2026-10-0${i + 1}`);
    expect(days.map((d) => CALENDAR.dayKind(d))).toEqual(Array(7).fill("holiday"));
    expect(CALENDAR.workingDaysBetween("2026-09-18", "2026-10-11")).toBe(
      // Sep 20, 21–24, 28–30, Oct 8, 9, 10
      1 + 4 + 3 + 3,
    );
  });

  it("workingDaysBetween is 0 when to <= from", () => {
    expect(CALENDAR.workingDaysBetween("2026-03-05", "2026-03-05")).toBe(0);
    expect(CALENDAR.workingDaysBetween("2026-03-05", "2026-03-01")).toBe(0);
    expect(CALENDAR.workingDaysBetween("2026-02-13", "2026-02-24")).toBe(2);
  });
});

describe("years the calendar does not cover", () => {
  it("use the provisional statutory calendar, and are reported", () => {
    // 2027-01-01 is a Friday; chinese-days has no 2027 data: New Year's Day by the statute.
    expect(CALENDAR.covers(2027)).toBe(false);
    expect(CALENDAR.dayKind("2027-01-01")).toBe("holiday");
    expect(CALENDAR.dayName("2027-01-01")).toBe("元旦 New Year's Day");
    expect(CALENDAR.dayKind("2027-01-02")).toBe("weekend");
    expect(CALENDAR.dayKind("2027-01-04")).toBe("workday");
    const r = CALENDAR.addWorkingDays("2026-12-30", 3);
    expect(r.date).toBe("2027-01-05");
    expect(r.uncoveredYears).toEqual([2027]);
    const b = CALENDAR.workingDaysBefore("2027-01-05", 2);
    expect(b.date).toBe("2026-12-31");
    expect(b.uncoveredYears).toEqual([2027]);
  });

  it("a start in an uncovered year is reported even for N = 0", () => {
    expect(CALENDAR.addWorkingDays("2027-03-01", 0).uncoveredYears).toEqual([2027]);
    expect(CALENDAR.workingDaysBefore("2027-03-01", 0).uncoveredYears).toEqual([2027]);
  });

  it("an empty calendar covers nothing and reports every year crossed, ascending", () => {
    const empty = new Calendar([]);
    expect(empty.years()).toEqual([]);
    // Without a lunar source only the fixed-date holidays are known: the Spring Festival is not.
    expect(empty.addWorkingDays("2026-02-13", 2)).toEqual({ date: "2026-02-17", uncoveredYears: [2026] });
    // Sat 2028-01-01 is New Year's Day, made up on Mon 01-03 (statute art. 6): Tue 01-04.
    expect(empty.addWorkingDays("2027-12-31", 1)).toEqual({
      date: "2028-01-04",
      uncoveredYears: [2027, 2028],
    });
  });

  it("years before the statute took effect (2025) are plain Monday–Friday", () => {
    const empty = new Calendar([]);
    expect(empty.dayKind("2024-01-01")).toBe("workday");
    expect(empty.dayKind("2024-10-01")).toBe("workday");
    expect(empty.dayKind("2025-01-01")).toBe("holiday");
  });

  it("a year present in the data, even without special days, is covered", () => {
    const cal = new Calendar([{ year: 2027, rest: {}, work: {} }]);
    expect(cal.covers(2027)).toBe(true);
    expect(cal.addWorkingDays("2027-01-01", 1)).toEqual({ date: "2027-01-04", uncoveredYears: [] });
  });
});

describe("validateCalendarYear", () => {
  it("accepts a good year", () => {
    const r = validateCalendarYear(
      {
        year: 2027,
        source: "国务院办公厅通知",
        rest: { "2027-01-01": "元旦" },
        work: { "2027-02-06": "春节" },
      },
      2027,
    );
    expect(r.problems).toEqual([]);
    expect(r.value).toEqual({
      year: 2027,
      source: "国务院办公厅通知",
      rest: { "2027-01-01": "元旦" },
      work: { "2027-02-06": "春节" },
    });
  });

  it.each([
    ["not a map", ["2027-01-01"], "calendar.not-a-map", []],
    [
      "year differs from the file name",
      { year: 2026, rest: {}, work: {} },
      "calendar.year-mismatch",
      ["year"],
    ],
    [
      "bad date",
      { year: 2027, rest: { "2027-02-30": "x" }, work: {} },
      "calendar.bad-date",
      ["rest", "2027-02-30"],
    ],
    [
      "not a date",
      { year: 2027, rest: {}, work: { tomorrow: "x" } },
      "calendar.bad-date",
      ["work", "tomorrow"],
    ],
    [
      "date of another year",
      { year: 2027, rest: { "2026-10-01": "x" }, work: {} },
      "calendar.bad-date",
      ["rest", "2026-10-01"],
    ],
    ["days not a map", { year: 2027, rest: ["2027-01-01"], work: {} }, "calendar.days-not-a-map", ["rest"]],
    [
      "both rest and work",
      { year: 2027, rest: { "2027-02-06": "春节" }, work: { "2027-02-06": "春节" } },
      "calendar.both-rest-and-work",
      ["work", "2027-02-06"],
    ],
  ])("%s", (_label, raw, code, path) => {
    const r = validateCalendarYear(raw, 2027);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]?.code).toBe(code);
    expect(r.problems[0]?.path).toEqual(path);
  });
});

describe("holidayName: the calendar files' bilingual names in one language", () => {
  it.each([
    ["春节 Spring Festival", "zh-CN", "春节"],
    ["春节 Spring Festival", "en", "Spring Festival"],
    ["国庆节 National Day (调休上班)", "zh-CN", "国庆节（调休上班）"],
    ["国庆节 National Day (调休上班)", "en", "National Day (adjusted working day)"],
    ["元旦 New Year's Day", "en", "New Year's Day"],
    ["停电", "en", "停电"],
    ["Office closed", "zh-CN", "Office closed"],
  ] as const)("%s (%s) -> %s", (name, lang, shown) => {
    expect(holidayName(name, lang)).toBe(shown);
  });
});
