import { describe, expect, it } from "vitest";
import type { RecordSummary } from "../../src/core/model.js";
import { filterSummaries, heldBy } from "../../src/core/reports/list.js";
import { groupByHolder, overdueReport } from "../../src/core/reports/overdue.js";
import { CALENDAR, makeOffice, P } from "./fixtures.js";

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
