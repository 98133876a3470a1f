import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Calendar, type ChineseDaysData, yearsFromChineseDays } from "../../src/core/calendar.js";
import { parseInstant } from "../../src/core/dates.js";
import {
  type ActionContext,
  createRecord,
  extend,
  fileRecord,
  route,
  sign,
  skip,
} from "../../src/core/engine.js";
import { HOOKS } from "../../src/core/hooks.js";
import { DEFAULT_ROLES, type OfficeConfig, type Person, type RecordDoc } from "../../src/core/model.js";
import { OfficeError } from "../../src/core/problems.js";
import { validateWorkflow, type WorkflowDef } from "../../src/core/workflow.js";

const data = createRequire(import.meta.url)("chinese-days/dist/chinese-days.json") as ChineseDaysData;
const calendar = new Calendar(yearsFromChineseDays(data, "test"));
const load = (kind: string): WorkflowDef => {
  const raw = parse(readFileSync(new URL(`../../templates/workflows/${kind}.yaml`, import.meta.url), "utf8"));
  const { value, problems } = validateWorkflow(
    raw,
    kind,
    DEFAULT_ROLES.map((r) => r.id),
  );
  expect(problems).toEqual([]);
  return value as WorkflowDef;
};
const incoming = load("incoming");

const people: Person[] = [
  { id: "clerk", name: "刘庆柱", roles: ["clerk", "office"] },
  { id: "staff-office", name: "王守杰", roles: ["office"] },
  { id: "sec", name: "李建国", roles: ["party-secretary"] },
  { id: "dir", name: "张伟", roles: ["director"] },
  { id: "lead", name: "周强", roles: ["leader"] },
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
    { id: "urban", name: "城市管理科" },
    { id: "economy", name: "经济发展办" },
  ],
  people,
  prefixes: {},
  issuer_marks: {},
  printed_by: "X街道党政办公室",
  egov: { windows: [], grace_minutes: 30 },
  backup: { max_age_days: 7 },
};
const who = (id: string) => people.find((p) => p.id === id) as Person;
const at = (s: string) => parseInstant(s, "Asia/Shanghai") as number;
const ctx = (actor: string, when: string, recorder = actor, wf = incoming): ActionContext => ({
  office,
  wf,
  calendar,
  now: at(when),
  actor: who(actor),
  recorder: who(recorder),
  hooks: HOOKS,
});
const fields = { from: "区应急管理局", urgency: "normal", classification: "none", channel: "paper" };

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OfficeError);
    return (e as OfficeError).code;
  }
  throw new Error("not refused");
}

describe("the incoming procedure on the engine", () => {
  it("runs the whole life cycle across the Spring Festival", () => {
    let r: RecordDoc = createRecord(
      ctx("clerk", "2026-02-13T09:00"),
      "IN-2026-0001",
      "关于…的通知",
      fields,
      at("2026-02-13T09:00"),
    ).record;
    // Proposed the day it is received; the secretary's instruction one working day later, which is
    // the adjusted working Saturday 02-14 before the Spring Festival.
    expect([r.step, r.holders, r.due]).toEqual(["propose", ["clerk", "staff-office"], "2026-02-13"]);
    r = sign(r, ctx("staff-office", "2026-02-13T10:00"), { opinion: "拟请李书记阅示" }).record;
    expect([r.step, r.due]).toEqual(["instruct", "2026-02-14"]);
    expect(refusal(() => sign(r, ctx("clerk", "2026-02-13T11:00"), {}))).toBe("engine.not-permitted");
    // The clerk enters the secretary's instruction: the secretary acts, the clerk records.
    const instructed = sign(r, ctx("sec", "2026-02-13T15:00", "clerk"), {
      opinion: "请城管科办理",
      to: ["urban"],
    });
    expect(instructed.event).toMatchObject({
      action: "sign",
      actor: "sec",
      recorded_by: "clerk",
      to: ["urban"],
    });
    r = instructed.record;
    expect([r.step, r.holders, r.due, r.fields.unit]).toEqual([
      "undertake",
      ["urban"],
      "2026-02-24",
      "urban",
    ]);
    expect(refusal(() => sign(r, ctx("other", "2026-02-24T09:00"), {}))).toBe("engine.not-permitted");
    r = sign(r, ctx("worker", "2026-02-24T09:00"), { opinion: "已落实" }).record;
    expect(r.step).toBe("feedback");
    expect([r.step, r.due]).toEqual(["feedback", "2026-02-25"]);
    r = sign(r, ctx("staff-office", "2026-02-24T10:00"), {}).record;
    expect([r.step, r.due]).toEqual(["circulate", "2026-02-26"]);
    expect(r.holders).toEqual([]);
    r = route(r, ctx("clerk", "2026-02-24T10:30"), ["dir", "lead"]).record;
    r = sign(r, ctx("dir", "2026-02-24T11:00"), { opinion: "已阅" }).record;
    // Every reader must sign: the step stays until the last.
    expect([r.step, r.holders]).toEqual(["circulate", ["lead"]]);
    expect(refusal(() => sign(r, ctx("dir", "2026-02-24T11:30"), {}))).toBe("engine.already-signed");
    r = sign(r, ctx("lead", "2026-02-25T09:00"), { opinion: "已阅" }).record;
    // Five working days from Wed 02-25: Thu 26, Fri 27, Sat 28 (adjusted), Mon 03-02, Tue 03-03.
    expect([r.step, r.due]).toEqual(["file", "2026-03-03"]);
    const filed = fileRecord(r, ctx("clerk", "2026-02-25T10:00"), "10y", 1);
    expect(filed.record).toMatchObject({ status: "closed", step: null, holders: [], due: null });
    expect(filed.record.archive?.number).toBe("Z109-WS·2026-D10-0001");
    expect(filed.record.history.map((e) => e.action)).toEqual([
      "receive",
      "sign",
      "sign",
      "sign",
      "sign",
      "route",
      "sign",
      "sign",
      "file",
    ]);
    expect(refusal(() => sign(filed.record, ctx("clerk", "2026-02-25T11:00"), {}))).toBe(
      "engine.record-closed",
    );
    // Each action returned a new record: the one before is unchanged.
    expect(r.status).toBe("open");
  });

  it("urgent documents are due the same day at every step", () => {
    const u = { ...fields, urgency: "extra-urgent" };
    let r = createRecord(
      ctx("clerk", "2026-09-30T16:00"),
      "IN-2026-0002",
      "特急件",
      u,
      at("2026-09-30T16:00"),
    ).record;
    expect(r.due).toBe("2026-09-30");
    r = sign(r, ctx("clerk", "2026-10-08T09:00"), {}).record;
    expect(r.due).toBe("2026-10-08");
  });

  it("returns, skips and extensions", () => {
    let r = createRecord(
      ctx("clerk", "2026-02-13T09:00"),
      "IN-2026-0003",
      "件",
      fields,
      at("2026-02-13T09:00"),
    ).record;
    r = sign(r, ctx("clerk", "2026-02-13T09:30"), {}).record;
    r = sign(r, ctx("sec", "2026-02-13T10:00"), { decision: "return", opinion: "重拟" }).record;
    expect(r.step).toBe("propose");
    expect(refusal(() => skip(r, ctx("clerk", "2026-02-13T10:30"), "无需"))).toBe("engine.not-optional");
    r = sign(r, ctx("clerk", "2026-02-13T11:00"), {}).record;
    r = sign(r, ctx("sec", "2026-02-13T12:00"), { to: ["urban"] }).record;
    expect(
      refusal(() =>
        extend(r, ctx("clerk", "2026-02-13T13:00"), { days: 2, approvedBy: who("clerk"), reason: "x" }),
      ),
    ).toBe("engine.approver-not-leader");
    const ext = extend(r, ctx("clerk", "2026-02-13T13:00"), {
      days: 2,
      approvedBy: who("lead"),
      reason: "情况复杂",
    });
    expect(ext.record.due).toBe("2026-02-26");
    expect(ext.event).toMatchObject({ action: "extend", approved_by: "lead", until: "2026-02-26" });
    r = sign(ext.record, ctx("head", "2026-02-26T09:00"), {}).record;
    r = sign(r, ctx("clerk", "2026-02-26T10:00"), {}).record;
    r = skip(r, ctx("clerk", "2026-02-26T11:00"), "无需传阅").record;
    expect(r.step).toBe("file");
  });
});
