import { describe, expect, it } from "vitest";
import { type Checkin, egovStatus } from "../../src/core/egov.js";
import { at, CALENDAR, TZ } from "./fixtures.js";

const CFG = { windows: ["07:30", "10:00", "15:30", "18:00"], grace_minutes: 30 };
const FRI = "2026-02-13"; // an ordinary working Friday

const ci = (time: string, by = "chang-liqun", date = FRI): Checkin => ({
  at: `${date}T${time}:00+08:00`,
  by,
});

/** The windows as [time, checked_at time (HH:MM) or null, missed]. */
function windows(date: string, checkins: Checkin[], nowTime: string, cfg = CFG) {
  const s = egovStatus(date, checkins, cfg, CALENDAR, at(`${date}T${nowTime}:00+08:00`), TZ);
  expect(s.date).toBe(date);
  expect(s.working_day).toBe(true);
  return s.windows.map((w) => [w.time, w.checked_at === null ? null : w.checked_at.slice(11, 16), w.missed]);
}

describe("egovStatus on a working day", () => {
  it("each window checked within its grace: none missed", () => {
    expect(windows(FRI, [ci("07:35"), ci("10:10"), ci("15:59"), ci("18:00")], "20:00")).toEqual([
      ["07:30", "07:35", false],
      ["10:00", "10:10", false],
      ["15:30", "15:59", false],
      ["18:00", "18:00", false],
    ]);
  });

  it("a check-in exactly at the end of the grace is in time; a minute later is late", () => {
    expect(windows(FRI, [ci("08:00")], "09:00")[0]).toEqual(["07:30", "08:00", false]);
    expect(windows(FRI, [ci("08:01")], "09:00")[0]).toEqual(["07:30", "08:01", true]);
  });

  it("a late check-in covers the window but it is missed, with checked_at set", () => {
    const s = egovStatus(FRI, [ci("09:00", "wang-shoujie")], CFG, CALENDAR, at(`${FRI}T09:30:00+08:00`), TZ);
    expect(s.windows[0]).toEqual({
      time: "07:30",
      checked_at: `${FRI}T09:00:00+08:00`,
      checked_by: "wang-shoujie",
      missed: true,
    });
  });

  it("a check-in covers every window that began since the previous check-in", () => {
    // 07:20 is before the first window: it covers nothing. 16:00 covers 07:30 and 10:00 (late) and 15:30 (in grace).
    expect(windows(FRI, [ci("07:20"), ci("16:00")], "17:00")).toEqual([
      ["07:30", "16:00", true],
      ["10:00", "16:00", true],
      ["15:30", "16:00", false],
      ["18:00", null, false],
    ]);
  });

  it("a window in its grace or still to come is not missed; one whose grace ran out is", () => {
    expect(windows(FRI, [ci("07:40")], "10:20")).toEqual([
      ["07:30", "07:40", false],
      ["10:00", null, false], // in grace
      ["15:30", null, false], // future
      ["18:00", null, false],
    ]);
    expect(windows(FRI, [ci("07:40")], "10:31")).toEqual([
      ["07:30", "07:40", false],
      ["10:00", null, true],
      ["15:30", null, false],
      ["18:00", null, false],
    ]);
  });

  it("before the first window nothing is missed; at the end of the day every unchecked window is", () => {
    expect(windows(FRI, [], "06:00").map((w) => w[2])).toEqual([false, false, false, false]);
    expect(windows(FRI, [], "23:59").map((w) => w[2])).toEqual([true, true, true, true]);
  });

  it("check-ins may come in any order", () => {
    expect(windows(FRI, [ci("18:05"), ci("10:05"), ci("07:31"), ci("15:31")], "20:00")).toEqual([
      ["07:30", "07:31", false],
      ["10:00", "10:05", false],
      ["15:30", "15:31", false],
      ["18:00", "18:05", false],
    ]);
  });

  it("a check-in written in UTC counts at its instant", () => {
    // 2026-02-13T02:05Z is 10:05 in Shanghai
    const s = egovStatus(
      FRI,
      [{ at: "2026-02-13T02:05:00Z", by: "x" }],
      CFG,
      CALENDAR,
      at(`${FRI}T12:00:00+08:00`),
      TZ,
    );
    expect(s.windows.map((w) => [w.time, w.checked_at, w.missed])).toEqual([
      ["07:30", "2026-02-13T02:05:00Z", true],
      ["10:00", "2026-02-13T02:05:00Z", false],
      ["15:30", null, false],
      ["18:00", null, false],
    ]);
  });

  it("windows are listed in time order, with the configured grace", () => {
    const cfg = { windows: ["15:30", "07:30"], grace_minutes: 0 };
    expect(windows(FRI, [ci("07:30"), ci("15:31")], "20:00", cfg)).toEqual([
      ["07:30", "07:30", false],
      ["15:30", "15:31", true],
    ]);
  });
});

describe("egovStatus and the calendar", () => {
  it("a Spring Festival holiday has no windows", () => {
    const s = egovStatus("2026-02-16", [], CFG, CALENDAR, at("2026-02-16T20:00:00+08:00"), TZ);
    expect(s).toEqual({ date: "2026-02-16", working_day: false, windows: [] });
  });

  it("an ordinary Sunday has no windows", () => {
    expect(egovStatus("2026-03-08", [], CFG, CALENDAR, at("2026-03-08T20:00:00+08:00"), TZ).windows).toEqual(
      [],
    );
  });

  it("the adjusted working Saturday 2026-02-14 has windows", () => {
    const d = "2026-02-14";
    expect(windows(d, [ci("07:45", "x", d)], "12:00")).toEqual([
      ["07:30", "07:45", false],
      ["10:00", null, true],
      ["15:30", null, false],
      ["18:00", null, false],
    ]);
  });

  it("the adjusted working Sunday 2026-09-20 has windows", () => {
    expect(
      egovStatus("2026-09-20", [], CFG, CALENDAR, at("2026-09-20T06:00:00+08:00"), TZ).windows.map(
        (w) => w.time,
      ),
    ).toEqual(["07:30", "10:00", "15:30", "18:00"]);
  });
});
