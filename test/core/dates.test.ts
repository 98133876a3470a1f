import { describe, expect, it } from "vitest";
import {
  addDays,
  chineseDate,
  dayOfWeek,
  daysBetween,
  formatInstant,
  instantAt,
  isIsoDate,
  officeDate,
  parseInstant,
  toEpochDay,
  wallTime,
} from "../../src/core/dates.js";

const TZ = "Asia/Shanghai";

describe("isIsoDate", () => {
  it.each([
    ["2026-03-05", true],
    ["2024-02-29", true],
    ["2026-12-31", true],
    ["2026-02-29", false],
    ["2026-02-30", false],
    ["2026-13-01", false],
    ["2026-00-10", false],
    ["2026-3-5", false],
    ["20260305", false],
    ["2026-03-05T00:00:00", false],
    [" 2026-03-05", false],
    ["", false],
  ])("%j -> %s", (s, ok) => {
    expect(isIsoDate(s)).toBe(ok);
  });
});

describe("addDays and daysBetween", () => {
  it.each([
    ["2026-02-13", 1, "2026-02-14"],
    ["2026-02-28", 1, "2026-03-01"],
    ["2024-02-28", 1, "2024-02-29"],
    ["2026-12-31", 1, "2027-01-01"],
    ["2026-01-01", -1, "2025-12-31"],
    ["2026-03-05", 0, "2026-03-05"],
    ["2026-03-05", 365, "2027-03-05"],
  ])("%s %+i days = %s", (d, n, expected) => {
    expect(addDays(d, n)).toBe(expected);
    expect(daysBetween(d, expected)).toBe(n);
  });
});

describe("toEpochDay", () => {
  it.each([
    ["1970-01-01", 0],
    ["1969-12-31", -1],
    ["2026-02-17", 20501],
    ["2000-03-01", 11017],
  ])("%s -> day %i", (d, n) => {
    expect(toEpochDay(d)).toBe(n);
  });

  it.each(["2026-3-05", "2026/03/05", "2026-03-0a", "20260305", "2026-03-05 ", "", "２０２６-03-05"])(
    "refuses %j",
    (d) => {
      expect(() => toEpochDay(d)).toThrow(/not a date/);
    },
  );

  it.each([undefined, null, 20260305])("refuses the non-string %j with the same message", (d) => {
    expect(() => toEpochDay(d as never)).toThrow(/not a date/);
  });
});

describe("dayOfWeek", () => {
  it.each([
    ["1970-01-01", 4],
    ["2026-02-13", 5],
    ["2026-02-14", 6],
    ["2026-02-15", 0],
    ["2026-03-02", 1],
    ["2026-03-10", 2],
    ["2026-10-01", 4],
    ["1969-12-31", 3],
  ])("%s -> %i", (d, dow) => {
    expect(dayOfWeek(d)).toBe(dow);
  });
});

describe("parseInstant", () => {
  it.each([
    ["2026-02-13", "2026-02-12T16:00:00.000Z", "a bare date is the start of the office day"],
    ["2026-02-13T09:00", "2026-02-13T01:00:00.000Z", "offset-less wall time"],
    ["2026-02-13 09:00", "2026-02-13T01:00:00.000Z", "space instead of T"],
    ["2026-02-13T09:00:30", "2026-02-13T01:00:30.000Z", "with seconds"],
    ["2026-02-14T07:30:00", "2026-02-13T23:30:00.000Z", "wall time before 08:00 is the previous UTC day"],
    ["2026-02-13T09:00:00+08:00", "2026-02-13T01:00:00.000Z", "explicit +08:00"],
    ["2026-02-13T09:00:00Z", "2026-02-13T09:00:00.000Z", "explicit Z"],
    ["2026-02-13T09:00:00+0800", "2026-02-13T01:00:00.000Z", "offset without colon"],
    ["2026-02-13T09:00:00.250", "2026-02-13T01:00:00.000Z", "fraction of a second dropped"],
    ["2026-02-13T09:00:00-05:00", "2026-02-13T14:00:00.000Z", "explicit negative offset"],
    ["  2026-02-13T09:00  ", "2026-02-13T01:00:00.000Z", "surrounding spaces"],
  ])("%j -> %s (%s)", (text, iso) => {
    const ms = parseInstant(text, TZ);
    expect(ms).toBeDefined();
    expect(new Date(ms as number).toISOString()).toBe(iso);
  });

  it("reads offset-less text in the office's zone, not the machine's", () => {
    expect(parseInstant("2026-02-13T09:00", "UTC")).toBe(Date.parse("2026-02-13T09:00:00Z"));
    expect(parseInstant("2026-02-13T09:00", TZ)).toBe(Date.parse("2026-02-13T01:00:00Z"));
  });

  it.each([
    ["garbage"],
    [""],
    ["tomorrow"],
    ["2026-02-30"],
    ["2026-02-30T09:00"],
    ["2026/02/13"],
    ["13.02.2026"],
    ["2026-02-13T9:00"],
    ["2026-02-13T09"],
    ["2026-02-13T25:00"],
    ["2026-02-13T09:75"],
  ])("%j -> undefined", (text) => {
    expect(parseInstant(text, TZ)).toBeUndefined();
  });
});

describe("formatInstant and wallTime", () => {
  it.each([
    ["2026-02-13T01:00:00Z", "2026-02-13T09:00:00+08:00"],
    ["2026-02-13T17:00:00Z", "2026-02-14T01:00:00+08:00"],
    ["2026-02-13T15:59:59Z", "2026-02-13T23:59:59+08:00"],
    ["2026-12-31T16:00:00Z", "2027-01-01T00:00:00+08:00"],
  ])("%s is %s in Shanghai", (utc, local) => {
    expect(formatInstant(Date.parse(utc), TZ)).toBe(local);
  });

  it("writes +00:00 for UTC and the zone's offset for a zone known only to Intl", () => {
    expect(formatInstant(Date.parse("2026-02-13T01:00:00Z"), "UTC")).toBe("2026-02-13T01:00:00+00:00");
    expect(formatInstant(Date.parse("2026-02-13T01:00:00Z"), "Asia/Tokyo")).toBe("2026-02-13T10:00:00+09:00");
    expect(formatInstant(Date.parse("2026-02-13T01:00:00Z"), "Asia/Kathmandu")).toBe(
      "2026-02-13T06:45:00+05:45",
    );
  });

  it("round-trips through parseInstant", () => {
    const ms = Date.parse("2026-09-30T23:15:07Z");
    expect(parseInstant(formatInstant(ms, TZ), TZ)).toBe(ms);
  });

  it("wallTime splits the office wall clock", () => {
    expect(wallTime(Date.parse("2026-02-13T17:04:05Z"), TZ)).toEqual({
      date: "2026-02-14",
      hour: 1,
      minute: 4,
      second: 5,
    });
  });

  it("instantAt is the inverse of the wall clock", () => {
    expect(instantAt("2026-02-14", "07:30:00", TZ)).toBe(Date.parse("2026-02-13T23:30:00Z"));
    expect(instantAt("2026-02-14", "07:30:00", "Asia/Tokyo")).toBe(Date.parse("2026-02-13T22:30:00Z"));
  });
});

describe("officeDate", () => {
  it.each([
    ["2026-02-13T15:59:59Z", "2026-02-13"],
    ["2026-02-13T16:00:00Z", "2026-02-14"],
    ["2026-02-13T17:00:00Z", "2026-02-14"],
    ["2026-02-13T23:59:59Z", "2026-02-14"],
    ["2026-12-31T16:30:00Z", "2027-01-01"],
  ])("%s is %s in Shanghai", (utc, d) => {
    expect(officeDate(Date.parse(utc), TZ)).toBe(d);
  });

  it("depends on the zone", () => {
    const ms = Date.parse("2026-02-13T17:00:00Z");
    expect(officeDate(ms, "UTC")).toBe("2026-02-13");
    expect(officeDate(ms, "America/New_York")).toBe("2026-02-13");
    expect(officeDate(ms, TZ)).toBe("2026-02-14");
  });
});

describe("chineseDate", () => {
  it.each([
    ["2026-03-05", "2026年3月5日"],
    ["2026-10-01", "2026年10月1日"],
    ["2026-12-31", "2026年12月31日"],
    ["2027-01-09", "2027年1月9日"],
  ])("%s -> %s", (d, zh) => {
    expect(chineseDate(d)).toBe(zh);
  });
});
