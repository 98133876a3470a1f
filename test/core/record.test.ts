import { describe, expect, it } from "vitest";
import { type ActionContext, createRecord, fileRecord, sign, skip } from "../../src/core/engine.js";
import { HOOKS } from "../../src/core/hooks.js";
import type { Person, RecordDoc } from "../../src/core/model.js";
import {
  coerceField,
  orderedRecord,
  summarize,
  validateFields,
  validateRecord,
} from "../../src/core/record.js";
import type { FieldDef, FieldType } from "../../src/core/workflow.js";
import { at, CALENDAR, incomingWorkflow, makeOffice, P } from "./fixtures.js";

const WF = incomingWorkflow();
const OFFICE = makeOffice();
const ctx = (actor: Person, when: string, recorder: Person = actor): ActionContext => ({
  office: OFFICE,
  wf: WF,
  calendar: CALENDAR,
  now: at(when),
  actor,
  recorder,
  hooks: HOOKS,
});

function def(type: FieldType, extra: Partial<FieldDef> = {}): FieldDef {
  return { id: "f", type, label: { en: "F", "zh-CN": "字段" }, option: "f", create: true, ...extra };
}

/** A valid record at the undertaking step, made by the engine. */
function sample(fields: Record<string, unknown> = {}): RecordDoc {
  let r = createRecord(
    ctx(P.clerk, "2026-02-12T09:00:00+08:00"),
    "IN-2026-0042",
    "关于做好春节期间安全生产工作的通知",
    {
      from: "区政府办公室",
      doc_number: "区府办发〔2026〕5号",
      urgency: "normal",
      classification: "none",
      ...fields,
    },
    at("2026-02-12T09:00:00+08:00"),
  ).record;
  r = sign(r, ctx(P.office, "2026-02-12T10:00:00+08:00"), {}).record;
  r = sign(r, ctx(P.secretary, "2026-02-13T09:00:00+08:00", P.clerk), { to: ["urban"] }).record;
  return r;
}

/** Plain JSON, as the record would come back from its YAML file. */
// biome-ignore lint/suspicious/noExplicitAny: the tests edit arbitrary parsed YAML
type Raw = Record<string, any>;
const asRaw = (r: RecordDoc): Raw => JSON.parse(JSON.stringify(r));

describe("coerceField", () => {
  it.each<[FieldType, Partial<FieldDef>, string, unknown]>([
    ["text", {}, "  区政府办公室 ", "区政府办公室"],
    ["integer", {}, "12", 12],
    ["integer", {}, "007", 7],
    ["enum", { values: ["normal", "urgent"] }, "urgent", "urgent"],
    ["date", {}, "2026-02-24", "2026-02-24"],
    ["month", {}, "2026-02", "2026-02"],
    ["month", {}, "2026-12", "2026-12"],
    ["list", {}, "urban,civil", ["urban", "civil"]],
    ["list", {}, "附件一，附件二、附件三", ["附件一", "附件二", "附件三"]],
    ["list", {}, " a , ,b ", ["a", "b"]],
    ["boolean", {}, "yes", true],
    ["boolean", {}, "TRUE", true],
    ["boolean", {}, "1", true],
    ["boolean", {}, "no", false],
    ["boolean", {}, "false", false],
    ["boolean", {}, "0", false],
    ["phone", {}, "13812345678", "13812345678"],
    ["phone", {}, "138 1234 5678", "13812345678"],
    ["phone", {}, "010-12345678", "010-12345678"],
    ["phone", {}, "0755-1234567", "0755-1234567"],
    ["phone", {}, "138-1234-5678", "13812345678"],
    ["phone", {}, "(010)12345678", "010-12345678"],
    ["phone", {}, "(010) 6234-5678", "010-62345678"],
    ["phone", {}, "01062345678", "010-62345678"],
    ["phone", {}, "010-12345678-123", "010-12345678-123"],
    ["datetime", {}, "2026-02-13T09:00:00+08:00", "2026-02-13T09:00:00+08:00"],
  ])("%s %j: %j -> %j", (type, extra, text, value) => {
    const r = coerceField(def(type, extra), text);
    expect(r.problem).toBeUndefined();
    expect(r.value).toEqual(value);
  });

  it.each<[FieldType, Partial<FieldDef>, string, string]>([
    ["text", {}, "   ", "field.empty"],
    ["integer", {}, "12.5", "field.not-integer"],
    ["integer", {}, "-3", "field.not-integer"],
    ["integer", {}, "twelve", "field.not-integer"],
    ["enum", { values: ["normal", "urgent"] }, "URGENT", "field.bad-enum"],
    ["date", {}, "2026-02-30", "field.bad-date"],
    ["date", {}, "2026/02/24", "field.bad-date"],
    ["month", {}, "2026-13", "field.bad-month"],
    ["month", {}, "2026-2", "field.bad-month"],
    ["list", {}, " , ，", "field.empty"],
    ["boolean", {}, "maybe", "field.bad-boolean"],
    ["phone", {}, "12345", "field.bad-phone"],
    ["phone", {}, "12812345678", "field.bad-phone"], // no mobile numbers start 12
    ["phone", {}, "1381234567", "field.bad-phone"], // 10 digits
    ["phone", {}, "010-123", "field.bad-phone"],
    ["datetime", {}, "next Tuesday", "field.bad-datetime"],
  ])("%s %j: %j -> %s", (type, extra, text, code) => {
    const r = coerceField(def(type, extra), text);
    expect(r.value).toBeUndefined();
    expect(r.problem?.code).toBe(code);
    expect(r.problem?.path).toEqual(["fields", "f"]);
    expect(r.problem?.params).toMatchObject({ field: "f", value: text });
  });

  it("names the allowed values of an enum", () => {
    expect(
      coerceField(def("enum", { values: ["paper", "egov", "fax"] }), "email").problem?.params.values,
    ).toBe("paper, egov, fax");
  });
});

describe("validateRecord", () => {
  it("a record made by the engine is valid", () => {
    const r = sample();
    expect(validateRecord(asRaw(r), WF, OFFICE, "IN-2026-0042")).toEqual([]);
  });

  it("a closed, filed record is valid", () => {
    let r = sample();
    r = sign(r, ctx(P.staff, "2026-02-24T09:00:00+08:00"), {}).record;
    r = sign(r, ctx(P.office, "2026-02-24T10:00:00+08:00"), {}).record;
    r = skip(r, ctx(P.office, "2026-02-24T11:00:00+08:00"), "无需传阅").record;
    r = fileRecord(r, ctx(P.clerk, "2026-02-25T09:00:00+08:00"), "10y", 1).record;
    expect(r.status).toBe("closed");
    expect(validateRecord(asRaw(r), WF, OFFICE, "IN-2026-0042")).toEqual([]);
  });

  it.each<[string, (r: Raw) => void, string, (string | number)[]]>([
    ["id differs from the file name", (r) => (r.id = "IN-2026-0043"), "record.id-mismatch", ["id"]],
    ["kind differs", (r) => (r.kind = "outgoing"), "record.kind-mismatch", ["kind"]],
    ["no title", (r) => (r.title = "  "), "record.no-title", ["title"]],
    ["bad status", (r) => (r.status = "done"), "record.bad-status", ["status"]],
    ["unknown step", (r) => (r.step = "approve"), "record.unknown-step", ["step"]],
    ["closed with a step", (r) => (r.status = "closed"), "record.closed-with-step", ["step"]],
    ["holders not a list", (r) => (r.holders = "urban"), "record.not-a-list", ["holders"]],
    ["bad due date", (r) => (r.due = "2026-02-30"), "record.bad-date", ["due"]],
    ["created without offset", (r) => (r.created = "2026-02-12T09:00:00"), "record.bad-instant", ["created"]],
    ["no fields", (r) => delete r.fields, "record.no-fields", ["fields"]],
    ["no history", (r) => (r.history = []), "record.no-history", ["history"]],
    [
      "unknown person in history",
      (r) => (r.history[1].actor = "zhang-san"),
      "record.unknown-person",
      ["history", 1, "actor"],
    ],
    [
      "unknown recorder in history",
      (r) => (r.history[2].recorded_by = "zhang-san"),
      "record.unknown-person",
      ["history", 2, "recorded_by"],
    ],
    [
      "unknown approver in history",
      (r) => (r.history[2].approved_by = "zhang-san"),
      "record.unknown-person",
      ["history", 2, "approved_by"],
    ],
    [
      "unknown step in history",
      (r) => (r.history[1].step = "draft"),
      "record.unknown-step",
      ["history", 1, "step"],
    ],
    ["bad event time", (r) => (r.history[0].at = "yesterday"), "record.bad-instant", ["history", 0, "at"]],
    // impossible dates and instants that look right
    [
      "created on Feb 30",
      (r) => (r.created = "2026-02-30T09:00:00+08:00"),
      "record.bad-instant",
      ["created"],
    ],
    ["created at 24:00", (r) => (r.created = "2026-02-12T24:00:00+08:00"), "record.bad-instant", ["created"]],
    [
      "an event at 09:61",
      (r) => (r.history[1].at = "2026-02-12T09:61:00+08:00"),
      "record.bad-instant",
      ["history", 1, "at"],
    ],
    [
      "offset +25:00",
      (r) => (r.history[1].at = "2026-02-12T09:00:00+25:00"),
      "record.bad-instant",
      ["history", 1, "at"],
    ],
    [
      "step started on Feb 29 2026",
      (r) => (r.step_started = "2026-02-29T09:00:00+08:00"),
      "record.bad-instant",
      ["step_started"],
    ],
    ["deadline on Apr 31", (r) => (r.deadline = "2026-04-31"), "record.bad-date", ["deadline"]],
    [
      "extension to month 13",
      (r) => (r.step_extended_until = "2026-13-01"),
      "record.bad-date",
      ["step_extended_until"],
    ],
    [
      "an event's due on Feb 30",
      (r) => (r.history[1].due = "2026-02-30"),
      "record.bad-date",
      ["history", 1, "due"],
    ],
    [
      "a signature at an impossible time",
      (r) => (r.signatures = [{ by: "wang-shoujie", at: "2026-02-30T09:00:00+08:00" }]),
      "record.bad-instant",
      ["signatures", 0, "at"],
    ],
    // ids that are not people or units of the office
    [
      "a holder nobody knows",
      (r) => (r.holders = ["urban", "wang-shoujei"]),
      "record.unknown-ref",
      ["holders", 1],
    ],
    ["a routed unit nobody knows", (r) => (r.routed = ["urbn"]), "record.unknown-ref", ["routed", 0]],
    [
      "routed to someone unknown",
      (r) => (r.history[2].to = ["urbn"]),
      "record.unknown-ref",
      ["history", 2, "to", 0],
    ],
    ["event without action", (r) => delete r.history[0].action, "record.bad-event", ["history", 0]],
    [
      "unknown person in a signature",
      (r) => (r.signatures = [{ by: "zhang-san", at: "2026-02-13T09:00:00+08:00" }]),
      "record.unknown-person",
      ["signatures", 0],
    ],
    ["missing required field", (r) => delete r.fields.from, "field.required", ["fields"]],
    ["bad enum value", (r) => (r.fields.urgency = "asap"), "field.bad-enum", ["fields", "urgency"]],
    ["integer as text", (r) => (r.fields.pages = "12"), "field.not-integer", ["fields", "pages"]],
    ["unknown unit", (r) => (r.fields.unit = "police"), "field.unknown-ref", ["fields", "unit"]],
    [
      "classified record with a summary",
      (r) => {
        r.fields.classification = "secret";
        r.fields.summary = "内容摘要";
      },
      "field.classified-forbids",
      ["fields", "summary"],
    ],
    [
      "classified record with attachments",
      (r) => {
        r.fields.classification = "confidential";
        r.fields.attachments = ["附件1"];
      },
      "field.classified-forbids",
      ["fields", "attachments"],
    ],
  ])("%s", (_l, edit, code, path) => {
    const raw = asRaw(sample());
    edit(raw);
    const problems = validateRecord(raw, WF, OFFICE, "IN-2026-0042");
    expect(problems.map((p) => ({ code: p.code, path: p.path }))).toEqual([{ code, path }]);
    expect(problems[0]?.warning).toBeUndefined();
  });

  it("a non-canonical id is reported even when it matches the file name", () => {
    const raw = asRaw(sample());
    raw.id = "IN-2026-42";
    expect(validateRecord(raw, WF, OFFICE, "IN-2026-42").map((p) => p.code)).toEqual(["record.bad-id"]);
  });

  it("an unclassified record may have a summary", () => {
    const raw = asRaw(sample({ summary: "内容摘要", attachments: ["附件1"] }));
    expect(validateRecord(raw, WF, OFFICE, "IN-2026-0042")).toEqual([]);
  });

  it("an unknown field is only a warning", () => {
    const raw = asRaw(sample());
    raw.fields.colour = "red";
    const problems = validateRecord(raw, WF, OFFICE, "IN-2026-0042");
    expect(problems).toEqual([
      { path: ["fields", "colour"], code: "field.unknown", params: { field: "colour" }, warning: true },
    ]);
  });

  it("not a map", () => {
    expect(validateRecord("IN-2026-0042", WF, OFFICE, "IN-2026-0042").map((p) => p.code)).toEqual([
      "record.not-a-map",
    ]);
  });

  it("validateFields checks a phone number stored in a file", () => {
    const phoneWf = { ...WF, fields: [def("phone", { id: "phone" })] };
    expect(validateFields({ phone: "13812345678" }, phoneWf, OFFICE)).toEqual([]);
    expect(validateFields({ phone: "12345" }, phoneWf, OFFICE).map((p) => p.code)).toEqual([
      "field.bad-phone",
    ]);
  });
});

describe("orderedRecord", () => {
  it("writes the keys in the stable order, history last", () => {
    const r = sample();
    // build the input in a scrambled key order
    const scrambled = Object.fromEntries(Object.entries(r).reverse()) as unknown as RecordDoc;
    const out = orderedRecord(scrambled, WF);
    expect(Object.keys(out)).toEqual([
      "id",
      "kind",
      "title",
      "status",
      "step",
      "holders",
      "due",
      "deadline",
      "created",
      "fields",
      "step_started",
      "routed",
      "signatures",
      "history",
    ]);
  });

  it("puts fields in workflow order, unknown fields after, and drops undefined ones", () => {
    const r = sample();
    r.fields = { colour: "red", summary: "摘要", urgency: "normal", from: "区政府办公室", pages: undefined };
    const out = orderedRecord(r, WF);
    expect(Object.keys(out.fields as object)).toEqual(["from", "urgency", "summary", "colour"]);
  });

  it("orders optional keys before history and the keys of each event", () => {
    const r = sample();
    r.step_extended_until = "2026-02-27";
    r.archive = { number: "Z109-WS·2026-D10-0001", retention: "10y", filed_at: "2026-02-27T09:00:00+08:00" };
    r.history.push({
      changes: { due: "2026-02-24" },
      reason: "需协调",
      approved_by: P.leader.id,
      until: "2026-02-27",
      step: "undertake",
      recorded_by: P.clerk.id,
      actor: P.office.id,
      at: "2026-02-24T09:00:00+08:00",
      action: "extend",
    });
    const out = orderedRecord(r, WF);
    const keys = Object.keys(out);
    expect(keys.slice(-3)).toEqual(["step_extended_until", "archive", "history"]);
    const last = (out.history as Record<string, unknown>[]).at(-1) ?? {};
    expect(Object.keys(last)).toEqual([
      "action",
      "at",
      "actor",
      "recorded_by",
      "step",
      "reason",
      "until",
      "approved_by",
      "changes",
    ]);
  });
});

describe("summarize", () => {
  it("keeps what listings need", () => {
    const r = sample({ urgency: "urgent", classification: "secret", channel: "egov" });
    const s = summarize(r, WF);
    expect(s).toMatchObject({
      id: "IN-2026-0042",
      kind: "incoming",
      title: "关于做好春节期间安全生产工作的通知",
      status: "open",
      step: "undertake",
      holders: ["urban"],
      due: "2026-02-13",
      created: "2026-02-12T09:00:00+08:00",
      updated: "2026-02-13T09:00:00+08:00",
      unit: "urban",
      classification: "secret",
      urgency: "urgent",
      extra: { from: "区政府办公室", doc_number: "区府办发〔2026〕5号", channel: "egov" },
    });
    expect(s.archive).toBeUndefined();
  });

  it("leaves out the ordinary classification and urgency", () => {
    const s = summarize(sample(), WF);
    expect(s.classification).toBeUndefined();
    expect(s.urgency).toBeUndefined();
    expect(s.due).toBe("2026-02-24");
  });

  it("names the archive number of a filed record; no extras without a workflow", () => {
    let r = sample();
    r = sign(r, ctx(P.staff, "2026-02-24T09:00:00+08:00"), {}).record;
    r = sign(r, ctx(P.office, "2026-02-24T10:00:00+08:00"), {}).record;
    r = skip(r, ctx(P.office, "2026-02-24T11:00:00+08:00"), "无需传阅").record;
    r = fileRecord(r, ctx(P.clerk, "2026-02-25T09:00:00+08:00"), "10y", 1).record;
    const s = summarize(r, undefined);
    expect(s).toMatchObject({
      status: "closed",
      step: null,
      holders: [],
      due: null,
      archive: "Z109-WS·2026-D10-0001",
      updated: "2026-02-25T09:00:00+08:00",
    });
    expect(s.extra).toBeUndefined();
  });
});

describe("document numbers in fields", () => {
  it.each<[string, string | undefined]>([
    ["区府办发〔2026〕5号", undefined],
    ["区府办发[2026]5号", "field.bad-doc-number-fix"],
    ["区府办发〔2026〕05号", "field.bad-doc-number-fix"],
    ["区府办发2026年5号", "field.bad-doc-number"],
  ])("another organ's number %s: %s, a warning", (value, code) => {
    const raw = asRaw(sample({ doc_number: value }));
    const problems = validateRecord(raw, WF, OFFICE, "IN-2026-0042");
    expect(problems.map((p) => [p.code, p.path, p.warning])).toEqual(
      code ? [[code, ["fields", "doc_number"], true]] : [],
    );
  });
});
