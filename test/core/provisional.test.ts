/**
 * The provisional calendar of a year without the State Council's notice (statutoryYear), and the
 * calendar built on it: deadlines across the 2026/2027 boundary, a same-day limit on a rest day,
 * working days overdue. The lunar dates come from a stub here (the dates of the published almanacs);
 * test/store/lunar.test.ts holds chinese-days' own to them.
 */

import chineseDays from "chinese-days/dist/chinese-days.json";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  Calendar,
  type LunarSource,
  MAKE_UP_DAY,
  STATUTE_2025,
  statutoryYear,
  yearsFromChineseDays,
} from "../../src/core/calendar.js";
import { addDays, dayOfWeek } from "../../src/core/dates.js";
import { applyLimit, provisionalYears, workingDaysOverdue } from "../../src/core/deadline.js";
import { CALENDAR, CALENDAR_YEARS } from "./fixtures.js";

/** Spring Festival (lunar 1-1), Dragon Boat (5-5), Mid-Autumn (8-15) and 清明 of a few years. */
const ALMANAC: Record<number, { lunar: Record<string, string>; qingming: string }> = {
  2025: { lunar: { "1-1": "2025-01-29", "5-5": "2025-05-31", "8-15": "2025-10-06" }, qingming: "2025-04-04" },
  2026: { lunar: { "1-1": "2026-02-17", "5-5": "2026-06-19", "8-15": "2026-09-25" }, qingming: "2026-04-05" },
  2027: { lunar: { "1-1": "2027-02-06", "5-5": "2027-06-09", "8-15": "2027-09-15" }, qingming: "2027-04-05" },
  2028: { lunar: { "1-1": "2028-01-26", "5-5": "2028-05-28", "8-15": "2028-10-03" }, qingming: "2028-04-04" },
};
const STUB: LunarSource = {
  solarOfLunar: (y, m, d) => ALMANAC[y]?.lunar[`${m}-${d}`],
  qingming: (y) => ALMANAC[y]?.qingming,
};

describe("statutoryYear: the holidays of 全国年节及纪念日放假办法 (2025) without the notice", () => {
  it("2027: thirteen statutory days, and a make-up day for each that falls on a weekend", () => {
    const y = statutoryYear(2027, STUB);
    expect(y.provisional).toBe(true);
    expect(y.work).toEqual({});
    expect(y.rest).toEqual({
      "2027-01-01": "元旦 New Year's Day", // Fri
      // Spring Festival: the eve (Fri 02-05) and lunar 1-1 to 1-3 (Sat, Sun, Mon): two made up
      "2027-02-05": "春节 Spring Festival",
      "2027-02-06": "春节 Spring Festival",
      "2027-02-07": "春节 Spring Festival",
      "2027-02-08": "春节 Spring Festival",
      "2027-02-09": `春节 Spring Festival (${MAKE_UP_DAY})`,
      "2027-02-10": `春节 Spring Festival (${MAKE_UP_DAY})`,
      "2027-04-05": "清明 Tomb-sweeping Day", // Mon
      // Labour Day: Sat 05-01 and Sun 05-02, made up on Mon and Tue
      "2027-05-01": "劳动节 Labour Day",
      "2027-05-02": "劳动节 Labour Day",
      "2027-05-03": `劳动节 Labour Day (${MAKE_UP_DAY})`,
      "2027-05-04": `劳动节 Labour Day (${MAKE_UP_DAY})`,
      "2027-06-09": "端午 Dragon Boat Festival", // Wed
      "2027-09-15": "中秋 Mid-autumn Festival", // Wed
      // National Day: Fri 10-01, Sat, Sun: two made up
      "2027-10-01": "国庆节 National Day",
      "2027-10-02": "国庆节 National Day",
      "2027-10-03": "国庆节 National Day",
      "2027-10-04": `国庆节 National Day (${MAKE_UP_DAY})`,
      "2027-10-05": `国庆节 National Day (${MAKE_UP_DAY})`,
    });
    const statutory = Object.values(y.rest).filter((n) => !n.includes(MAKE_UP_DAY));
    expect(statutory).toHaveLength(13);
    expect(STATUTE_2025.holidays.reduce((n, h) => n + h.days, 0)).toBe(13);
  });

  it("2028: New Year's Day on a Saturday is made up on Monday; Mid-Autumn on National Day's Oct 3 too", () => {
    const y = statutoryYear(2028, STUB);
    expect(y.rest["2028-01-01"]).toBe("元旦 New Year's Day");
    expect(y.rest["2028-01-03"]).toBe(`元旦 New Year's Day (${MAKE_UP_DAY})`);
    // Sun 10-01 and Tue 10-03 (also Mid-Autumn): National Day's Sunday made up on Wed 10-04, and
    // Mid-Autumn, falling on a day already off, on the next weekday not off, Thu 10-05.
    expect(y.rest["2028-10-03"]).toBe("国庆节 National Day");
    expect(y.rest["2028-10-04"]).toBe(`国庆节 National Day (${MAKE_UP_DAY})`);
    expect(y.rest["2028-10-05"]).toBe(`中秋 Mid-autumn Festival (${MAKE_UP_DAY})`);
    // Dragon Boat in the ordinary fifth month (2028 has a leap fifth month too), Sun 05-28: made up Mon
    expect(y.rest["2028-05-28"]).toBe("端午 Dragon Boat Festival");
    expect(y.rest["2028-05-29"]).toBe(`端午 Dragon Boat Festival (${MAKE_UP_DAY})`);
    expect(y.rest["2028-06-27"]).toBeUndefined();
  });

  it.each([2025, 2026])(
    "%i: the statutory days and make-up days are exactly the notice's weekday rest days not moved by 调休",
    (year) => {
      // chinese-days lists every day off (`holidays`) and those that are off only by 调休 (`inLieuDays`).
      const data = chineseDays as unknown as {
        holidays: Record<string, string>;
        inLieuDays: Record<string, string>;
      };
      const weekday = (d: string) => dayOfWeek(d) !== 0 && dayOfWeek(d) !== 6;
      const published = Object.keys(data.holidays)
        .filter((d) => d.startsWith(`${year}-`) && weekday(d) && !(d in data.inLieuDays))
        .sort();
      const provisional = Object.keys(statutoryYear(year, STUB).rest).filter(weekday).sort();
      expect(provisional).toEqual(published);
    },
  );

  it("without a lunar source only the fixed-date holidays; before 2025 none", () => {
    expect(Object.keys(statutoryYear(2027, undefined).rest)).toEqual([
      "2027-01-01",
      "2027-05-01",
      "2027-05-02",
      "2027-05-03",
      "2027-05-04",
      "2027-10-01",
      "2027-10-02",
      "2027-10-03",
      "2027-10-04",
      "2027-10-05",
    ]);
    expect(statutoryYear(2024, STUB).rest).toEqual({});
  });

  it("every provisional day is in its own year, never on an adjusted working day", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2025, max: 2099 }), (year) => {
        const y = statutoryYear(year, undefined);
        for (const d of Object.keys(y.rest)) expect(d.startsWith(`${year}-`)).toBe(true);
        expect(y.work).toEqual({});
      }),
    );
  });
});

describe("deadlines on the provisional calendar (2026 published, 2027 not)", () => {
  const cal = new Calendar(CALENDAR_YEARS, STUB);

  it.each<[string, number, string, string]>([
    // the issue: a call registered Wed 2026-12-30, ordinary: 2 working days
    ["2026-12-30", 2, "2027-01-04", "Thu 12-31, then New Year's Day 2027 (Fri) and the weekend: Mon 01-04"],
    // an outgoing document drafted Tue 12-29: 5 working days
    ["2026-12-29", 5, "2027-01-06", "Wed 30, Thu 31, Mon 4, Tue 5, Wed 6"],
    ["2027-02-04", 1, "2027-02-11", "Spring Festival 2027: eve Fri 02-05 to Wed 02-10 off"],
    ["2027-04-02", 1, "2027-04-06", "Qingming Mon 04-05"],
    ["2027-04-30", 1, "2027-05-05", "Labour Day on the weekend, made up Mon 3 and Tue 4"],
    ["2027-06-08", 1, "2027-06-10", "Dragon Boat Wed 06-09"],
    ["2027-09-14", 1, "2027-09-16", "Mid-Autumn Wed 09-15"],
    ["2027-09-30", 1, "2027-10-06", "National Day Fri 10-01 to Tue 10-05"],
  ])("%s + %i working days = %s (%s)", (start, n, due) => {
    expect(cal.addWorkingDays(start, n)).toEqual({ date: due, uncoveredYears: [2027] });
  });

  it.each<[string, boolean, string]>([
    ["2027-01-01", false, "New Year's Day"],
    ["2027-01-04", true, "Monday"],
    ["2027-02-09", false, "a make-up day of the Spring Festival"],
    ["2027-02-11", true, "after the Spring Festival"],
    // a published year keeps its notice: 2026's adjusted working days are working days
    ["2026-02-14", true, "Sat 2026-02-14, adjusted working day"],
    ["2026-02-28", true, "Sat 2026-02-28, adjusted working day"],
    ["2026-09-20", true, "Sun 2026-09-20, adjusted working day"],
    ["2026-10-10", true, "Sat 2026-10-10, adjusted working day"],
    ["2026-10-07", false, "National Day 2026"],
  ])("%s is a working day: %s (%s)", (d, working) => {
    expect(cal.isWorkingDay(d)).toBe(working);
  });

  it("a year with its notice imported is no longer provisional", () => {
    const notice = { year: 2027, source: "notice", rest: { "2027-01-01": "元旦" }, work: {} };
    const after = new Calendar([...CALENDAR_YEARS, notice], STUB);
    expect(after.covers(2027)).toBe(true);
    expect(after.provisionalYear(2027)).toBeUndefined();
    // only the notice counts now: no statutory guess for Feb 9
    expect(after.isWorkingDay("2027-02-09")).toBe(true);
    expect(after.addWorkingDays("2026-12-30", 2)).toEqual({ date: "2027-01-04", uncoveredYears: [] });
    expect(cal.provisionalYear(2027)?.provisional).toBe(true);
    expect(cal.provisionalYear(2026)).toBeUndefined();
  });

  it("provisionalYears names the years of the dates the calendar does not cover", () => {
    expect(provisionalYears(cal, ["2026-12-31", null, "2027-01-05", "2028-01-04", undefined])).toEqual([
      2027, 2028,
    ]);
    expect(provisionalYears(cal, ["2026-02-24", null])).toEqual([]);
  });
});

describe("same-day limits that start on a rest day", () => {
  const ctx = (stepStart: string) => ({
    calendar: CALENDAR,
    stepStart,
    recordStart: stepStart,
    fields: {},
  });
  it.each<[string, string, string]>([
    ["2026-03-05", "2026-03-05", "a working day: that day"],
    ["2026-03-07", "2026-03-09", "Saturday: Monday"],
    ["2026-03-08", "2026-03-09", "Sunday: Monday"],
    ["2026-02-14", "2026-02-14", "the adjusted working Saturday: that day"],
    ["2026-02-16", "2026-02-24", "Spring Festival 2026 (Feb 15–23): Tue 02-24"],
    ["2026-02-15", "2026-02-24", "its first day, a Sunday"],
    ["2026-10-01", "2026-10-08", "National Day 2026 (Oct 1–7): Thu 10-08"],
    ["2026-09-20", "2026-09-20", "the adjusted working Sunday before National Day"],
    ["2026-10-11", "2026-10-12", "the Sunday after the adjusted working Saturday"],
    ["2027-01-01", "2027-01-04", "New Year's Day 2027 (provisional): Mon 01-04"],
  ])("same_day from %s is due %s (%s)", (start, due) => {
    expect(applyLimit({ same_day: true }, ctx(start))?.date).toBe(due);
    expect(applyLimit({ working_days: 0 }, ctx(start))?.date).toBe(due);
  });

  it("an immediate call registered on a holiday is due at the end of the next working day", () => {
    const rule = {
      by_field: "category",
      cases: {
        immediate: { same_day: true as const },
        ordinary: { working_days: 2, from: "record" as const },
      },
    };
    const c = { ...ctx("2026-10-03"), fields: { category: "immediate" } };
    expect(applyLimit(rule, c)?.date).toBe("2026-10-08");
    expect(applyLimit(rule, { ...c, fields: { category: "ordinary" } })?.date).toBe("2026-10-09");
  });
});

describe("working days overdue", () => {
  it.each<[string, string, number, string]>([
    ["2026-03-05", "2026-03-05", 0, "due today"],
    ["2026-03-05", "2026-03-06", 1, "the day after"],
    ["2026-03-06", "2026-03-07", 0, "due Friday, on Saturday"],
    ["2026-03-06", "2026-03-09", 1, "due Friday, on Monday"],
    ["2026-02-13", "2026-02-14", 1, "the adjusted working Saturday counts"],
    ["2026-02-13", "2026-02-24", 2, "Sat 02-14 and Tue 02-24, the Spring Festival between"],
    ["2026-09-30", "2026-10-08", 1, "across National Day"],
    ["2026-09-18", "2026-10-12", 12, "Sep 20, 21–24, 28–30, Oct 8, 9, 10, 12"],
    ["2026-12-31", "2027-01-04", 1, "into the provisional 2027: New Year's Day does not count"],
  ])("due %s, as of %s: %i (%s)", (due, asOf, n) => {
    expect(workingDaysOverdue(due, asOf, CALENDAR)).toBe(n);
  });

  it("workingDaysBetween equals counting day by day, over published and provisional years", () => {
    const cal = new Calendar(yearsFromChineseDays(chineseDays, "x"), STUB);
    const slow = (from: string, to: string) => {
      let n = 0;
      for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (cal.isWorkingDay(d)) n++;
      return n;
    };
    const day = fc.integer({ min: 0, max: 9 * 366 }).map((n) => addDays("2020-01-01", n));
    fc.assert(
      fc.property(day, day, (a, b) => {
        expect(cal.workingDaysBetween(a, b)).toBe(slow(a, b));
      }),
      { numRuns: 300 },
    );
  });
});
