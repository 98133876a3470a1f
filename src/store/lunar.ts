import { createRequire } from "node:module";
import type * as ChineseDays from "chinese-days";
import type { LunarSource } from "../core/calendar.js";
import { addDays, type IsoDate } from "../core/dates.js";

/**
 * The lunar calendar and the solar term 清明 from the `chinese-days` package, for the provisional
 * statutory calendar of years without the State Council's notice (core/calendar.ts).
 *
 * Only the package's time-zone-free functions are used: `monthDays` and `getYearLeapMonth` read its
 * lunar table (1900–2100) bit by bit. Its date-returning functions (`getSolarDateFromLunar`,
 * `getSolarTermDate`, `getLunarDate`) mix local time and UTC, and in a time zone west of UTC they are
 * a day off (in America/Los_Angeles the Spring Festival 2027 came out as Feb 7); `getSolarTermDate`'s
 * day is recovered exactly below. test/store/lunar.test.ts holds these results to the State Council's
 * published holidays of 2008–2026 and runs them in several time zones.
 */

const req = createRequire(import.meta.url);
let lib: typeof ChineseDays | undefined;
// Loaded on first use: only a deadline in a year without calendar data needs it.
const cd = (): typeof ChineseDays => {
  lib ??= req("chinese-days") as typeof ChineseDays;
  return lib;
};

/** Lunar day 1 of month 1 of lunar year 1900 (the first year of the package's table). */
const LUNAR_EPOCH = "1900-01-31";
const FIRST = 1900;
const LAST = 2100;

const yearLengths = new Map<number, number>();

/** Days of lunar year `y`: its twelve months (29 or 30 days) and its leap month, if any. */
function lunarYearDays(y: number): number {
  let n = yearLengths.get(y);
  if (n === undefined) {
    n = cd().getYearLeapMonth(y).days;
    for (let m = 1; m <= 12; m++) n += cd().monthDays(y, m);
    yearLengths.set(y, n);
  }
  return n;
}

/**
 * The solar date of lunar `year`-`month`-`day` (the ordinary month, not a leap month of the same
 * number). Undefined outside the package's table (lunar years 1900–2100).
 */
function solarOfLunar(year: number, month: number, day: number): IsoDate | undefined {
  if (!Number.isInteger(year) || year < FIRST || year > LAST) return undefined;
  let offset = 0;
  for (let y = FIRST; y < year; y++) offset += lunarYearDays(y);
  const leap = cd().getYearLeapMonth(year);
  for (let m = 1; m < month; m++) {
    offset += cd().monthDays(year, m);
    // The leap month follows the ordinary month of its number.
    if (m === leap.leapMonth) offset += leap.days;
  }
  return addDays(LUNAR_EPOCH, offset + day - 1);
}

/**
 * The day of the solar term 清明 (pure brightness) of `year`, by the package's formula for
 * 1901–2099. The package builds the day at UTC midnight and formats it in local time: the day it
 * meant is the one whose UTC midnight local time shows as the day it printed.
 */
function qingming(year: number): IsoDate | undefined {
  if (!Number.isInteger(year) || year < 1901 || year > 2099) return undefined;
  const printed = cd().getSolarTermDate(year, 4, "pure_brightness");
  const localDay = (d: IsoDate): IsoDate => {
    const t = new Date(`${d}T00:00:00Z`);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
  };
  return [printed, addDays(printed, 1), addDays(printed, -1)].find((d) => localDay(d) === printed);
}

/** The lunar source of the provisional calendar, backed by `chinese-days`. */
export const chineseDaysLunar: LunarSource = { solarOfLunar, qingming };
