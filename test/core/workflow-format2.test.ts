import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_ROLES } from "../../src/core/model.js";
import { applyEdits, isFormat1, upgradeWorkflowRaw, workflowUpgradeEdits } from "../../src/core/upgrade.js";
import { fieldByRole, validateWorkflow } from "../../src/core/workflow.js";
import { ROOT, rawTemplate } from "./fixtures.js";

/** Workflow format 2 (issue 13): the keys that make a kind's command line data, and format 1's upgrade. */

const ROLES = DEFAULT_ROLES.map((r) => r.id);
const HOOKS = { guards: ["room-free"], forms: ["incoming", "outgoing", "call"] };
// biome-ignore lint/suspicious/noExplicitAny: the tests edit arbitrary parsed YAML
type Raw = Record<string, any>;
const v1 = (kind: string) =>
  parse(readFileSync(join(ROOT, "test", "fixtures", "v1", `${kind}.yaml`), "utf8")) as Raw;
const call = () => structuredClone(rawTemplate("call")) as Raw;
const codes = (raw: Raw) =>
  validateWorkflow(raw, "call", ROLES, HOOKS)
    .problems.filter((p) => !p.warning)
    .map((p) => [p.code, p.path.join(".")]);

describe("format 2 keys", () => {
  it("resolve options, create flags, labels and roles", () => {
    const wf = validateWorkflow(call(), "call", ROLES, HOOKS).value;
    if (!wf) throw new Error("invalid");
    expect(wf.title).toEqual({ option: "matter", label: { en: "Matter", "zh-CN": "反映事项" } });
    const f = (id: string) => wf.fields.find((x) => x.id === id);
    expect(f("caller")).toMatchObject({ option: "caller", create: true });
    expect(f("reply_via")).toMatchObject({ option: "via", aliases: ["reply-via"], create: false });
    // Filled by steps: `route_sets`, the reply's `sets`.
    expect([f("unit")?.create, f("answer")?.create, f("satisfaction")?.create]).toEqual([
      false,
      false,
      false,
    ]);
    expect(f("type")?.value_labels?.report).toEqual({ en: "report of wrongdoing", "zh-CN": "举报" });
    expect(fieldByRole(wf, "contact-phone")?.id).toBe("phone");
    expect(wf.create_command).toBe("call");
  });

  it.each<[string, (w: Raw) => void, [string, string][]]>([
    ["an unknown role", (w) => (w.fields[0].role = "boss"), [["workflow.bad-role", "fields.0.role"]]],
    [
      "a role played twice",
      (w) => (w.fields[0].role = "contact-phone"),
      [["workflow.duplicate-role", "fields.1.role"]],
    ],
    [
      "a field option taking a global option",
      (w) => (w.fields[2].option = "format"),
      [["workflow.option-taken", "fields.2"]],
    ],
    [
      "two fields with one option",
      (w) => (w.fields[2].aliases = ["caller"]),
      [["workflow.option-taken", "fields.2"]],
    ],
    [
      "a step setting a field under a step option",
      (w) => (w.fields.find((f: Raw) => f.id === "answer").option = "opinion"),
      [["workflow.option-taken", "steps.2.sets.0"]],
    ],
    ["an unknown guard", (w) => (w.checks = ["room-taken"]), [["workflow.unknown-hook", "checks.0"]]],
    ["an unknown form", (w) => (w.form = "telegram"), [["workflow.unknown-hook", "form"]]],
    [
      "an items field without item fields",
      (w) => w.fields.push({ id: "attendance", type: "items", label: { en: "A", "zh-CN": "出席" } }),
      [["workflow.items-without-fields", "fields.11.item_fields"]],
    ],
    [
      "a list inside items",
      (w) =>
        w.fields.push({
          id: "attendance",
          type: "items",
          label: { en: "A", "zh-CN": "出席" },
          item_fields: [{ id: "who", type: "list", label: { en: "W", "zh-CN": "人" } }],
        }),
      [["workflow.bad-field-type", "fields.11.item_fields.0.type"]],
    ],
    [
      "a create command of three words",
      (w) => (w.create_command = "a b c"),
      [["workflow.bad-command", "create_command"]],
    ],
    [
      "an upsert key on an unknown field",
      (w) => (w.upsert_key = ["month"]),
      [["workflow.unknown-field", "upsert_key.0"]],
    ],
    [
      "an actor from a field that is no list",
      (w) => (w.steps[1].actor = { from_field: "important" }),
      [["workflow.unknown-field", "steps.1.actor.from_field"]],
    ],
    [
      "a value listed twice",
      (w) => w.fields[3].values.push("phone"),
      [["workflow.duplicate-value", "fields.3.values.3"]],
    ],
    ["a format from the future", (w) => (w.format = 3), [["workflow.bad-format", "format"]]],
  ])("%s is a problem at its path", (_, edit, expected) => {
    const w = call();
    edit(w);
    expect(codes(w)).toEqual(expected);
  });

  it("values without labels are their own labels", () => {
    const w = call();
    w.fields[3].values.push("hotline");
    const wf = validateWorkflow(w, "call", ROLES, HOOKS).value;
    expect(wf?.fields[3]?.values).toEqual(["phone", "visit", "letter", "hotline"]);
    expect(wf?.fields[3]?.value_labels?.hotline).toBeUndefined();
  });
});

describe("format 1 (office-doc 0.1) upgrade", () => {
  it.each(["incoming", "outgoing", "call"])(
    "%s: the edits make a valid format-2 workflow; applied twice, nothing more",
    (kind) => {
      const raw = v1(kind);
      expect(isFormat1(raw)).toBe(true);
      const up = upgradeWorkflowRaw(raw);
      expect(up.format).toBe(2);
      expect(workflowUpgradeEdits(up)).toEqual([]);
      expect(validateWorkflow(up, kind, ROLES).problems.filter((p) => !p.warning)).toEqual([]);
      // A format-1 file is read as its upgrade.
      expect(validateWorkflow(raw, kind, ROLES).value).toEqual(validateWorkflow(up, kind, ROLES).value);
    },
  );

  it("edits only what the file has: an office's own format-1 kind gets its labels by value and nothing else", () => {
    const own: Raw = {
      kind: "seal",
      prefix: "SEAL",
      label: { en: "Seal", "zh-CN": "用印" },
      create_action: "apply",
      fields: [
        {
          id: "urgency",
          type: "enum",
          values: ["normal", "urgent", "whenever"],
          label: { en: "U", "zh-CN": "急" },
        },
        { id: "unit", type: "text", label: { en: "Unit", "zh-CN": "单位" } },
      ],
      deadline: { working_days: 2 },
      steps: [{ id: "stamp", label: { en: "Stamp", "zh-CN": "盖章" }, actor: { roles: ["clerk"] } }],
    };
    const edits = workflowUpgradeEdits(own);
    expect(edits).toEqual([
      { path: ["format"], value: 2 },
      { path: ["fields", 0, "role"], value: "urgency" },
      {
        path: ["fields", 0, "values"],
        value: [
          { id: "normal", label: { en: "normal", "zh-CN": "普通" } },
          { id: "urgent", label: { en: "urgent", "zh-CN": "加急" } },
          "whenever",
        ],
      },
    ]);
    // `unit` is no unit reference here: no role.
    expect((applyEdits(own, edits).fields as Raw[])[1]).toEqual(own.fields[1]);
  });
});
