import { describe, expect, it } from "vitest";
import {
  applyLimit,
  conditionHolds,
  daysOverdue,
  dueState,
  type LimitContext,
  recordDeadline,
  stepDue,
} from "../../src/core/deadline.js";
import type { LimitRule, StepDef, WorkflowDef } from "../../src/core/workflow.js";
import { CALENDAR } from "./fixtures.js";

const label = { en: "x", "zh-CN": "x" };

function ctx(over: Partial<LimitContext> = {}): LimitContext {
  return {
    calendar: CALENDAR,
    stepStart: "2026-02-13",
    recordStart: "2026-02-13",
    stepDone: {},
    fields: {},
    ...over,
  };
}

describe("applyLimit: every limit form", () => {
  it.each<[string, LimitRule, Partial<LimitContext>, string | undefined]>([
    // same_day
    ["same day", { same_day: true }, { stepStart: "2026-02-13" }, "2026-02-13"],
    ["same day on an adjusted Saturday", { same_day: true }, { stepStart: "2026-02-14" }, "2026-02-14"],
    // working_days from the step's start (the default)
    ["2 working days across Spring Festival", { working_days: 2 }, { stepStart: "2026-02-13" }, "2026-02-24"],
    [
      "2 working days, from: step",
      { working_days: 2, from: "step" },
      { stepStart: "2026-02-13" },
      "2026-02-24",
    ],
    ["0 working days", { working_days: 0 }, { stepStart: "2026-02-13" }, "2026-02-13"],
    ["15 working days across National Day", { working_days: 15 }, { stepStart: "2026-09-18" }, "2026-10-15"],
    ["1 working day before National Day", { working_days: 1 }, { stepStart: "2026-09-30" }, "2026-10-08"],
    // working_days from the record's start
    [
      "from the record's start, not the step's",
      { working_days: 15, from: "record" },
      { recordStart: "2026-09-18", stepStart: "2026-09-29" },
      "2026-10-15",
    ],
    [
      "from the step's start, not the record's",
      { working_days: 2 },
      { recordStart: "2026-02-10", stepStart: "2026-02-13" },
      "2026-02-24",
    ],
    // working_days from another step's completion
    [
      "from the day a step was done",
      { working_days: 2, from_step: "instruct" },
      { stepStart: "2026-03-02", stepDone: { instruct: "2026-02-13" } },
      "2026-02-24",
    ],
    [
      "from a step not done yet: the step's start",
      { working_days: 2, from_step: "instruct" },
      { stepStart: "2026-03-02", stepDone: {} },
      "2026-03-04",
    ],
    // working_days_before a date field
    [
      "agenda 2 working days before a Monday meeting",
      { working_days_before: 2, field: "meeting_date" },
      { fields: { meeting_date: "2026-03-02" } },
      "2026-02-27",
    ],
    [
      "report 3 working days before a superior's deadline",
      { working_days_before: 3, field: "superior_due" },
      { fields: { superior_due: "2026-03-10" } },
      "2026-03-05",
    ],
    [
      "before a date-time field uses its date",
      { working_days_before: 1, field: "meeting_at" },
      { fields: { meeting_at: "2026-10-08T09:00:00+08:00" } },
      "2026-09-30",
    ],
    [
      "before a missing field: undefined",
      { working_days_before: 2, field: "meeting_date" },
      { fields: {} },
      undefined,
    ],
    [
      "before a field that is not a date: undefined",
      { working_days_before: 2, field: "meeting_date" },
      { fields: { meeting_date: "next Monday" } },
      undefined,
    ],
    // date_field
    ["a date field", { date_field: "reply_by" }, { fields: { reply_by: "2026-02-20" } }, "2026-02-20"],
    ["a missing date field", { date_field: "reply_by" }, { fields: {} }, undefined],
    ["a number in a date field", { date_field: "reply_by" }, { fields: { reply_by: 20260220 } }, undefined],
    // day_of_month
    ["the 25th of the step's month", { day_of_month: 25 }, { stepStart: "2026-03-02" }, "2026-03-25"],
    [
      "the 25th of the month in a month field: Mid-Autumn 2026-09-25 is a rest day, the Thursday before",
      { day_of_month: 25, month_field: "month" },
      { stepStart: "2026-03-02", fields: { month: "2026-09" } },
      "2026-09-24",
    ],
    [
      "a 25th on a Saturday (2026-04-25): the Friday before",
      { day_of_month: 25, month_field: "month" },
      { fields: { month: "2026-04" } },
      "2026-04-24",
    ],
    [
      "a 25th on a Sunday (2026-10-25): the Friday before",
      { day_of_month: 25, month_field: "month" },
      { fields: { month: "2026-10" } },
      "2026-10-23",
    ],
    [
      "a 25th on a working Wednesday after the Spring Festival (2026-02-25): that day",
      { day_of_month: 25, month_field: "month" },
      { fields: { month: "2026-02" } },
      "2026-02-25",
    ],
    [
      "the 1st on National Day (2026-10-01): the last working day before it, across the month",
      { day_of_month: 1, month_field: "month" },
      { fields: { month: "2026-10" } },
      "2026-09-30",
    ],
    [
      "the 1st of 2027-01 (New Year's Day): 2026-12-31, across the year",
      { day_of_month: 1, month_field: "month" },
      { fields: { month: "2027-01" } },
      "2026-12-31",
    ],
    [
      "rest_day after: a meeting's 26th on a Sunday (2026-04-26) is the Monday after",
      { day_of_month: 26, month_field: "month", rest_day: "after" },
      { fields: { month: "2026-04" } },
      "2026-04-27",
    ],
    [
      "rest_day after: 2026-09-26 (a Saturday; the adjusted working days are Sep 20 and Oct 10) is Monday 09-28",
      { day_of_month: 26, month_field: "month", rest_day: "after" },
      { fields: { month: "2026-09" } },
      "2026-09-28",
    ],
    [
      "rest_day after on a working day: that day (2026-10-26)",
      { day_of_month: 26, month_field: "month", rest_day: "after" },
      { fields: { month: "2026-10" } },
      "2026-10-26",
    ],
    [
      "31 in February is the last day of February",
      { day_of_month: 31, month_field: "month" },
      { fields: { month: "2026-02" } },
      "2026-02-28",
    ],
    [
      "31 in a leap February",
      { day_of_month: 31, month_field: "month" },
      { fields: { month: "2028-02" } },
      "2028-02-29",
    ],
    ["31 in the step's February", { day_of_month: 31 }, { stepStart: "2026-02-13" }, "2026-02-28"],
    ["30 in April", { day_of_month: 31 }, { stepStart: "2026-04-01" }, "2026-04-30"],
    [
      "month field missing: the step's month",
      { day_of_month: 26, month_field: "month" },
      { stepStart: "2026-10-09", fields: {} },
      "2026-10-26",
    ],
    [
      "month field not a month: the step's month",
      { day_of_month: 26, month_field: "month" },
      { stepStart: "2026-10-09", fields: { month: "October" } },
      "2026-10-26",
    ],
    // by_field
    ...(() => {
      const rule: LimitRule = {
        by_field: "handling",
        cases: {
          immediate: { same_day: true },
          ordinary: { working_days: 2 },
          complex: { working_days: 15 },
        },
        default: { working_days: 15 },
      };
      return [
        [
          "by field: immediate",
          rule,
          { stepStart: "2026-09-18", fields: { handling: "immediate" } },
          "2026-09-18",
        ],
        [
          "by field: ordinary",
          rule,
          { stepStart: "2026-02-13", fields: { handling: "ordinary" } },
          "2026-02-24",
        ],
        [
          "by field: complex",
          rule,
          { stepStart: "2026-09-18", fields: { handling: "complex" } },
          "2026-10-15",
        ],
        ["by field: no value -> default", rule, { stepStart: "2026-09-18", fields: {} }, "2026-10-15"],
        [
          "by field: unknown value -> default",
          rule,
          { stepStart: "2026-09-18", fields: { handling: "other" } },
          "2026-10-15",
        ],
        [
          "by field: a value that is an Object.prototype name -> default",
          rule,
          { stepStart: "2026-09-18", fields: { handling: "constructor" } },
          "2026-10-15",
        ],
      ] as [string, LimitRule, Partial<LimitContext>, string | undefined][];
    })(),
    [
      "by field without default and no case: undefined",
      { by_field: "handling", cases: { immediate: { same_day: true } } },
      { fields: { handling: "ordinary" } },
      undefined,
    ],
    [
      "by field with a boolean value",
      { by_field: "important", cases: { true: { same_day: true }, false: { working_days: 2 } } },
      { stepStart: "2026-02-13", fields: { important: false } },
      "2026-02-24",
    ],
  ])("%s", (_label, rule, over, expected) => {
    expect(applyLimit(rule, ctx(over))?.date).toBe(expected);
  });

  it("reports the uncovered years a deadline was computed on", () => {
    // Thu 12-31, then the provisional 2027: Fri 01-01 is New Year's Day, Mon 01-04, Tue 01-05
    expect(applyLimit({ working_days: 3 }, ctx({ stepStart: "2026-12-30" }))).toEqual({
      date: "2027-01-05",
      uncoveredYears: [2027],
    });
    expect(applyLimit({ working_days: 3 }, ctx({ stepStart: "2026-03-02" }))?.uncoveredYears).toEqual([]);
  });
});

describe("conditionHolds", () => {
  it.each([
    [{ field: "urgency", in: ["urgent", "extra-urgent"] }, { urgency: "urgent" }, true],
    [{ field: "urgency", in: ["urgent", "extra-urgent"] }, { urgency: "normal" }, false],
    [{ field: "urgency", in: ["urgent"] }, {}, false],
    [{ field: "important", equals: true }, { important: true }, true],
    [{ field: "important", equals: true }, { important: "true" }, false],
    [{ field: "reply", equals: "" }, { reply: "" }, true],
    [{ field: "reply" }, { reply: "yes" }, true],
    [{ field: "reply" }, { reply: "" }, false],
    [{ field: "reply" }, { reply: false }, false],
    [{ field: "reply" }, { reply: null }, false],
    [{ field: "reply" }, {}, false],
  ])("%j on %j -> %s", (cond, fields, holds) => {
    expect(conditionHolds(cond, fields)).toBe(holds);
  });
});

describe("stepDue: override beats step limit beats overall deadline", () => {
  const undertake: StepDef = {
    id: "undertake",
    label,
    actor: { routed: true },
    limit: { working_days: 2 },
  };
  const propose: StepDef = { id: "propose", label, actor: { roles: ["office"] } };
  const wf: WorkflowDef = {
    format: 2,
    kind: "incoming",
    prefix: "IN",
    label,
    create_action: "receive",
    create_command: "receive",
    title: { option: "title", label },
    fields: [],
    deadline: { working_days: 15, from: "record" },
    overrides: [{ when: { field: "urgency", in: ["urgent", "extra-urgent"] }, limit: { same_day: true } }],
    steps: [propose, undertake],
  };
  const base = { stepStart: "2026-02-13", recordStart: "2026-02-10" };

  it.each<[string, StepDef, Record<string, unknown>, string | null, { due: string | null; own: boolean }]>([
    [
      "urgent: same day, though the step has a limit",
      undertake,
      { urgency: "urgent" },
      "2026-03-05",
      { due: "2026-02-13", own: true },
    ],
    [
      "extra-urgent: same day",
      undertake,
      { urgency: "extra-urgent" },
      "2026-03-05",
      { due: "2026-02-13", own: true },
    ],
    [
      "urgent: same day on a step without a limit",
      propose,
      { urgency: "urgent" },
      "2026-03-05",
      { due: "2026-02-13", own: true },
    ],
    [
      "normal: the step's own limit",
      undertake,
      { urgency: "normal" },
      "2026-03-05",
      { due: "2026-02-24", own: true },
    ],
    [
      "normal, no step limit: the overall deadline",
      propose,
      { urgency: "normal" },
      "2026-03-05",
      { due: "2026-03-05", own: false },
    ],
    ["no limit, no deadline: none", propose, {}, null, { due: null, own: false }],
  ])("%s", (_l, step, fields, overall, expected) => {
    const r = stepDue(wf, step, ctx({ ...base, fields }), overall);
    expect({ due: r.due, own: r.own }).toEqual(expected);
  });

  it("a step limit that needs a missing field falls back to the overall deadline", () => {
    const step: StepDef = {
      id: "agenda",
      label,
      actor: { roles: ["office"] },
      limit: { date_field: "meeting_date" },
    };
    expect(stepDue({ ...wf, overrides: [] }, step, ctx({ fields: {} }), "2026-03-05")).toMatchObject({
      due: "2026-03-05",
      own: false,
    });
  });

  it("recordDeadline counts from the record's start", () => {
    expect(recordDeadline(wf, ctx({ recordStart: "2026-09-18", stepStart: "2026-09-29" }))?.date).toBe(
      "2026-10-15",
    );
    expect(
      recordDeadline(
        { ...wf, deadline: { same_day: true } },
        ctx({ recordStart: "2026-09-18", stepStart: "2026-09-29" }),
      )?.date,
    ).toBe("2026-09-18");
    expect(recordDeadline({ ...wf, deadline: undefined }, ctx())).toBeUndefined();
  });
});

describe("dueState", () => {
  it.each([
    [null, "2026-02-13", 1, "none"],
    ["2026-02-12", "2026-02-13", 1, "overdue"],
    ["2026-02-13", "2026-02-13", 1, "due-today"],
    ["2026-02-14", "2026-02-13", 1, "due-soon"], // the adjusted working Saturday is the next working day
    ["2026-02-24", "2026-02-13", 1, "on-time"],
    ["2026-02-24", "2026-02-13", 2, "due-soon"], // across the Spring Festival
    ["2026-02-24", "2026-02-14", 1, "due-soon"],
    ["2026-02-20", "2026-02-14", 1, "due-soon"], // a holiday before the next working day
    ["2026-10-08", "2026-09-30", 1, "due-soon"],
    ["2026-10-09", "2026-09-30", 1, "on-time"],
    ["2026-03-10", "2026-03-05", 0, "on-time"],
  ])("due %s on %s (soon = %i working days) -> %s", (due, asOf, soon, state) => {
    expect(dueState(due, asOf, CALENDAR, soon)).toBe(state);
  });

  it("defaults to one working day of 'soon'", () => {
    expect(dueState("2026-03-06", "2026-03-05", CALENDAR)).toBe("due-soon");
    expect(dueState("2026-03-09", "2026-03-05", CALENDAR)).toBe("on-time");
  });
});

describe("daysOverdue", () => {
  it.each([
    ["2026-02-13", "2026-02-13", 0],
    ["2026-02-13", "2026-02-14", 1],
    ["2026-02-13", "2026-02-24", 11], // calendar days, holiday included
    ["2026-09-30", "2026-10-08", 8],
    ["2026-03-05", "2026-03-01", 0], // not due yet
  ])("due %s, as of %s: %i", (due, asOf, n) => {
    expect(daysOverdue(due, asOf)).toBe(n);
  });
});
