import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { Calendar, type ChineseDaysData, yearsFromChineseDays } from "../../src/core/calendar.js";
import { applyLimit, dueState, stepDue } from "../../src/core/deadline.js";
import type { LimitRule, WorkflowDef } from "../../src/core/workflow.js";

const data = createRequire(import.meta.url)("chinese-days/dist/chinese-days.json") as ChineseDaysData;
const calendar = new Calendar(yearsFromChineseDays(data, "test"));

describe("the 2026 calendar (State Council notice)", () => {
  it.each([
    ["2026-01-01", "holiday"],
    ["2026-01-04", "adjusted-workday"],
    ["2026-02-14", "adjusted-workday"],
    ["2026-02-16", "holiday"],
    ["2026-02-23", "holiday"],
    ["2026-02-24", "workday"],
    ["2026-02-28", "adjusted-workday"],
    ["2026-03-01", "weekend"],
    ["2026-05-09", "adjusted-workday"],
    ["2026-09-20", "adjusted-workday"],
    ["2026-10-07", "holiday"],
    ["2026-10-10", "adjusted-workday"],
    ["2026-10-11", "weekend"],
  ])("%s is a %s", (d, kind) => {
    expect(calendar.dayKind(d)).toBe(kind);
  });
});

describe("working days after a date (start day not counted)", () => {
  it.each([
    // REFERENCE.md: Sat 02-14 is a working day, then the holiday.
    ["2026-02-13", 2, "2026-02-24"],
    ["2026-02-13", 1, "2026-02-14"],
    ["2026-02-13", 0, "2026-02-13"],
    // REFERENCE.md: 15 working days across National Day.
    ["2026-09-18", 15, "2026-10-15"],
    ["2026-09-30", 1, "2026-10-08"],
    ["2026-10-09", 1, "2026-10-10"],
    ["2025-12-31", 1, "2026-01-04"],
    ["2026-04-30", 1, "2026-05-06"],
  ])("%s + %i working days = %s", (start, n, due) => {
    expect(calendar.addWorkingDays(start, n)).toEqual({ date: due, uncoveredYears: [] });
  });

  it("uses the statutory holidays in a year it does not cover, and says which", () => {
    expect(calendar.covers(2027)).toBe(false);
    // No lunar source here: only the fixed-date holidays; New Year's Day 2027 is a Friday.
    expect(calendar.addWorkingDays("2026-12-31", 2)).toEqual({ date: "2027-01-05", uncoveredYears: [2027] });
  });
});

describe("working days before a date (counting back from the day before)", () => {
  it.each([
    // DESIGN.md: Sat 02-28 is an adjusted working day.
    ["2026-03-02", 2, "2026-02-27"],
    ["2026-03-10", 3, "2026-03-05"],
    ["2026-02-24", 1, "2026-02-14"],
    ["2026-10-08", 2, "2026-09-29"],
  ])("%i working days before %s", (date, n, due) => {
    expect(calendar.workingDaysBefore(date, n).date).toBe(due);
  });
});

describe("every limit form", () => {
  const ctx = (fields: Record<string, unknown> = {}) => ({
    calendar,
    stepStart: "2026-02-13",
    recordStart: "2026-02-12",
    fields,
    stepDone: { issue: "2026-09-30" },
  });
  const cases: [string, LimitRule, Record<string, unknown>, string | undefined][] = [
    ["same day", { same_day: true }, {}, "2026-02-13"],
    ["2 working days from the step", { working_days: 2 }, {}, "2026-02-24"],
    ["2 working days from the record", { working_days: 2, from: "record" }, {}, "2026-02-14"],
    ["1 working day after another step", { working_days: 1, from_step: "issue" }, {}, "2026-10-08"],
    [
      "2 working days before a date field",
      { working_days_before: 2, field: "start" },
      { start: "2026-03-02T09:00:00+08:00" },
      "2026-02-27",
    ],
    ["by a date field", { date_field: "deadline" }, { deadline: "2026-03-10" }, "2026-03-10"],
    ["a date field that is missing", { date_field: "deadline" }, {}, undefined],
    [
      "by the 25th of the month field",
      { day_of_month: 25, month_field: "month" },
      { month: "2026-03" },
      "2026-03-25",
    ],
    [
      "by the 31st in February (clamped)",
      { day_of_month: 31, month_field: "month" },
      { month: "2026-02" },
      "2026-02-28",
    ],
    ["by the 26th of the step's month", { day_of_month: 26 }, {}, "2026-02-26"],
    [
      "chosen by a field (complex)",
      {
        by_field: "category",
        cases: { immediate: { same_day: true }, complex: { working_days: 15, from: "record" } },
      },
      { category: "complex" },
      // From Thu 02-12: 13th, Sat 14th (adjusted), holiday, then 24th…28th (Sat, adjusted), 2nd…6th, 9th–11th.
      "2026-03-11",
    ],
    [
      "chosen by a field, default",
      { by_field: "category", cases: { immediate: { same_day: true } }, default: { working_days: 2 } },
      { category: "ordinary" },
      "2026-02-24",
    ],
  ];
  it.each(cases)("%s", (_name, rule, fields, due) => {
    expect(applyLimit(rule, ctx(fields))?.date).toBe(due);
  });

  it("an urgent override beats the step's limit, which beats the overall deadline", () => {
    const wf = {
      overrides: [{ when: { field: "urgency", in: ["urgent", "extra-urgent"] }, limit: { same_day: true } }],
    } as unknown as WorkflowDef;
    const step = { id: "undertake", limit: { working_days: 2 } } as WorkflowDef["steps"][number];
    const bare = { id: "propose" } as WorkflowDef["steps"][number];
    expect(stepDue(wf, step, ctx({ urgency: "urgent" }), "2026-03-01").due).toBe("2026-02-13");
    expect(stepDue(wf, step, ctx({ urgency: "normal" }), "2026-03-01").due).toBe("2026-02-24");
    expect(stepDue(wf, bare, ctx({ urgency: "normal" }), "2026-03-01")).toEqual({
      due: "2026-03-01",
      uncoveredYears: [],
      own: false,
    });
  });

  it.each([
    [null, "none"],
    ["2026-02-12", "overdue"],
    ["2026-02-13", "due-today"],
    ["2026-02-14", "due-soon"],
    ["2026-02-24", "on-time"],
  ] as const)("due %s on 2026-02-13 is %s", (due, state) => {
    expect(dueState(due, "2026-02-13", calendar)).toBe(state);
  });
});
