import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ActionContext, createRecord, route, sign } from "../../src/core/engine.js";
import { HOOKS } from "../../src/core/hooks.js";
import { DEFAULT_ROLES, type OfficeConfig, type Person, type RecordDoc } from "../../src/core/model.js";
import { OfficeError } from "../../src/core/problems.js";
import { summarize } from "../../src/core/record.js";
import {
  isSupervised,
  lightOf,
  percentOf,
  supervisionLedger,
  supervisionRates,
} from "../../src/core/reports/supervision.js";
import { validateWorkflow, type WorkflowDef } from "../../src/core/workflow.js";
import { at, CALENDAR, rawTemplate } from "./fixtures.js";

/**
 * Issue 15 on the engine, pure: the shipped workflows of reports to superiors, requests and
 * inspections, the superior's-deadline guard across the 2026 holidays and the 2026/2027 boundary,
 * the supervision ledger's lights and days, and the on-time rate per unit.
 */

const ROLES = DEFAULT_ROLES.map((r) => r.id);
function load(kind: string): WorkflowDef {
  const r = validateWorkflow(rawTemplate(kind), kind, ROLES);
  expect(r.problems).toEqual([]);
  return r.value as WorkflowDef;
}
const WF = {
  superior: load("superior"),
  request: load("request"),
  inspection: load("inspection"),
  incoming: load("incoming"),
  call: load("call"),
};
const WORKFLOWS = Object.values(WF);

const people: Person[] = [
  { id: "clerk", name: "刘庆柱", roles: ["clerk", "office"], unit: "office" },
  { id: "sec", name: "李建国", roles: ["party-secretary"] },
  { id: "res", name: "陈红", roles: ["resident-secretary"] },
  { id: "lead", name: "周强", roles: ["leader"] },
  { id: "lead2", name: "吴敏", roles: ["leader"] },
  { id: "head", name: "赵磊", roles: ["unit-head"], unit: "urban" },
  { id: "worker", name: "钱芳", roles: ["staff"], unit: "urban" },
  { id: "other", name: "孙丽", roles: ["unit-head"], unit: "economy" },
];
const office: OfficeConfig = {
  name: "X街道办事处",
  timezone: "Asia/Shanghai",
  fonds: "Z109",
  roles: DEFAULT_ROLES,
  units: [
    { id: "office", name: "党政办" },
    { id: "urban", name: "城市管理科" },
    { id: "economy", name: "经济发展办" },
  ],
  people,
  prefixes: { "upward-report": "X街党报" },
  issuer_marks: {},
  printed_by: "X街道党政办公室",
  egov: { windows: [], grace_minutes: 30 },
  backup: { max_age_days: 7 },
};
const who = (id: string) => people.find((p) => p.id === id) as Person;
const ac = (wf: WorkflowDef, actor: string, when: string, recorder = actor): ActionContext => ({
  office,
  wf,
  calendar: CALENDAR,
  now: at(when),
  actor: who(actor),
  recorder: who(recorder),
  hooks: HOOKS,
});
const t = (day: string, hm = "09:00") => `${day}T${hm}:00+08:00`;

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OfficeError);
    return (e as OfficeError).code;
  }
  throw new Error("not refused");
}

function registerSuperior(registered: string, deadline: string, id = "SUP-2026-0001") {
  return createRecord(
    ac(WF.superior, "clerk", t(registered)),
    id,
    "关于报送情况的通知",
    { from: "区委办", source: "letter", deadline },
    at(t(registered)),
  );
}

describe("superior: the party secretary's day is 3 working days before the superior's deadline", () => {
  it("runs instruct → investigate (each) → countersign (the same people) → secretary-sign → submit", () => {
    let r = registerSuperior("2026-03-02", "2026-03-10").record;
    expect([r.step, r.holders, r.due, r.deadline]).toEqual(["instruct", ["sec"], "2026-03-03", "2026-03-10"]);
    r = sign(r, ac(WF.superior, "sec", t("2026-03-02", "15:00"), "clerk"), {
      opinion: "请周强同志牵头",
      to: ["lead", "urban"],
    }).record;
    // DESIGN.md: a report due to a superior on Tuesday 2026-03-10 goes to the party secretary by
    // the end of Thursday 03-05.
    expect([r.step, r.holders, r.due, r.fields.unit]).toEqual([
      "investigate",
      ["lead", "urban"],
      "2026-03-05",
      "urban",
    ]);
    r = sign(r, ac(WF.superior, "worker", t("2026-03-03")), {}).record;
    expect([r.step, r.holders]).toEqual(["investigate", ["lead"]]);
    r = sign(r, ac(WF.superior, "lead", t("2026-03-04")), {}).record;
    // Countersigned by the same people who investigated: the worker for urban, and the leader.
    expect([r.step, r.holders, r.due]).toEqual(["countersign", ["worker", "lead"], "2026-03-05"]);
    expect(refusal(() => sign(r, ac(WF.superior, "head", t("2026-03-04")), {}))).toBe("engine.not-permitted");
    r = sign(r, ac(WF.superior, "lead", t("2026-03-04", "10:00")), {}).record;
    r = sign(r, ac(WF.superior, "worker", t("2026-03-04", "11:00")), {}).record;
    expect([r.step, r.holders, r.due]).toEqual(["secretary-sign", ["sec"], "2026-03-05"]);
    // Sent back: the investigation starts again with the same people.
    const back = sign(r, ac(WF.superior, "sec", t("2026-03-05")), { decision: "return" }).record;
    expect([back.step, back.holders]).toEqual(["investigate", ["lead", "urban"]]);
    r = sign(r, ac(WF.superior, "sec", t("2026-03-05")), { opinion: "同意上报" }).record;
    expect([r.step, r.due]).toEqual(["submit", "2026-03-10"]);
  });

  const close = (deadline: string, due: string, n: number, lost: number, left: number) => ({
    code: "superior.deadline-close",
    params: { id: "SUP-2026-0001", deadline, due, n, lost, left },
  });
  it.each([
    // [registered, deadline, notices]
    ["2026-03-02", "2026-03-10", undefined],
    [
      "2026-03-05",
      "2026-03-10",
      [
        {
          code: "superior.deadline-due-today",
          params: { id: "SUP-2026-0001", deadline: "2026-03-10", due: "2026-03-05", n: 3 },
        },
      ],
    ],
    // Lost: Fri 03-06 and Mon 03-09; left: Tue 03-10.
    ["2026-03-09", "2026-03-10", [close("2026-03-10", "2026-03-05", 3, 2, 1)]],
    // Right after the Spring Festival: counted back from Mon 02-23 over the holiday (02-15..23) to
    // the adjusted working Saturday 02-14, Fri 02-13 and Thu 02-12.
    ["2026-02-11", "2026-02-24", undefined],
    [
      "2026-02-12",
      "2026-02-24",
      [
        {
          code: "superior.deadline-due-today",
          params: { id: "SUP-2026-0001", deadline: "2026-02-24", due: "2026-02-12", n: 3 },
        },
      ],
    ],
    // Registered Fri 02-13: lost 02-13 itself; left the working Saturday 02-14 and 02-24.
    ["2026-02-13", "2026-02-24", [close("2026-02-24", "2026-02-12", 3, 1, 2)]],
    // Registered on the holiday: lost 02-13 and 02-14; left 02-24.
    ["2026-02-18", "2026-02-24", [close("2026-02-24", "2026-02-12", 3, 2, 1)]],
    // National Day (rest 10-01..07): a deadline on Fri 10-09 needs the secretary by Tue 09-29.
    ["2026-09-28", "2026-10-09", undefined],
    ["2026-09-30", "2026-10-09", [close("2026-10-09", "2026-09-29", 3, 1, 2)]],
    // Mon 10-12: back over Sun 10-11 to the adjusted working Saturday 10-10, 10-09, 10-08.
    ["2026-09-30", "2026-10-12", undefined],
    ["2026-10-09", "2026-10-12", [close("2026-10-12", "2026-10-08", 3, 1, 2)]],
    // Across the year boundary (2027 provisional: New Year's Day Fri 2027-01-01): Tue 2027-01-05
    // needs the secretary by Wed 2026-12-30 (Mon 01-04, Thu 12-31, Wed 12-30).
    ["2026-12-31", "2027-01-05", [close("2027-01-05", "2026-12-30", 3, 1, 2)]],
    // Registered after the deadline itself.
    [
      "2026-03-11",
      "2026-03-10",
      [
        {
          code: "superior.deadline-passed",
          params: { id: "SUP-2026-0001", deadline: "2026-03-10", registered: "2026-03-11" },
        },
      ],
    ],
  ] as const)("registered %s, deadline %s: %j", (registered, deadline, notices) => {
    const res = registerSuperior(registered, deadline);
    // Accepted in every case: a warning, never a refusal.
    expect(res.record.step).toBe("instruct");
    expect(res.notices).toEqual(notices);
  });
});

describe("request: unit-sign by the unit head of the requesting unit and a leader in charge", () => {
  const create = () =>
    createRecord(
      ac(WF.request, "clerk", t("2026-03-02")),
      "REQ-2026-0001",
      "关于更换路灯的请示",
      { unit: "urban", content: "经费3万元" },
      at(t("2026-03-02")),
    ).record;

  it("needs both, in either order; a unit head of another unit or a staff member may not", () => {
    const r = create();
    expect([r.step, r.holders]).toEqual(["unit-sign", ["head", "lead", "lead2"]]);
    for (const p of ["other", "worker", "clerk"])
      expect(refusal(() => sign(r, ac(WF.request, p, t("2026-03-02")), {}))).toBe("engine.not-permitted");
    const leaderFirst = sign(r, ac(WF.request, "lead", t("2026-03-02")), {}).record;
    expect([leaderFirst.step, leaderFirst.holders]).toEqual(["unit-sign", ["head"]]);
    // A second leader is not wanted once one has signed.
    expect(refusal(() => sign(leaderFirst, ac(WF.request, "lead2", t("2026-03-02")), {}))).toBe(
      "engine.not-permitted",
    );
    const both = sign(leaderFirst, ac(WF.request, "head", t("2026-03-02")), {}).record;
    expect(both.step).toBe("propose");
    const headFirst = sign(r, ac(WF.request, "head", t("2026-03-02")), {}).record;
    expect(headFirst.holders).toEqual(["lead", "lead2"]);
  });

  it("the instruction names who implements it; implementation is due in 2 working days (across the Spring Festival)", () => {
    let r = create();
    for (const p of ["head", "lead"]) r = sign(r, ac(WF.request, p, t("2026-02-12")), {}).record;
    r = sign(r, ac(WF.request, "clerk", t("2026-02-12")), {}).record;
    r = sign(r, ac(WF.request, "sec", t("2026-02-13"), "clerk"), { opinion: "同意", to: ["urban"] }).record;
    expect([r.step, r.holders, r.due]).toEqual(["implement", ["urban"], "2026-02-24"]);
    expect(isSupervised(WF.request.steps.at(-1), () => undefined)).toBe(true);
  });
});

describe("the warning light", () => {
  it.each([
    // [due, asOf, yellow within N working days, light]
    [null, "2026-03-02", 2, "green"],
    ["2026-02-27", "2026-03-02", 2, "red"],
    ["2026-03-02", "2026-03-02", 0, "yellow"],
    ["2026-03-03", "2026-03-02", 0, "green"],
    ["2026-03-04", "2026-03-02", 2, "yellow"],
    ["2026-03-05", "2026-03-02", 2, "green"],
    // Fri 02-13, 2 working days: the adjusted Saturday 02-14 and Tue 02-24 after the holiday.
    ["2026-02-24", "2026-02-13", 2, "yellow"],
    ["2026-02-25", "2026-02-13", 2, "green"],
    // On a rest day the horizon starts from the next working days: Sat 02-21 -> Tue 02-24, Wed 02-25.
    ["2026-02-25", "2026-02-21", 2, "yellow"],
    // National Day: Wed 09-30 + 2 working days = Thu 10-08, Fri 10-09.
    ["2026-10-09", "2026-09-30", 2, "yellow"],
    ["2026-10-10", "2026-09-30", 2, "green"],
  ] as const)("due %s on %s within %i: %s", (due, asOf, within, light) => {
    expect(lightOf(due, asOf, CALENDAR.addWorkingDays(asOf, within).date)).toBe(light);
  });
});

describe("percentOf: exact, one decimal, rounded half up", () => {
  it.each([
    [2, 3, "66.7"],
    [1, 3, "33.3"],
    [1, 16, "6.3"],
    [1, 8, "12.5"],
    [1, 1, "100.0"],
    [0, 5, "0.0"],
  ])("%i of %i is %s%%", (n, d, s) => expect(percentOf(n, d)).toBe(s));

  it("is within half a tenth of n/d, halves rounded up", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.nat(), (d, k) => {
        const n = k % (d + 1);
        const s = percentOf(n, d);
        expect(s).toMatch(/^\d{1,3}\.\d$/);
        const tenths = Number(s.replace(".", ""));
        // tenths = floor(1000n/d + 1/2): 2*d*tenths - 2000*n lies in (-d, d].
        const diff = 2 * d * tenths - 2000 * n;
        expect(diff).toBeGreaterThan(-d);
        expect(diff).toBeLessThanOrEqual(d);
      }),
    ));
});

/** The records of a small office on 2026-03-02, each at a step the ledger shows or leaves out. */
function scenario() {
  const records: RecordDoc[] = [];
  const keep = (r: RecordDoc) => {
    records.push(r);
    return r;
  };
  // An incoming document undertaken by urban, overdue.
  let inc = createRecord(
    ac(WF.incoming, "clerk", t("2026-02-24")),
    "IN-2026-0001",
    "关于防汛的通知",
    { from: "区应急局", urgency: "normal", classification: "none", channel: "paper" },
    at(t("2026-02-24")),
  ).record;
  inc = sign(inc, ac(WF.incoming, "clerk", t("2026-02-24", "10:00")), {}).record;
  inc = sign(inc, ac(WF.incoming, "sec", t("2026-02-25")), { to: ["urban"] }).record;
  keep(inc);
  // Two calls at handling: an important one (supervised), an ordinary one (not).
  const call = (id: string, important: boolean) =>
    createRecord(
      ac(WF.call, "clerk", t("2026-03-02", "08:30")),
      id,
      "路灯不亮",
      {
        caller: "张三",
        phone: "13812345678",
        channel: "phone",
        type: "help",
        category: "ordinary",
        important,
      },
      at(t("2026-03-02", "08:30")),
    ).record;
  let important = call("CALL-2026-0001", true);
  important = sign(important, ac(WF.call, "sec", t("2026-03-02", "08:40")), { to: ["economy"] }).record;
  keep(important);
  keep(
    route(call("CALL-2026-0002", false), ac(WF.call, "clerk", t("2026-03-02", "08:45")), ["urban"]).record,
  );
  // A superior's task at investigation, no unit yet (routed to a leader only).
  let sup = registerSuperior("2026-02-26", "2026-03-20", "SUP-2026-0001").record;
  sup = sign(sup, ac(WF.superior, "sec", t("2026-02-27")), { to: ["lead"] }).record;
  keep(sup);
  return records;
}

describe("the supervision ledger", () => {
  it("lists the open records at supervised steps, across kinds, earliest due first, with lights and days left", () => {
    const records = scenario();
    const summaries = records.map((r) => summarize(r, WF[r.kind as keyof typeof WF]));
    const ledger = supervisionLedger(summaries, WORKFLOWS, office, CALENDAR, {
      asOf: "2026-03-02",
      yellowWithin: 2,
    });
    expect(
      ledger.map((x) => [x.id, x.step, x.units, x.due, x.days_left, x.working_days_left, x.light]),
    ).toEqual([
      // Undertaking due 2 working days after Wed 02-25: Fri 02-27; on Mon 03-02 the adjusted working
      // Saturday 02-28 and 03-02 are gone.
      ["IN-2026-0001", "undertake", ["urban"], "2026-02-27", -3, -2, "red"],
      // An ordinary call, registered Mon 03-02: due Wed 03-04, 2 working days.
      ["CALL-2026-0001", "handle", ["economy"], "2026-03-04", 2, 2, "yellow"],
      // 3 working days before Fri 03-20: Tue 03-17.
      ["SUP-2026-0001", "investigate", [], "2026-03-17", 15, 11, "green"],
    ]);
    // --kind, --unit
    const only = (q: object) =>
      supervisionLedger(summaries, WORKFLOWS, office, CALENDAR, {
        asOf: "2026-03-02",
        yellowWithin: 2,
        ...q,
      }).map((x) => x.id);
    expect(only({ kind: "call" })).toEqual(["CALL-2026-0001"]);
    expect(only({ unit: "urban" })).toEqual(["IN-2026-0001"]);
    // A workflow without supervised steps puts nothing on the ledger.
    const plain = WORKFLOWS.map((w) => ({ ...w, steps: w.steps.map(({ supervised: _, ...s }) => s) }));
    expect(
      supervisionLedger(summaries, plain, office, CALENDAR, { asOf: "2026-03-02", yellowWithin: 2 }),
    ).toEqual([]);
  });

  it("a summary without a condition's field (made before the workflow named it) is decided from the record", () => {
    const records = scenario();
    const calls = records.filter((r) => r.kind === "call");
    const summaries = calls.map((r) => {
      const s = summarize(r, WF.call);
      expect(s.extra?.important).toBe(String(r.fields.important));
      const { important: _, ...rest } = s.extra ?? {};
      return { ...s, extra: rest };
    });
    const asked: string[] = [];
    const ledger = supervisionLedger(
      summaries,
      WORKFLOWS,
      office,
      CALENDAR,
      { asOf: "2026-03-02", yellowWithin: 2 },
      (s) => {
        asked.push(s.id);
        return calls.find((r) => r.id === s.id)?.fields;
      },
    );
    expect(ledger.map((x) => x.id)).toEqual(["CALL-2026-0001"]);
    expect(asked.sort()).toEqual(["CALL-2026-0001", "CALL-2026-0002"]);
  });
});

describe("the on-time rate per unit", () => {
  it("counts each record once per unit it counts for, in the period it left supervision", () => {
    // An inspection of urban and economy: urban on time, economy late.
    let insp = createRecord(
      ac(WF.inspection, "clerk", t("2026-03-02")),
      "INSP-2026-0001",
      "安全生产督查",
      { start: "2026-03-09", units: ["urban", "economy"], deadline: "2026-03-06" },
      at(t("2026-03-02")),
    ).record;
    insp = sign(insp, ac(WF.inspection, "res", t("2026-03-02")), {}).record;
    insp = sign(insp, ac(WF.inspection, "sec", t("2026-03-02")), {}).record;
    insp = sign(insp, ac(WF.inspection, "clerk", t("2026-03-03")), {}).record;
    expect([insp.step, insp.holders, insp.due, insp.fields.noticed_on]).toEqual([
      "submit",
      ["urban", "economy"],
      "2026-03-06",
      "2026-03-03",
    ]);
    insp = sign(insp, ac(WF.inspection, "worker", t("2026-03-05")), {}).record;
    const stillOpen = insp;
    insp = sign(insp, ac(WF.inspection, "other", t("2026-03-09")), {}).record;
    expect(insp.step).toBe("report");
    // An incoming document undertaken on time by urban, and one finished in another month.
    const undertaken = (id: string, day: string, done: string) => {
      let r = createRecord(
        ac(WF.incoming, "clerk", t(day)),
        id,
        "通知",
        { from: "区", urgency: "normal", classification: "none", channel: "paper" },
        at(t(day)),
      ).record;
      r = sign(r, ac(WF.incoming, "clerk", t(day)), {}).record;
      r = sign(r, ac(WF.incoming, "sec", t(day)), { to: ["urban"] }).record;
      return sign(r, ac(WF.incoming, "worker", t(done)), {}).record;
    };
    const march = undertaken("IN-2026-0001", "2026-03-02", "2026-03-03");
    const january = undertaken("IN-2026-0002", "2026-01-05", "2026-01-06");
    const late = undertaken("IN-2026-0003", "2026-03-02", "2026-03-10");
    const records = [insp, march, january, late];
    const rates = (q: object, ledger = [] as Parameters<typeof supervisionRates>[4]) =>
      supervisionRates(records, WORKFLOWS, office, q, ledger).map((r) => [
        r.unit,
        r.finished,
        r.on_time,
        r.late,
        r.on_time_rate,
        r.open,
        r.overdue,
      ]);
    expect(rates({ from: "2026-03-01", to: "2026-03-31" })).toEqual([
      ["economy", 1, 0, 1, "0.0", 0, 0],
      ["urban", 3, 2, 1, "66.7", 0, 0],
    ]);
    expect(rates({})).toEqual([
      ["economy", 1, 0, 1, "0.0", 0, 0],
      ["urban", 4, 3, 1, "75.0", 0, 0],
    ]);
    // An inspection still waiting for a unit has not left supervision; the ledger's items are counted as open.
    const ledger = supervisionLedger([summarize(stillOpen, WF.inspection)], WORKFLOWS, office, CALENDAR, {
      asOf: "2026-03-09",
      yellowWithin: 2,
    });
    expect(ledger.map((x) => [x.units, x.light])).toEqual([[["economy"], "red"]]);
    expect(
      supervisionRates([stillOpen], WORKFLOWS, office, {}, ledger).map((r) => [
        r.unit,
        r.finished,
        r.open,
        r.overdue,
      ]),
    ).toEqual([["economy", 0, 1, 1]]);
  });
});

describe("the workflow keys of issue 15", () => {
  const base = (step: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    format: 2,
    kind: "x",
    prefix: "XX",
    label: { en: "X", "zh-CN": "X" },
    create_action: "make",
    fields: [
      { id: "unit", type: "text", ref: "unit", label: { en: "U", "zh-CN": "U" } },
      { id: "no", type: "text", label: { en: "N", "zh-CN": "N" } },
      { id: "flag", type: "boolean", label: { en: "F", "zh-CN": "F" } },
    ],
    steps: [
      {
        id: "a",
        label: { en: "A", "zh-CN": "A" },
        actor: { roles: ["office"] },
        limit: { same_day: true },
        ...step,
      },
    ],
    ...extra,
  });
  const codes = (raw: unknown) =>
    validateWorkflow(raw, "x", ROLES).problems.map((p) => [p.path.join("/"), p.code]);
  it.each([
    [{ supervised: true }, []],
    [{ supervised: { field: "flag", equals: true } }, []],
    [{ supervised: { field: "nope" } }, [["steps/0/supervised", "workflow.bad-condition"]]],
    [{ actor: { roles: ["unit-head", "leader"], unit_field: "unit", unit_roles: ["unit-head"] } }, []],
    [
      { actor: { roles: ["unit-head", "leader"], unit_roles: ["unit-head"] } },
      [["steps/0/actor/unit_roles", "workflow.bad-actor"]],
    ],
    [
      { actor: { roles: ["leader"], unit_field: "unit", unit_roles: ["unit-head"] } },
      [["steps/0/actor/unit_roles/0", "workflow.unknown-role"]],
    ],
    [{ numbers: { field: "no", prefix: "upward-report" } }, []],
    [
      { numbers: { field: "no", prefix: "upward-report", prefix_by: "unit" } },
      [["steps/0/numbers", "workflow.unknown-field"]],
    ],
    [{ numbers: { field: "no" } }, [["steps/0/numbers", "workflow.unknown-field"]]],
  ])("%j", (step, expected) => {
    expect(codes(base(step))).toEqual(expected);
  });
});
