import { describe, expect, it } from "vitest";
import { dueStateBy } from "../../src/core/deadline.js";
import type { OfficeConfig, RecordSummary } from "../../src/core/model.js";
import { filterSummaries, heldBy } from "../../src/core/reports/list.js";
import {
  groupByHolder,
  holderGroups,
  holderGroupsFor,
  overdueReport,
  parseRoleGroup,
} from "../../src/core/reports/overdue.js";
import type { StepDef } from "../../src/core/workflow.js";
import { CALENDAR, incomingWorkflow, makeOffice, P, rawTemplate } from "./fixtures.js";

const OFFICE = makeOffice();

function summary(id: string, due: string | null, over: Partial<RecordSummary> = {}): RecordSummary {
  return {
    id,
    kind: "incoming",
    title: `文件 ${id}`,
    status: "open",
    step: "undertake",
    holders: ["urban"],
    due,
    created: "2026-02-10T09:00:00+08:00",
    updated: "2026-02-10T09:00:00+08:00",
    ...over,
  };
}

const OPEN: RecordSummary[] = [
  summary("IN-2026-0001", "2026-02-12"), // 12 days overdue on 02-24
  summary("IN-2026-0002", "2026-02-23", { holders: [P.office.id], step: "feedback" }), // 1 day
  summary("IN-2026-0003", "2026-02-24"), // due today: not overdue
  summary("IN-2026-0004", "2026-02-25", { holders: ["civil"] }), // next working day
  summary("IN-2026-0005", "2026-02-26", { holders: [P.leader.id, P.unitHead.id], step: "circulate" }),
  summary("IN-2026-0006", "2026-03-02"),
  summary("IN-2026-0007", null, { step: "propose", holders: [P.office.id] }), // no due date
  summary("IN-2026-0008", "2026-02-01", { status: "closed", step: null, holders: [] }), // closed
  summary("CALL-2026-0001", "2026-02-13", { kind: "call", holders: ["civil"], unit: "civil" }),
  summary("CALL-2026-0002", "2026-02-20", {
    kind: "call",
    holders: [P.civilStaff.id],
    classification: "secret",
  }),
];

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

describe("overdueReport", () => {
  it("lists open records whose due day ended before asOf, most overdue first", () => {
    const rows = overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24" });
    // days_overdue in calendar days (scripts use it); working days: the Spring Festival (Feb 15–23)
    // does not count, the adjusted working Saturday Feb 14 does.
    expect(rows.map((r) => [r.id, r.due, r.days_overdue, r.working_days_overdue])).toEqual([
      ["IN-2026-0001", "2026-02-12", 12, 3], // Fri 13, Sat 14, Tue 24
      ["CALL-2026-0001", "2026-02-13", 11, 2], // Sat 14, Tue 24
      ["CALL-2026-0002", "2026-02-20", 4, 1], // due inside the holiday: Tue 24
      ["IN-2026-0002", "2026-02-23", 1, 1],
    ]);
    expect(rows[0]).toEqual({
      id: "IN-2026-0001",
      kind: "incoming",
      title: "文件 IN-2026-0001",
      step: "undertake",
      holders: ["urban"],
      due: "2026-02-12",
      days_overdue: 12,
      working_days_overdue: 3,
      state: "overdue",
    });
    expect(rows[2]?.classification).toBe("secret");
  });

  it("a record due on asOf is not overdue yet; the next day it is", () => {
    expect(ids(overdueReport([OPEN[2] as RecordSummary], OFFICE, CALENDAR, { asOf: "2026-02-24" }))).toEqual(
      [],
    );
    const next = overdueReport([OPEN[2] as RecordSummary], OFFICE, CALENDAR, { asOf: "2026-02-25" });
    expect(next.map((r) => [r.id, r.days_overdue])).toEqual([["IN-2026-0003", 1]]);
  });

  it("says due today for a record due on asOf and due soon after it, as list does", () => {
    const rows = overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", within: 1 });
    expect(rows.map((r) => [r.id, r.state])).toEqual([
      ["IN-2026-0001", "overdue"],
      ["CALL-2026-0001", "overdue"],
      ["CALL-2026-0002", "overdue"],
      ["IN-2026-0002", "overdue"],
      ["IN-2026-0003", "due-today"],
      ["IN-2026-0004", "due-soon"],
    ]);
    for (const r of rows)
      expect(r.state).toBe(dueStateBy(r.due, "2026-02-24", CALENDAR.addWorkingDays("2026-02-24", 1).date));
  });

  it("within N working days adds what falls due soon, with days_overdue 0", () => {
    const rows = overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", within: 1 });
    expect(rows.map((r) => [r.id, r.days_overdue])).toEqual([
      ["IN-2026-0001", 12],
      ["CALL-2026-0001", 11],
      ["CALL-2026-0002", 4],
      ["IN-2026-0002", 1],
      ["IN-2026-0003", 0],
      ["IN-2026-0004", 0],
    ]);
    const two = overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", within: 2 });
    expect(ids(two).slice(4)).toEqual(["IN-2026-0003", "IN-2026-0004", "IN-2026-0005"]);
    expect(ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", within: 0 }))).toHaveLength(4);
  });

  it("counts 'within' in working days: across the Spring Festival", () => {
    const list = [summary("IN-2026-0100", "2026-02-24"), summary("IN-2026-0101", "2026-02-25")];
    // from Sat 02-14 (worked), the next working day is Tue 02-24
    expect(
      overdueReport(list, OFFICE, CALENDAR, { asOf: "2026-02-14", within: 1 }).map((r) => [
        r.id,
        r.days_overdue,
      ]),
    ).toEqual([["IN-2026-0100", 0]]);
  });

  it("filters by kind", () => {
    expect(ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", kind: "call" }))).toEqual([
      "CALL-2026-0001",
      "CALL-2026-0002",
    ]);
    expect(ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", kind: "outgoing" }))).toEqual([]);
  });

  it("filters by unit: the record's unit or a holding unit", () => {
    expect(ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", unit: "civil" }))).toEqual([
      "CALL-2026-0001",
    ]);
    expect(
      ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", unit: "urban", within: 1 })),
    ).toEqual(["IN-2026-0001", "IN-2026-0003"]);
  });

  it("filters by holder: a person matches what they hold and what their unit holds", () => {
    expect(ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", holder: P.staff.id }))).toEqual([
      "IN-2026-0001",
    ]);
    expect(
      ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", holder: P.civilStaff.id })),
    ).toEqual(["CALL-2026-0001", "CALL-2026-0002"]);
    expect(ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", holder: P.office.id }))).toEqual([
      "IN-2026-0002",
    ]);
    expect(ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", holder: P.leader.id }))).toEqual(
      [],
    );
    expect(
      ids(overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-24", holder: P.leader.id, within: 2 })),
    ).toEqual(["IN-2026-0005"]);
  });

  it("combines filters", () => {
    expect(
      ids(
        overdueReport(OPEN, OFFICE, CALENDAR, {
          asOf: "2026-02-24",
          kind: "incoming",
          holder: P.civilStaff.id,
        }),
      ),
    ).toEqual([]);
  });

  it("never lists closed records or records without a due date", () => {
    const rows = overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2099-01-01", within: 5 });
    expect(ids(rows)).not.toContain("IN-2026-0007");
    expect(ids(rows)).not.toContain("IN-2026-0008");
    expect(rows).toHaveLength(8);
  });

  it("orders equal due dates by id", () => {
    const list = [summary("IN-2026-0009", "2026-02-12"), summary("IN-2026-0003", "2026-02-12")];
    expect(ids(overdueReport(list, OFFICE, CALENDAR, { asOf: "2026-02-24" }))).toEqual([
      "IN-2026-0003",
      "IN-2026-0009",
    ]);
  });
});

describe("groupByHolder", () => {
  it("puts a record under each of its holders, holders in first-due order", () => {
    const rows = overdueReport(OPEN, OFFICE, CALENDAR, { asOf: "2026-02-27" });
    const g = groupByHolder(rows);
    expect([...g.keys()]).toEqual([
      "urban",
      "civil",
      P.civilStaff.id,
      P.office.id,
      P.leader.id,
      P.unitHead.id,
    ]);
    expect(ids(g.get("urban") ?? [])).toEqual(["IN-2026-0001", "IN-2026-0003"]);
    expect(ids(g.get("civil") ?? [])).toEqual(["CALL-2026-0001", "IN-2026-0004"]);
    expect(ids(g.get(P.leader.id) ?? [])).toEqual(["IN-2026-0005"]);
    expect(ids(g.get(P.unitHead.id) ?? [])).toEqual(["IN-2026-0005"]);
  });

  it("records without holders go under the empty key", () => {
    const rows = overdueReport([summary("IN-2026-0200", "2026-02-12", { holders: [] })], OFFICE, CALENDAR, {
      asOf: "2026-02-24",
    });
    expect([...groupByHolder(rows).keys()]).toEqual([""]);
  });
});

describe("heldBy and filterSummaries", () => {
  it("a person holds what their unit holds; a unit only what it holds", () => {
    const s = summary("IN-2026-0001", "2026-02-12");
    expect(heldBy(s, "urban", OFFICE)).toBe(true);
    expect(heldBy(s, P.staff.id, OFFICE)).toBe(true);
    expect(heldBy(s, P.civilStaff.id, OFFICE)).toBe(false);
    expect(heldBy(s, P.office.id, OFFICE)).toBe(false);
    expect(heldBy(s, "civil", OFFICE)).toBe(false);
  });

  it("filters by status and sorts by due date, records without one last", () => {
    const open = filterSummaries(OPEN, OFFICE, { status: "open", kind: "incoming" });
    expect(ids(open)).toEqual([
      "IN-2026-0001",
      "IN-2026-0002",
      "IN-2026-0003",
      "IN-2026-0004",
      "IN-2026-0005",
      "IN-2026-0006",
      "IN-2026-0007",
    ]);
    expect(ids(filterSummaries(OPEN, OFFICE, { status: "closed" }))).toEqual(["IN-2026-0008"]);
    expect(filterSummaries(OPEN, OFFICE, { status: "all" })).toHaveLength(OPEN.length);
    expect(ids(filterSummaries(OPEN, OFFICE, { status: "open", step: "circulate" }))).toEqual([
      "IN-2026-0005",
    ]);
  });
});

describe("holderGroups: a record a whole role may take up is listed once, under the role", () => {
  const office: OfficeConfig = {
    ...OFFICE,
    people: [
      ...OFFICE.people,
      { id: "yu-kai", name: "于凯", roles: ["office-head", "office"], unit: "urban" },
      { id: "liu-qingzhu", name: "刘庆柱", roles: ["office", "clerk"] },
      { id: "ma-lin", name: "马林", roles: ["unit-head"], unit: "urban" },
      { id: "he-min", name: "何敏", roles: ["unit-head"], unit: "civil" },
    ],
  };
  const wf = incomingWorkflow();
  const step = (id: string) => wf.steps.find((s) => s.id === id) as StepDef;
  const actor = (a: StepDef["actor"]): StepDef => ({ ...step("propose"), actor: a });
  const office3 = ["wang-shoujie", "yu-kai", "liu-qingzhu"];

  it.each<[string, readonly string[], StepDef | undefined, readonly string[]]>([
    ["any one of the office's roles", office3, step("propose"), ["role:office,office-head"]],
    ["one holder is that person", ["li-jianguo"], step("instruct"), ["li-jianguo"]],
    ["a routed unit is the unit", ["urban"], step("undertake"), ["urban"]],
    ["two routed units are each a group", ["urban", "civil"], step("undertake"), ["urban", "civil"]],
    [
      "readers who each sign are each a group",
      ["zhou-qiang", "zhao-lei"],
      step("circulate"),
      ["zhou-qiang", "zhao-lei"],
    ],
    ["an unknown step leaves the holders", office3, undefined, office3],
    [
      "a holder without the role (office.yaml changed) leaves the holders",
      ["wang-shoujie", "zhou-qiang"],
      step("propose"),
      ["wang-shoujie", "zhou-qiang"],
    ],
    [
      "a holder not in office.yaml leaves the holders",
      ["wang-shoujie", "gone"],
      step("propose"),
      ["wang-shoujie", "gone"],
    ],
    [
      "the unit-heads of the record's unit",
      ["zhao-lei", "ma-lin"],
      actor({ roles: ["unit-head"], unit_field: "unit" }),
      ["role:unit-head@urban"],
    ],
    [
      "unit-heads of two units are not one unit's",
      ["zhao-lei", "he-min"],
      actor({ roles: ["unit-head"], unit_field: "unit" }),
      ["zhao-lei", "he-min"],
    ],
    [
      "each role of a step every role signs",
      ["zhao-lei", "ma-lin", "zhou-qiang"],
      actor({ roles: ["unit-head", "leader"], all: true }),
      ["role:unit-head", "zhou-qiang"],
    ],
    [
      "the role chosen by a field",
      office3,
      actor({ role_by_field: { field: "category", map: { a: "party-secretary", b: "office" } } }),
      ["role:office"],
    ],
    [
      "the fallback roles while nobody is routed",
      ["chang-liqun", "wang-shoujie", "yu-kai", "liu-qingzhu"],
      actor({ routed: true, fallback_roles: ["office", "office-head", "clerk"] }),
      ["role:office,office-head,clerk"],
    ],
    [
      "routed people who happen to be office staff stay people",
      ["wang-shoujie", "yu-kai"],
      actor({ routed: true, fallback_roles: ["office", "office-head", "clerk"] }),
      ["wang-shoujie", "yu-kai"],
    ],
  ])("%s", (_, holders, st, groups) => {
    expect(holderGroups(holders, st, office)).toEqual(groups);
  });

  it("parseRoleGroup reads the keys back; people and units are not role groups", () => {
    expect(parseRoleGroup("role:office,office-head")).toEqual({ roles: ["office", "office-head"] });
    expect(parseRoleGroup("role:unit-head@urban")).toEqual({ roles: ["unit-head"], unit: "urban" });
    expect(parseRoleGroup("urban")).toBeUndefined();
    expect(parseRoleGroup("wang-shoujie")).toBeUndefined();
  });

  it("the overdue list groups a call held by the office once, a routed unit's record under the unit", () => {
    const callWf = {
      ...wf,
      kind: "call",
      steps: (rawTemplate("call").steps as StepDef[]).map((s) => ({ ...s })),
    };
    const office4 = ["chang-liqun", "wang-shoujie", "yu-kai", "liu-qingzhu"];
    const list = [
      summary("CALL-2026-0001", "2026-02-12", { kind: "call", step: "handle", holders: office4 }),
      summary("IN-2026-0001", "2026-02-13", { step: "undertake", holders: ["urban"] }),
      summary("IN-2026-0002", "2026-02-13", { step: "propose", holders: office3 }),
    ];
    const rows = overdueReport(list, office, CALENDAR, { asOf: "2026-02-24" });
    const g = groupByHolder(rows, holderGroupsFor(office, [wf, callWf]));
    expect([...g].map(([k, v]) => [k, ids(v)])).toEqual([
      ["role:office,office-head,clerk", ["CALL-2026-0001"]],
      ["urban", ["IN-2026-0001"]],
      ["role:office,office-head", ["IN-2026-0002"]],
    ]);
  });
});
