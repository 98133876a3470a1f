import { describe, expect, it } from "vitest";
import { DEFAULT_ROLES } from "../../src/core/model.js";
import { findStep, validateWorkflow } from "../../src/core/workflow.js";
import { rawTemplate } from "./fixtures.js";

const ROLES = DEFAULT_ROLES.map((r) => r.id);
const TEMPLATE = rawTemplate("incoming");

// biome-ignore lint/suspicious/noExplicitAny: the tests edit arbitrary parsed YAML
type Raw = Record<string, any>;
/** A fresh copy of the shipped incoming workflow, changed by `edit`. */
function variant(edit: (w: Raw) => void): Raw {
  const w = structuredClone(TEMPLATE) as Raw;
  edit(w);
  return w;
}
const stepIndex = (w: Raw, id: string) => (w.steps as Raw[]).findIndex((s) => s.id === id);
const step = (w: Raw, id: string): Raw => w.steps[stepIndex(w, id)];
/** Index of a step / field in the shipped template (the template may grow; paths follow it). */
const S = (id: string) => stepIndex(TEMPLATE, id);
const F = (id: string) => (TEMPLATE.fields as Raw[]).findIndex((f) => f.id === id);

describe("the shipped incoming workflow", () => {
  it("is valid against the default roles", () => {
    const r = validateWorkflow(TEMPLATE, "incoming", ROLES);
    expect(r.problems).toEqual([]);
    expect(r.value).toBeDefined();
    const wf = r.value;
    if (!wf) throw new Error("no value");
    expect(wf.kind).toBe("incoming");
    expect(wf.prefix).toBe("IN");
    expect(wf.create_action).toBe("receive");
    expect(wf.steps.map((s) => s.id)).toEqual([
      "propose",
      "instruct",
      "undertake",
      "feedback",
      "circulate",
      "file",
    ]);
    expect(wf.label).toEqual({ en: "Incoming document", "zh-CN": "收文" });
    expect(findStep(wf, "undertake")?.limit).toEqual({ working_days: 2 });
    expect(findStep(wf, "instruct")?.return_to).toBe("propose");
    expect(findStep(wf, "circulate")).toMatchObject({ optional: true, actor: { routed: true, all: true } });
    expect(findStep(wf, "file")?.archive).toBe(true);
    expect(findStep(wf, null)).toBeUndefined();
    expect(findStep(wf, "nope")).toBeUndefined();
    expect(wf.overrides).toEqual([
      { when: { field: "urgency", in: ["urgent", "extra-urgent"] }, limit: { same_day: true } },
    ]);
  });

  it("is invalid when the office lacks a role it names", () => {
    const r = validateWorkflow(
      TEMPLATE,
      "incoming",
      ROLES.filter((x) => x !== "party-secretary"),
    );
    expect(r.value).toBeUndefined();
    expect(r.problems).toEqual([
      {
        path: ["steps", S("instruct"), "actor", "roles", 0],
        code: "workflow.unknown-role",
        params: { role: "party-secretary" },
      },
    ]);
  });

  it("does not change its input", () => {
    const copy = structuredClone(TEMPLATE);
    validateWorkflow(TEMPLATE, "incoming", ROLES);
    expect(TEMPLATE).toEqual(copy);
  });
});

describe("broken variants: one problem each, at its key path", () => {
  it.each<[string, (w: Raw) => void, string, (string | number)[]]>([
    ["kind differs from the file name", (w) => (w.kind = "outgoing"), "workflow.kind-mismatch", ["kind"]],
    ["bad prefix", (w) => (w.prefix = "in"), "workflow.bad-prefix", ["prefix"]],
    ["bad label", (w) => (w.label = { en: "Incoming" }), "workflow.bad-label", ["label"]],
    [
      "bad create action",
      (w) => (w.create_action = "Receive It"),
      "workflow.bad-create-action",
      ["create_action"],
    ],
    [
      "unknown role",
      (w) => (step(w, "propose").actor = { roles: ["office", "janitor"] }),
      "workflow.unknown-role",
      ["steps", S("propose"), "actor", "roles", 1],
    ],
    [
      "unknown role in route_by",
      (w) => (step(w, "circulate").route_by = ["nobody"]),
      "workflow.unknown-role",
      ["steps", S("circulate"), "route_by", 0],
    ],
    [
      "unknown step in return_to",
      (w) => (step(w, "instruct").return_to = "draft"),
      "workflow.unknown-step",
      ["steps", S("instruct"), "return_to"],
    ],
    [
      "unknown step in from_step",
      (w) => (step(w, "undertake").limit = { working_days: 2, from_step: "sign-off" }),
      "workflow.unknown-step",
      ["steps", S("undertake"), "limit", "from_step"],
    ],
    [
      "bad limit form",
      (w) => (step(w, "undertake").limit = { weeks: 2 }),
      "workflow.bad-limit",
      ["steps", S("undertake"), "limit"],
    ],
    [
      "limit not a map",
      (w) => (step(w, "undertake").limit = "2 days"),
      "workflow.bad-limit",
      ["steps", S("undertake"), "limit"],
    ],
    [
      "same_day: false",
      (w) => (step(w, "undertake").limit = { same_day: false }),
      "workflow.bad-limit",
      ["steps", S("undertake"), "limit"],
    ],
    [
      "limit with two forms",
      (w) => (step(w, "undertake").limit = { same_day: true, working_days: 2 }),
      "workflow.bad-limit",
      ["steps", S("undertake"), "limit"],
    ],
    [
      "negative working days",
      (w) => (step(w, "undertake").limit = { working_days: -2 }),
      "workflow.bad-limit-number",
      ["steps", S("undertake"), "limit", "working_days"],
    ],
    [
      "fractional working days",
      (w) => (step(w, "undertake").limit = { working_days: 1.5 }),
      "workflow.bad-limit-number",
      ["steps", S("undertake"), "limit", "working_days"],
    ],
    [
      "bad from",
      (w) => (step(w, "undertake").limit = { working_days: 2, from: "meeting" }),
      "workflow.bad-limit-from",
      ["steps", S("undertake"), "limit", "from"],
    ],
    [
      "negative working days before",
      (w) => (step(w, "undertake").limit = { working_days_before: -1, field: "from" }),
      "workflow.bad-limit-number",
      ["steps", S("undertake"), "limit", "working_days_before"],
    ],
    [
      "working days before an unknown field",
      (w) => (step(w, "undertake").limit = { working_days_before: 2, field: "meeting_date" }),
      "workflow.unknown-field",
      ["steps", S("undertake"), "limit", "field"],
    ],
    [
      "day of month 32",
      (w) => (step(w, "undertake").limit = { day_of_month: 32 }),
      "workflow.bad-limit-number",
      ["steps", S("undertake"), "limit", "day_of_month"],
    ],
    [
      "day of month 0",
      (w) => (step(w, "undertake").limit = { day_of_month: 0 }),
      "workflow.bad-limit-number",
      ["steps", S("undertake"), "limit", "day_of_month"],
    ],
    [
      "unknown date field",
      (w) => (step(w, "undertake").limit = { date_field: "reply_by" }),
      "workflow.unknown-field",
      ["steps", S("undertake"), "limit", "date_field"],
    ],
    [
      "by an unknown field",
      (w) => (step(w, "undertake").limit = { by_field: "speed", cases: { fast: { same_day: true } } }),
      "workflow.unknown-field",
      ["steps", S("undertake"), "limit", "by_field"],
    ],
    [
      "bad limit inside a case",
      (w) => (step(w, "undertake").limit = { by_field: "urgency", cases: { urgent: { hours: 4 } } }),
      "workflow.bad-limit",
      ["steps", S("undertake"), "limit", "cases", "urgent"],
    ],
    [
      "nested by_field",
      (w) =>
        (step(w, "undertake").limit = {
          by_field: "urgency",
          cases: { urgent: { by_field: "channel", cases: { egov: { same_day: true } } } },
        }),
      "workflow.bad-limit",
      ["steps", S("undertake"), "limit", "cases", "urgent"],
    ],
    [
      "bad overall deadline",
      (w) => (w.deadline = { working_days: "fifteen" }),
      "workflow.bad-limit-number",
      ["deadline", "working_days"],
    ],
    [
      "bad limit in an override",
      (w) => (w.overrides[0].limit = { immediately: true }),
      "workflow.bad-limit",
      ["overrides", 0, "limit"],
    ],
    [
      "duplicate step",
      (w) => (step(w, "feedback").id = "undertake"),
      "workflow.duplicate-step",
      ["steps", S("feedback"), "id"],
    ],
    [
      "bad step id",
      (w) => (step(w, "feedback").id = "Feedback"),
      "workflow.bad-step-id",
      ["steps", S("feedback")],
    ],
    [
      "actor with two forms",
      (w) => (step(w, "propose").actor = { roles: ["office"], routed: true }),
      "workflow.bad-actor",
      ["steps", S("propose"), "actor"],
    ],
    [
      "actor with no form",
      (w) => (step(w, "propose").actor = { all: true }),
      "workflow.bad-actor",
      ["steps", S("propose"), "actor"],
    ],
    [
      "actor with an empty role list",
      (w) => (step(w, "propose").actor = { roles: [] }),
      "workflow.bad-actor",
      ["steps", S("propose"), "actor", "roles"],
    ],
    [
      "role by an unknown field",
      (w) => (step(w, "instruct").actor = { role_by_field: { field: "category", map: { a: "leader" } } }),
      "workflow.bad-actor",
      ["steps", S("instruct"), "actor", "role_by_field"],
    ],
    [
      "unknown role in role_by_field",
      (w) => (step(w, "instruct").actor = { role_by_field: { field: "urgency", map: { urgent: "king" } } }),
      "workflow.unknown-role",
      ["steps", S("instruct"), "actor", "role_by_field", "map", "urgent"],
    ],
    [
      "same_as a later step",
      (w) => (step(w, "feedback").actor = { same_as: "circulate" }),
      "workflow.unknown-step",
      ["steps", S("feedback"), "actor", "same_as"],
    ],
    [
      "unknown field in condition",
      (w) => (w.overrides[0].when = { field: "priority", in: ["high"] }),
      "workflow.bad-condition",
      ["overrides", 0, "when"],
    ],
    [
      "unknown field in a step's when",
      (w) => (step(w, "instruct").when = { field: "important", equals: true }),
      "workflow.bad-condition",
      ["steps", S("instruct"), "when"],
    ],
    [
      "unknown stamps field",
      (w) => (step(w, "file").stamps = "filed_on"),
      "workflow.unknown-field",
      ["steps", S("file"), "stamps"],
    ],
    [
      "duplicate field",
      (w) => w.fields.push({ id: "pages", type: "integer", label: { en: "P", "zh-CN": "页" } }),
      "workflow.duplicate-field",
      ["fields", (TEMPLATE.fields as Raw[]).length, "id"],
    ],
    [
      "bad field type",
      (w) => (w.fields[F("pages")].type = "number"),
      "workflow.bad-field-type",
      ["fields", F("pages"), "type"],
    ],
    [
      "enum without values",
      (w) => delete w.fields[F("type")].values,
      "workflow.enum-without-values",
      ["fields", F("type"), "values"],
    ],
    ["no steps", (w) => (w.steps = []), "workflow.no-steps", ["steps"]],
    ["unknown reopen_to", (w) => (w.reopen_to = "callback"), "workflow.unknown-step", ["reopen_to"]],
  ])("%s", (_name, edit, code, path) => {
    const r = validateWorkflow(variant(edit), "incoming", ROLES);
    expect(r.value).toBeUndefined();
    expect(r.problems.map((p) => ({ code: p.code, path: p.path }))).toEqual([{ code, path }]);
  });

  it.each([[["steps"]], [null], ["incoming"], [42]])("not a map: %j", (raw) => {
    const r = validateWorkflow(raw, "incoming", ROLES);
    expect(r.value).toBeUndefined();
    expect(r.problems).toEqual([{ path: [], code: "workflow.not-a-map", params: {} }]);
  });

  it("reports every problem, not only the first", () => {
    const r = validateWorkflow(
      variant((w) => {
        step(w, "propose").actor = { roles: ["janitor"] };
        step(w, "instruct").return_to = "draft";
        step(w, "undertake").limit = { working_days: -1 };
      }),
      "incoming",
      ROLES,
    );
    expect(r.problems.map((p) => p.code).sort()).toEqual([
      "workflow.bad-limit-number",
      "workflow.unknown-role",
      "workflow.unknown-step",
    ]);
  });

  it("accepts every valid limit form", () => {
    for (const limit of [
      { same_day: true },
      { working_days: 0 },
      { working_days: 15, from: "record" },
      { working_days: 2, from_step: "instruct" },
      { working_days_before: 2, field: "from" },
      { date_field: "from" },
      { day_of_month: 25 },
      { day_of_month: 31, month_field: "from" },
      { by_field: "urgency", cases: { urgent: { same_day: true } }, default: { working_days: 2 } },
    ]) {
      const r = validateWorkflow(
        variant((w) => (step(w, "undertake").limit = limit)),
        "incoming",
        ROLES,
      );
      expect(r.problems, JSON.stringify(limit)).toEqual([]);
    }
  });
});

describe("nothing waits unseen: steps without a limit", () => {
  it.each(["incoming", "outgoing", "call"])(
    "every step of the shipped %s workflow has a due date",
    (kind) => {
      const raw = rawTemplate(kind);
      const r = validateWorkflow(raw, kind, ROLES);
      expect(r.problems).toEqual([]);
      for (const s of r.value?.steps ?? [])
        expect(s.limit !== undefined || r.value?.deadline !== undefined).toBe(true);
    },
  );

  it("a step without a limit in a workflow without an overall deadline is a warning, at the step", () => {
    const w = variant((x) => {
      delete step(x, "feedback").limit;
      delete step(x, "file").limit;
    });
    const r = validateWorkflow(w, "incoming", ROLES);
    expect(r.value).toBeDefined();
    expect(r.problems).toEqual([
      {
        path: ["steps", S("feedback")],
        code: "workflow.step-without-limit",
        params: { step: "feedback" },
        warning: true,
      },
      {
        path: ["steps", S("file")],
        code: "workflow.step-without-limit",
        params: { step: "file" },
        warning: true,
      },
    ]);
  });

  it("an overall deadline covers every step without its own limit", () => {
    const w = variant((x) => {
      delete step(x, "feedback").limit;
      x.deadline = { working_days: 10, from: "record" };
    });
    expect(validateWorkflow(w, "incoming", ROLES).problems).toEqual([]);
  });
});
