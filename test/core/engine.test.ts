import { describe, expect, it } from "vitest";
import { Calendar } from "../../src/core/calendar.js";
import {
  type ActionContext,
  type ActionResult,
  annotate,
  archiveNumber,
  archiveSeries,
  createRecord,
  extend,
  fileRecord,
  isLeader,
  route,
  sign,
  skip,
} from "../../src/core/engine.js";
import { HOOKS } from "../../src/core/hooks.js";
import type { OfficeConfig, Person, RecordDoc } from "../../src/core/model.js";
import { OfficeError } from "../../src/core/problems.js";
import type { WorkflowDef } from "../../src/core/workflow.js";
import { at, CALENDAR, incomingWorkflow, makeOffice, P } from "./fixtures.js";

const WF: WorkflowDef = incomingWorkflow();
const OFFICE: OfficeConfig = makeOffice();

/** The context of one action: `actor` acts at `when`; `recorder` types it (`--as`), the actor by default. */
function ctx(
  actor: Person,
  when: string,
  recorder: Person = actor,
  calendar: Calendar = CALENDAR,
): ActionContext {
  return { office: OFFICE, wf: WF, calendar, now: at(when), actor, recorder, hooks: HOOKS };
}

/** Run an action on a frozen copy of `rec` and check that the input was not changed. */
function pure(rec: RecordDoc, action: (r: RecordDoc) => ActionResult): ActionResult {
  const before = structuredClone(rec);
  const res = action(rec);
  expect(rec).toEqual(before);
  expect(res.record).not.toBe(rec);
  expect(res.record.history).toHaveLength(rec.history.length + 1);
  expect(res.record.history.at(-1)).toEqual(res.event);
  return res;
}

/** The OfficeError `fn` throws (fails the test when it throws nothing or something else). */
function refusal(fn: () => unknown): OfficeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(OfficeError);
    return e as OfficeError;
  }
  throw new Error("expected an OfficeError, nothing was thrown");
}

function receive(
  fields: Record<string, unknown> = { from: "区政府办公室", urgency: "normal", classification: "none" },
  when = "2026-02-12T09:00:00+08:00",
  id = "IN-2026-0001",
): RecordDoc {
  return createRecord(ctx(P.clerk, when), id, "关于做好春节期间安全生产工作的通知", fields, at(when)).record;
}

/** The normal path up to the undertaking step: proposed on Thu 02-12, instructed on Fri 02-13. */
function atUndertake(fields?: Record<string, unknown>): RecordDoc {
  let r = receive(fields);
  r = sign(r, ctx(P.office, "2026-02-12T10:00:00+08:00"), { opinion: "拟请城管科办理" }).record;
  r = sign(r, ctx(P.secretary, "2026-02-13T09:00:00+08:00"), { opinion: "同意", to: ["urban"] }).record;
  return r;
}

describe("the whole life of an incoming document", () => {
  it("receive -> propose -> instruct -> undertake -> feedback -> circulate (two readers) -> file", () => {
    // receive
    const created = createRecord(
      ctx(P.clerk, "2026-02-12T09:00:00+08:00"),
      "IN-2026-0001",
      "关于做好春节期间安全生产工作的通知",
      { from: "区政府办公室", urgency: "normal", classification: "none" },
      at("2026-02-12T09:00:00+08:00"),
    );
    let r = created.record;
    expect(r).toMatchObject({
      id: "IN-2026-0001",
      kind: "incoming",
      status: "open",
      step: "propose",
      holders: [P.office.id],
      // "do it as soon as it is received … on the same day": proposing is due the day it arrives
      due: "2026-02-12",
      deadline: null,
      created: "2026-02-12T09:00:00+08:00",
      step_started: "2026-02-12T09:00:00+08:00",
      routed: [],
      signatures: [],
    });
    expect(created.event).toEqual({
      action: "receive",
      at: "2026-02-12T09:00:00+08:00",
      actor: P.clerk.id,
      recorded_by: P.clerk.id,
      step: "propose",
    });
    expect(r.history).toEqual([created.event]);

    // propose
    let res = pure(r, (x) =>
      sign(x, ctx(P.office, "2026-02-12T10:00:00+08:00"), {
        opinion: "拟请城管科办理",
        expectStep: "propose",
      }),
    );
    r = res.record;
    expect(res.event).toMatchObject({
      action: "sign",
      step: "propose",
      decision: "approve",
      opinion: "拟请城管科办理",
      actor: P.office.id,
      recorded_by: P.office.id,
    });
    // the instruction: one working day after the proposal, Fri 02-13
    expect(r).toMatchObject({
      step: "instruct",
      holders: [P.secretary.id],
      due: "2026-02-13",
      signatures: [],
    });
    expect(r.step_started).toBe("2026-02-12T10:00:00+08:00");

    // instruct, routed to the urban unit, typed by the clerk for the secretary (--as)
    res = pure(r, (x) =>
      sign(x, ctx(P.secretary, "2026-02-13T09:00:00+08:00", P.clerk), {
        opinion: "请城管科抓紧落实",
        to: ["urban"],
        expectStep: "instruct",
      }),
    );
    r = res.record;
    expect(res.event).toMatchObject({
      action: "sign",
      step: "instruct",
      actor: P.secretary.id,
      recorded_by: P.clerk.id,
      to: ["urban"],
    });
    expect(r).toMatchObject({ step: "undertake", routed: ["urban"], holders: ["urban"] });
    // 2 working days after Fri 02-13: Sat 02-14 (adjusted), then the Spring Festival: Tue 02-24
    expect(r.due).toBe("2026-02-24");
    expect(res.uncoveredYears).toEqual([]);
    // the first routed unit is the lead unit
    expect(r.fields.unit).toBe("urban");

    // undertake, by a member of the routed unit
    res = pure(r, (x) =>
      sign(x, ctx(P.staff, "2026-02-24T10:00:00+08:00"), { opinion: "已落实", expectStep: "undertake" }),
    );
    r = res.record;
    expect(res.event).toMatchObject({ step: "undertake", actor: P.staff.id, opinion: "已落实" });
    expect(r).toMatchObject({ step: "feedback", holders: [P.office.id], due: "2026-02-25", routed: [] });

    // feedback, naming the circulation readers
    res = pure(r, (x) =>
      sign(x, ctx(P.office, "2026-02-24T15:00:00+08:00"), { to: [P.leader.id, P.unitHead.id] }),
    );
    r = res.record;
    expect(res.event.to).toEqual([P.leader.id, P.unitHead.id]);
    // two working days for the readers: Wed 02-25, Thu 02-26
    expect(r).toMatchObject({ step: "circulate", routed: [P.leader.id, P.unitHead.id], due: "2026-02-26" });
    expect(r.holders).toEqual([P.leader.id, P.unitHead.id]);

    // circulate: the first reader signs; the step stays until the last has signed
    res = pure(r, (x) => sign(x, ctx(P.leader, "2026-02-25T09:00:00+08:00"), { opinion: "已阅" }));
    r = res.record;
    expect(r.step).toBe("circulate");
    expect(r.holders).toEqual([P.unitHead.id]);
    expect(r.signatures).toEqual([{ by: P.leader.id, at: "2026-02-25T09:00:00+08:00", opinion: "已阅" }]);
    expect(refusal(() => sign(r, ctx(P.leader, "2026-02-25T10:00:00+08:00"), {})).code).toBe(
      "engine.already-signed",
    );
    res = pure(r, (x) => sign(x, ctx(P.unitHead, "2026-02-26T09:00:00+08:00"), { opinion: "已阅" }));
    r = res.record;
    // filing within five working days of Thu 02-26: Fri 02-27, Sat 02-28 (adjusted working day),
    // Mon 03-02, Tue 03-03, Wed 03-04
    expect(r).toMatchObject({
      step: "file",
      holders: [P.clerk.id],
      signatures: [],
      routed: [],
      due: "2026-03-04",
    });

    // file
    res = pure(r, (x) => fileRecord(x, ctx(P.clerk, "2026-02-27T09:00:00+08:00"), "10y", 1));
    r = res.record;
    expect(r.archive).toEqual({
      number: "Z109-WS·2026-D10-0001",
      retention: "10y",
      filed_at: "2026-02-27T09:00:00+08:00",
    });
    expect(r).toMatchObject({ status: "closed", step: null, holders: [], due: null, step_started: null });
    expect(res.event).toMatchObject({
      action: "file",
      actor: P.clerk.id,
      step: "file",
      changes: { archive: "Z109-WS·2026-D10-0001" },
    });

    // one event per action, in order, each with its actor and recorder
    expect(r.history.map((e) => [e.action, e.step, e.actor, e.recorded_by])).toEqual([
      ["receive", "propose", P.clerk.id, P.clerk.id],
      ["sign", "propose", P.office.id, P.office.id],
      ["sign", "instruct", P.secretary.id, P.clerk.id],
      ["sign", "undertake", P.staff.id, P.staff.id],
      ["sign", "feedback", P.office.id, P.office.id],
      ["sign", "circulate", P.leader.id, P.leader.id],
      ["sign", "circulate", P.unitHead.id, P.unitHead.id],
      ["file", "file", P.clerk.id, P.clerk.id],
    ]);

    // a closed record refuses every further action
    expect(refusal(() => sign(r, ctx(P.clerk, "2026-02-27T10:00:00+08:00"), {})).code).toBe(
      "engine.record-closed",
    );
    expect(
      refusal(() =>
        extend(r, ctx(P.office, "2026-02-27T10:00:00+08:00"), { days: 1, approvedBy: P.leader, reason: "x" }),
      ).code,
    ).toBe("engine.record-closed");
    expect(refusal(() => skip(r, ctx(P.office, "2026-02-27T10:00:00+08:00"), "x")).code).toBe(
      "engine.record-closed",
    );
    expect(refusal(() => fileRecord(r, ctx(P.clerk, "2026-02-27T10:00:00+08:00"), "10y", 2)).code).toBe(
      "engine.already-filed",
    );
  });

  it("a routed unit may undertake through any of its members; others may not", () => {
    const r = atUndertake();
    expect(refusal(() => sign(r, ctx(P.civilStaff, "2026-02-24T09:00:00+08:00"), {})).code).toBe(
      "engine.not-permitted",
    );
    expect(refusal(() => sign(r, ctx(P.office, "2026-02-24T09:00:00+08:00"), {})).code).toBe(
      "engine.not-permitted",
    );
    expect(sign(r, ctx(P.unitHead, "2026-02-24T09:00:00+08:00"), {}).record.step).toBe("feedback");
    expect(sign(r, ctx(P.staff, "2026-02-24T09:00:00+08:00"), {}).record.step).toBe("feedback");
  });

  it("a circulation routed to a unit needs one member of that unit, signing for it", () => {
    let r = atUndertake();
    r = sign(r, ctx(P.staff, "2026-02-24T09:00:00+08:00"), {}).record;
    r = sign(r, ctx(P.office, "2026-02-24T10:00:00+08:00"), { to: ["civil", P.leader.id] }).record;
    expect(r.holders).toEqual(["civil", P.leader.id]);
    r = sign(r, ctx(P.civilStaff, "2026-02-24T11:00:00+08:00"), {}).record;
    expect(r.step).toBe("circulate");
    expect(r.signatures).toEqual([{ by: P.civilStaff.id, for: "civil", at: "2026-02-24T11:00:00+08:00" }]);
    expect(r.holders).toEqual([P.leader.id]);
    r = sign(r, ctx(P.leader, "2026-02-24T12:00:00+08:00"), {}).record;
    expect(r.step).toBe("file");
  });
});

describe("refusals", () => {
  it("wrong person: engine.not-permitted, naming who may act", () => {
    const r = receive();
    const e = refusal(() => sign(r, ctx(P.leader, "2026-02-12T10:00:00+08:00"), {}));
    expect(e.code).toBe("engine.not-permitted");
    expect(e.kind).toBe("refused");
    expect(e.params).toMatchObject({ id: "IN-2026-0001", step: "propose" });
    expect(String(e.params.who)).toContain(P.office.name);
  });

  it("--as does not lend the recorder's rights: the actor must be permitted", () => {
    const r = sign(receive(), ctx(P.office, "2026-02-12T10:00:00+08:00"), {}).record;
    // the office clerk types it, but acts as himself: not the party secretary
    expect(refusal(() => sign(r, ctx(P.office, "2026-02-13T09:00:00+08:00", P.secretary), {})).code).toBe(
      "engine.not-permitted",
    );
    const ok = sign(r, ctx(P.secretary, "2026-02-13T09:00:00+08:00", P.office), { to: ["urban"] });
    expect(ok.event).toMatchObject({ actor: P.secretary.id, recorded_by: P.office.id });
  });

  it("wrong step: engine.wrong-step when the record is elsewhere", () => {
    const r = receive();
    const e = refusal(() =>
      sign(r, ctx(P.secretary, "2026-02-12T10:00:00+08:00"), { expectStep: "instruct", to: ["urban"] }),
    );
    expect(e.code).toBe("engine.wrong-step");
    expect(e.params).toMatchObject({ step: "propose", expected: "instruct" });
    // even for someone who could sign the current step
    expect(
      refusal(() => sign(r, ctx(P.office, "2026-02-12T10:00:00+08:00"), { expectStep: "instruct" })).code,
    ).toBe("engine.wrong-step");
    // filing a record that is not at its archiving step
    expect(refusal(() => fileRecord(r, ctx(P.clerk, "2026-02-12T10:00:00+08:00"), "10y", 1)).code).toBe(
      "engine.wrong-step",
    );
  });

  it("skip of a step that is not optional: engine.not-optional", () => {
    const r = receive();
    const e = refusal(() => skip(r, ctx(P.office, "2026-02-12T10:00:00+08:00"), "不需要"));
    expect(e.code).toBe("engine.not-optional");
    expect(e.params).toMatchObject({ step: "propose" });
  });

  it("return where the step has nowhere to return to: engine.no-return", () => {
    const r = receive();
    expect(
      refusal(() => sign(r, ctx(P.office, "2026-02-12T10:00:00+08:00"), { decision: "return" })).code,
    ).toBe("engine.no-return");
  });

  it("extension approved by someone who is not a leader: engine.approver-not-leader", () => {
    const r = atUndertake();
    for (const approver of [P.office, P.clerk, P.unitHead, P.staff]) {
      const e = refusal(() =>
        extend(r, ctx(P.office, "2026-02-24T09:00:00+08:00"), { days: 2, approvedBy: approver, reason: "x" }),
      );
      expect(e.code).toBe("engine.approver-not-leader");
    }
    expect(isLeader(P.leader, OFFICE)).toBe(true);
    expect(isLeader(P.secretary, OFFICE)).toBe(true);
    expect(isLeader(P.unitHead, OFFICE)).toBe(false);
  });

  it("naming holders for a next step that is not routed: engine.next-not-routed", () => {
    const r = receive();
    const e = refusal(() => sign(r, ctx(P.office, "2026-02-12T10:00:00+08:00"), { to: ["urban"] }));
    expect(e.code).toBe("engine.next-not-routed");
    expect(e.kind).toBe("usage");
  });

  it("routing to someone the office does not know: engine.unknown-target", () => {
    const r = sign(receive(), ctx(P.office, "2026-02-12T10:00:00+08:00"), {}).record;
    const e = refusal(() => sign(r, ctx(P.secretary, "2026-02-13T09:00:00+08:00"), { to: ["nobody"] }));
    expect(e.code).toBe("engine.unknown-target");
    expect(e.params).toEqual({ target: "nobody" });
  });
});

describe("return and skip", () => {
  it("decision return on instruct goes back to propose, which must be signed again", () => {
    let r = sign(receive(), ctx(P.office, "2026-02-12T10:00:00+08:00"), {}).record;
    const res = pure(r, (x) =>
      sign(x, ctx(P.secretary, "2026-02-13T09:00:00+08:00"), { decision: "return", opinion: "请补充材料" }),
    );
    expect(res.event).toMatchObject({
      action: "sign",
      step: "instruct",
      decision: "return",
      opinion: "请补充材料",
      to: ["propose"],
    });
    r = res.record;
    expect(r).toMatchObject({
      step: "propose",
      status: "open",
      holders: [P.office.id],
      signatures: [],
      step_started: "2026-02-13T09:00:00+08:00",
    });
    r = sign(r, ctx(P.office, "2026-02-13T10:00:00+08:00"), {}).record;
    expect(r.step).toBe("instruct");
  });

  it("skip of the circulation moves to filing", () => {
    let r = atUndertake();
    r = sign(r, ctx(P.staff, "2026-02-24T09:00:00+08:00"), {}).record;
    r = sign(r, ctx(P.office, "2026-02-24T10:00:00+08:00"), {}).record;
    expect(r.step).toBe("circulate");
    expect(r.holders).toEqual([]);
    // only office staff, clerks and the office head may skip
    expect(refusal(() => skip(r, ctx(P.staff, "2026-02-24T11:00:00+08:00"), "无需传阅")).code).toBe(
      "engine.route-not-permitted",
    );
    const res = pure(r, (x) => skip(x, ctx(P.office, "2026-02-24T11:00:00+08:00", P.clerk), "无需传阅"));
    expect(res.event).toMatchObject({
      action: "skip",
      step: "circulate",
      reason: "无需传阅",
      actor: P.office.id,
      recorded_by: P.clerk.id,
    });
    expect(res.record).toMatchObject({ step: "file", holders: [P.clerk.id] });
  });

  it("route names the readers of the current step", () => {
    let r = atUndertake();
    r = sign(r, ctx(P.staff, "2026-02-24T09:00:00+08:00"), {}).record;
    r = sign(r, ctx(P.office, "2026-02-24T10:00:00+08:00"), {}).record;
    const res = pure(r, (x) =>
      route(x, ctx(P.clerk, "2026-02-24T11:00:00+08:00"), [P.leader.id, P.leader.id], "请阅"),
    );
    expect(res.event).toMatchObject({ action: "route", step: "circulate", to: [P.leader.id], note: "请阅" });
    expect(res.record.holders).toEqual([P.leader.id]);
    expect(refusal(() => route(r, ctx(P.staff, "2026-02-24T11:00:00+08:00"), [P.leader.id])).code).toBe(
      "engine.route-not-permitted",
    );
  });

  it("a note leaves the step as it was", () => {
    const r = atUndertake();
    const res = pure(r, (x) => annotate(x, ctx(P.staff, "2026-02-24T09:00:00+08:00"), "note", "正在办理"));
    expect(res.event).toEqual({
      action: "note",
      at: "2026-02-24T09:00:00+08:00",
      actor: P.staff.id,
      recorded_by: P.staff.id,
      step: "undertake",
      note: "正在办理",
    });
    expect({ ...res.record, history: [] }).toEqual({ ...r, history: [] });
  });
});

describe("deadlines", () => {
  it("an urgent document is due the same day at every step", () => {
    const fields = { from: "区应急管理局", urgency: "urgent", classification: "none" };
    let r = receive(fields, "2026-02-13T09:00:00+08:00");
    const dues: [string | null, string | null][] = [[r.step, r.due]];
    const steps: [Person, string, Parameters<typeof sign>[2]][] = [
      [P.office, "2026-02-14T09:00:00+08:00", {}],
      [P.secretary, "2026-02-24T09:00:00+08:00", { to: ["urban"] }],
      [P.staff, "2026-02-25T09:00:00+08:00", {}],
      [P.office, "2026-02-26T09:00:00+08:00", { to: [P.leader.id] }],
      [P.leader, "2026-02-27T09:00:00+08:00", {}],
    ];
    for (const [who, when, input] of steps) {
      r = sign(r, ctx(who, when), input).record;
      dues.push([r.step, r.due]);
    }
    expect(dues).toEqual([
      ["propose", "2026-02-13"],
      ["instruct", "2026-02-14"],
      ["undertake", "2026-02-24"], // not 2 working days: the same day
      ["feedback", "2026-02-25"],
      ["circulate", "2026-02-26"],
      ["file", "2026-02-27"],
    ]);
    // extra-urgent too
    expect(receive({ ...fields, urgency: "extra-urgent" }, "2026-10-09T09:00:00+08:00").due).toBe(
      "2026-10-09",
    );
  });

  it("the undertaking is due 2 working days after the instruction day", () => {
    const cases: [string, string][] = [
      ["2026-02-13T09:00:00+08:00", "2026-02-24"], // Spring Festival
      ["2026-02-13T23:30:00+08:00", "2026-02-24"], // late evening is still the 13th in the office
      ["2026-09-30T09:00:00+08:00", "2026-10-09"], // National Day
      ["2026-10-09T09:00:00+08:00", "2026-10-12"], // Sat Oct 10 worked
      ["2026-03-05T09:00:00+08:00", "2026-03-09"], // an ordinary weekend
    ];
    for (const [when, due] of cases) {
      let r = receive(undefined, "2026-02-12T09:00:00+08:00");
      r = sign(r, ctx(P.office, "2026-02-12T10:00:00+08:00"), {}).record;
      r = sign(r, ctx(P.secretary, when), { to: ["urban"] }).record;
      expect([when, r.due]).toEqual([when, due]);
    }
  });

  it("a deadline in a year the calendar does not cover is flagged, on the provisional calendar", () => {
    let r = receive(undefined, "2026-12-30T09:00:00+08:00", "IN-2026-0999");
    r = sign(r, ctx(P.office, "2026-12-30T10:00:00+08:00"), {}).record;
    const res = sign(r, ctx(P.secretary, "2026-12-31T09:00:00+08:00"), { to: ["urban"] });
    // 2027 has no notice: Fri 01-01 is New Year's Day by the statute, then the weekend: Mon 4, Tue 5
    expect(res.record.due).toBe("2027-01-05");
    expect(res.uncoveredYears).toEqual([2027]);
  });

  it("extend by working days moves the step's due date and names the approving leader", () => {
    const r = atUndertake();
    expect(r.due).toBe("2026-02-24");
    const res = pure(r, (x) =>
      extend(x, ctx(P.office, "2026-02-24T09:00:00+08:00", P.clerk), {
        days: 3,
        approvedBy: P.leader,
        reason: "需协调多个部门",
      }),
    );
    expect(res.event).toMatchObject({
      action: "extend",
      step: "undertake",
      until: "2026-02-27",
      approved_by: P.leader.id,
      reason: "需协调多个部门",
      actor: P.office.id,
      recorded_by: P.clerk.id,
      changes: { due: "2026-02-24" },
    });
    expect(res.record.due).toBe("2026-02-27");
    expect(res.record.step_extended_until).toBe("2026-02-27");
    expect(res.record.step).toBe("undertake");
    // 2 more working days from Fri 02-27: Sat 02-28 is worked, then Mon 03-02
    const again = extend(res.record, ctx(P.office, "2026-02-26T09:00:00+08:00"), {
      days: 2,
      approvedBy: P.secretary,
      reason: "再延",
    });
    expect(again.record.due).toBe("2026-03-02");
    // the extension ends with the step
    const next = sign(again.record, ctx(P.staff, "2026-03-02T09:00:00+08:00"), {}).record;
    expect(next.step).toBe("feedback");
    expect(next.step_extended_until).toBeUndefined();
    // the feedback's own limit, one working day after Mon 03-02
    expect(next.due).toBe("2026-03-03");
  });

  it.each<[string, string, number, string, string]>([
    // [today, current due, days, new due, why]
    ["2026-02-24T09:00:00+08:00", "2026-02-24", 1, "2026-02-25", "due today: counted from the due date"],
    ["2026-02-12T09:00:00+08:00", "2026-02-24", 1, "2026-02-25", "due later: counted from the due date"],
    ["2026-03-05T09:00:00+08:00", "2026-02-24", 1, "2026-03-06", "overdue: counted from today, not the past"],
    ["2026-03-05T09:00:00+08:00", "2026-02-24", 2, "2026-03-09", "from Thu 03-05 over the weekend"],
    ["2026-09-30T09:00:00+08:00", "2026-02-24", 1, "2026-10-08", "from today, across National Day"],
    ["2026-10-09T09:00:00+08:00", "2026-02-24", 1, "2026-10-10", "to the adjusted working Saturday"],
    ["2026-12-31T09:00:00+08:00", "2026-02-24", 1, "2027-01-04", "into 2027: New Year's Day skipped"],
  ])("extend --days from today %s, due %s, +%i = %s (%s)", (today, due, days, expected) => {
    const r = atUndertake();
    expect(r.due).toBe(due);
    const res = extend(r, ctx(P.office, today), { days, approvedBy: P.leader, reason: "r" });
    expect(res.record.due).toBe(expected);
    expect(res.event.until).toBe(expected);
    expect(res.uncoveredYears).toEqual(expected.startsWith("2027") ? [2027] : []);
  });

  it.each<[string, string, string]>([
    // [until, effective, why]
    ["2026-03-05", "2026-03-05", "a working day stays"],
    ["2026-02-28", "2026-02-28", "an adjusted working Saturday stays"],
    ["2026-03-08", "2026-03-06", "Sunday: the Friday before"],
    ["2026-10-05", "2026-09-30", "inside National Day: the last working day before it"],
    ["2026-10-11", "2026-10-10", "Sunday after National Day: the adjusted working Saturday"],
    ["2027-01-01", "2026-12-31", "New Year's Day 2027 (provisional): Thu 2026-12-31"],
  ])("extend --until %s ends at %s (%s)", (until, effective) => {
    const r = atUndertake();
    const res = extend(r, ctx(P.office, "2026-02-24T09:00:00+08:00"), {
      until,
      approvedBy: P.leader,
      reason: "r",
    });
    expect(res.record.due).toBe(effective);
    expect(res.event.until).toBe(effective);
    if (until === effective) expect(res.notices).toBeUndefined();
    else
      expect(res.notices).toEqual([
        {
          code: "engine.extend-rest-day",
          params: expect.objectContaining({ date: until, until: effective }),
        },
      ]);
  });

  it("extend --until a rest day whose working day before is not later than the due date is refused", () => {
    const r = atUndertake();
    // Sat 03-01 is not a working day... Sun 2026-03-01: the working day before is Sat 02-28 (adjusted)
    const ok = extend(r, ctx(P.office, "2026-02-24T09:00:00+08:00"), {
      until: "2026-03-01",
      approvedBy: P.leader,
      reason: "r",
    });
    expect(ok.record.due).toBe("2026-02-28");
    // the Spring Festival: every day back to Sat 02-14, before the due date Tue 02-24
    const e = refusal(() =>
      extend(r, ctx(P.office, "2026-02-20T09:00:00+08:00"), {
        until: "2026-02-23",
        approvedBy: P.leader,
        reason: "r",
      }),
    );
    expect(e.code).toBe("engine.extend-not-later");
    expect(e.params).toMatchObject({ until: "2026-02-14", due: "2026-02-24" });
  });

  it("extend until a date moves the due date to it; not earlier than the current due", () => {
    const r = atUndertake();
    const res = extend(r, ctx(P.office, "2026-02-24T09:00:00+08:00"), {
      until: "2026-03-05",
      approvedBy: P.secretary,
      reason: "等待区里答复",
    });
    expect(res.record.due).toBe("2026-03-05");
    expect(res.event).toMatchObject({ until: "2026-03-05", approved_by: P.secretary.id });
    for (const until of ["2026-02-24", "2026-02-20"]) {
      const e = refusal(() =>
        extend(r, ctx(P.office, "2026-02-24T09:00:00+08:00"), { until, approvedBy: P.leader, reason: "x" }),
      );
      expect(e.code).toBe("engine.extend-not-later");
    }
  });

  it("a due date counted on a Monday–Friday calendar when the year is not covered", () => {
    const empty = new Calendar([]);
    let r = createRecord(
      ctx(P.clerk, "2026-02-12T09:00:00+08:00", P.clerk, empty),
      "IN-2026-0002",
      "t",
      {
        from: "x",
      },
      at("2026-02-12T09:00:00+08:00"),
    ).record;
    r = sign(r, ctx(P.office, "2026-02-12T10:00:00+08:00", P.office, empty), {}).record;
    const res = sign(r, ctx(P.secretary, "2026-02-13T09:00:00+08:00", P.secretary, empty), { to: ["urban"] });
    expect(res.record.due).toBe("2026-02-17");
    expect(res.uncoveredYears).toEqual([2026]);
  });
});

describe("archive numbers", () => {
  it.each([
    ["Z109", 2026, "10y" as const, 1, undefined, "Z109-WS·2026-D10-0001"],
    ["Z109", 2026, "30y" as const, 12, undefined, "Z109-WS·2026-D30-0012"],
    ["Z109", 2026, "permanent" as const, 3, "BGS", "Z109-WS·2026-Y-BGS-0003"],
    ["Z001", 2027, "10y" as const, 12345, undefined, "Z001-WS·2027-D10-12345"],
  ])("%s %i %s item %i unit %s -> %s", (fonds, year, retention, item, unit, expected) => {
    expect(archiveNumber(fonds, year, retention, item, unit)).toBe(expected);
  });

  it("the series is the number without its item", () => {
    expect(archiveSeries("Z109", 2026, "10y")).toBe("Z109-WS·2026-D10");
    expect(archiveSeries("Z109", 2026, "permanent", "BGS")).toBe("Z109-WS·2026-Y-BGS");
  });

  it("the year of the archive number is the record's year", () => {
    let r = receive(undefined, "2026-12-30T09:00:00+08:00", "IN-2026-0999");
    r = sign(r, ctx(P.office, "2026-12-30T10:00:00+08:00"), {}).record;
    r = sign(r, ctx(P.secretary, "2026-12-30T11:00:00+08:00"), { to: ["urban"] }).record;
    r = sign(r, ctx(P.staff, "2026-12-31T09:00:00+08:00"), {}).record;
    r = sign(r, ctx(P.office, "2027-01-04T09:00:00+08:00"), {}).record;
    r = skip(r, ctx(P.office, "2027-01-04T10:00:00+08:00"), "无需传阅").record;
    const res = fileRecord(r, ctx(P.clerk, "2027-01-05T09:00:00+08:00"), "30y", 7, "CG");
    expect(res.record.archive?.number).toBe("Z109-WS·2026-D30-CG-0007");
  });
});
