import type { Label } from "./model.js";
import type { Problem } from "./problems.js";
import { isMap } from "./raw.js";

/**
 * Workflow definitions: the procedures as data. A workflow file (`workflows/<kind>.yaml`) gives the
 * record's fields and its ordered steps; the engine (engine.ts) runs any of them.
 */

export type FieldType =
  | "text"
  | "integer"
  | "enum"
  | "date"
  | "datetime"
  | "month"
  | "list"
  | "boolean"
  | "phone";

export interface FieldDef {
  id: string;
  label: Label;
  type: FieldType;
  required?: boolean;
  values?: string[];
  default?: string | number | boolean;
  /** Listings show this field (e.g. classification). */
  summary?: boolean;
  /** Kept out of listings printed for cron unless --unmask (caller names, phones). */
  private?: boolean;
  /** For `list` fields: entries must be unit or person ids of the office. */
  refs?: "unit" | "person" | "unit-or-person";
  /** For `text`/`enum` fields naming a unit or person of the office. */
  ref?: "unit" | "person";
  /** Classified records keep registration data only: this field must stay empty for them. */
  not_if_classified?: boolean;
  /**
   * `doc-number`: an official document number, `<机关代字>〔YYYY〕N号` (GB/T 9704); another form is
   * a warning (an error for the field a step numbers, which office-doc writes itself).
   */
  format?: "doc-number";
}

/** When a condition on a record field holds. */
export interface Condition {
  field: string;
  in?: (string | number | boolean)[];
  equals?: string | number | boolean;
}

/**
 * Who may act on a step. Exactly one of `role`/`roles`, `role_by_field`, `routed`, `same_as`.
 * `all`: every holder (each routed person or unit, each listed role) must sign before the step completes.
 */
export interface ActorRule {
  roles?: string[];
  /** The actor must belong to the unit named by this record field (the unit-head of U). */
  unit_field?: string;
  role_by_field?: { field: string; map: Record<string, string> };
  routed?: boolean;
  /** Until `route` names holders, this role may act (first-inquiry responsibility). */
  fallback_roles?: string[];
  /** Those who signed an earlier step (countersign by the same investigators). */
  same_as?: string;
  all?: boolean;
}

/** The time limit of a step or of a whole record. Exactly one form. */
export type LimitRule =
  | { same_day: true }
  | { working_days: number; from?: "step" | "record"; from_step?: string }
  | { working_days_before: number; field: string }
  | { date_field: string }
  | { day_of_month: number; month_field?: string }
  | { by_field: string; cases: Record<string, LimitRule>; default?: LimitRule };

export interface StepDef {
  id: string;
  label: Label;
  actor: ActorRule;
  limit?: LimitRule;
  optional?: boolean;
  /** Where `sign --decision return` sends the record. */
  return_to?: string;
  /** The step happens only when this holds (e.g. `instruct` for important calls). */
  when?: Condition;
  /** Completing this step files the record and gives it an archive number. */
  archive?: boolean;
  /** Fields that must have a value when this step is completed (a call's answer and how it was given). */
  requires?: string[];
  /** Completing this step writes its office date into this date field (成文日期, 印发日期). */
  stamps?: string;
  /** Completing this step gives the record the next official document number of its prefix. */
  numbers?: { field: string; prefix_by: string };
  /** `route` also stores the first routed unit in this record field (the responsible unit). */
  route_sets?: string;
  /** Who may name the holders with `route` (default: office staff, clerks and the office head). */
  route_by?: string[];
}

export interface LimitOverride {
  when: Condition;
  limit: LimitRule;
}

export interface WorkflowDef {
  kind: string;
  prefix: string;
  label: Label;
  /** The action word of the creating command (receive, draft, call…): commit subjects and history. */
  create_action: string;
  fields: FieldDef[];
  /** The whole record's limit, counted from its creation. */
  deadline?: LimitRule;
  /** Limits that replace every step's limit when their condition holds (urgent documents: same day). */
  overrides?: LimitOverride[];
  /** An extension must record that the caller was told (calls). */
  extend_needs_caller_informed?: boolean;
  /** `reopen` sends a closed record back to this step, for a new handling round (calls). */
  reopen_to?: string;
  /** … only when this holds (a dissatisfied caller). */
  reopen_when?: Condition;
  /** Retention used by `file` when none is given. */
  default_retention?: "permanent" | "30y" | "10y";
  steps: StepDef[];
}

const FIELD_TYPES: readonly FieldType[] = [
  "text",
  "integer",
  "enum",
  "date",
  "datetime",
  "month",
  "list",
  "boolean",
  "phone",
];
const ID_RE = /^[a-z][a-z0-9-]*$/;

/**
 * Validate a parsed workflow file fully: unknown roles, unknown steps and bad limits are problems with
 * the key path where they are; a step without a limit in a workflow without an overall deadline is a
 * warning (the workflow still loads). `knownRoles` are the office's role ids. Never throws.
 */
export function validateWorkflow(
  raw: unknown,
  expectedKind: string,
  knownRoles: readonly string[],
): { value?: WorkflowDef; problems: Problem[] } {
  const problems: Problem[] = [];
  const p = (path: (string | number)[], code: Problem["code"], params: Problem["params"] = {}) =>
    problems.push({ path, code, params });
  if (!isMap(raw)) {
    p([], "workflow.not-a-map");
    return { problems };
  }
  if (raw.kind !== expectedKind)
    p(["kind"], "workflow.kind-mismatch", { kind: String(raw.kind), expected: expectedKind });
  if (typeof raw.prefix !== "string" || !/^[A-Z]{2,6}$/.test(raw.prefix))
    p(["prefix"], "workflow.bad-prefix", { prefix: String(raw.prefix) });
  const label = (path: (string | number)[], v: unknown): Label => {
    if (!isMap(v) || typeof v.en !== "string" || typeof v["zh-CN"] !== "string") {
      p(path, "workflow.bad-label");
      return { en: "?", "zh-CN": "?" };
    }
    return { en: v.en, "zh-CN": v["zh-CN"] };
  };
  const roleOk = (path: (string | number)[], r: unknown): r is string => {
    if (typeof r !== "string" || !knownRoles.includes(r)) {
      p(path, "workflow.unknown-role", { role: String(r) });
      return false;
    }
    return true;
  };

  const fields: FieldDef[] = [];
  const fieldIds = new Set<string>();
  if (!Array.isArray(raw.fields)) p(["fields"], "workflow.fields-not-a-list");
  else
    raw.fields.forEach((f, i) => {
      if (!isMap(f) || typeof f.id !== "string" || !/^[a-z][a-z0-9_]*$/.test(f.id)) {
        p(["fields", i], "workflow.bad-field");
        return;
      }
      if (fieldIds.has(f.id)) p(["fields", i, "id"], "workflow.duplicate-field", { field: f.id });
      fieldIds.add(f.id);
      const type = f.type as FieldType;
      if (!FIELD_TYPES.includes(type))
        p(["fields", i, "type"], "workflow.bad-field-type", { type: String(f.type) });
      if (type === "enum" && (!Array.isArray(f.values) || f.values.length === 0))
        p(["fields", i, "values"], "workflow.enum-without-values", { field: f.id });
      if (f.format !== undefined && f.format !== "doc-number")
        p(["fields", i, "format"], "workflow.bad-field-type", { type: `format: ${String(f.format)}` });
      fields.push({ ...(f as unknown as FieldDef), label: label(["fields", i, "label"], f.label) });
    });

  const stepIds: string[] = [];
  if (Array.isArray(raw.steps))
    for (const s of raw.steps) if (isMap(s) && typeof s.id === "string") stepIds.push(s.id);

  const conditionOk = (path: (string | number)[], c: unknown): c is Condition => {
    if (!isMap(c) || typeof c.field !== "string" || !fieldIds.has(c.field)) {
      p(path, "workflow.bad-condition", { field: isMap(c) ? String(c.field) : "" });
      return false;
    }
    return true;
  };

  const limitOk = (path: (string | number)[], l: unknown, depth = 0): boolean => {
    if (!isMap(l)) {
      p(path, "workflow.bad-limit", { form: String(l) });
      return false;
    }
    const keys = Object.keys(l);
    const nonNeg = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
    // Exactly one form: the keys that may stand together in each.
    const FORMS: string[][] = [
      ["same_day"],
      ["working_days", "from", "from_step"],
      ["working_days_before", "field"],
      ["date_field"],
      ["day_of_month", "month_field"],
      ["by_field", "cases", "default"],
    ];
    const heads = FORMS.filter((f) => (f[0] as string) in l);
    if (heads.length !== 1 || !keys.every((k) => (heads[0] as string[]).includes(k))) {
      p(path, "workflow.bad-limit", { form: keys.join(",") });
      return false;
    }
    if ("same_day" in l && keys.length === 1 && l.same_day === true) return true;
    if ("working_days" in l && !("field" in l)) {
      if (!nonNeg(l.working_days)) p([...path, "working_days"], "workflow.bad-limit-number");
      if (l.from !== undefined && l.from !== "step" && l.from !== "record")
        p([...path, "from"], "workflow.bad-limit-from", { from: String(l.from) });
      if (l.from_step !== undefined && (typeof l.from_step !== "string" || !stepIds.includes(l.from_step)))
        p([...path, "from_step"], "workflow.unknown-step", { step: String(l.from_step) });
      return true;
    }
    if ("working_days_before" in l) {
      if (!nonNeg(l.working_days_before)) p([...path, "working_days_before"], "workflow.bad-limit-number");
      if (typeof l.field !== "string" || !fieldIds.has(l.field))
        p([...path, "field"], "workflow.unknown-field", { field: String(l.field) });
      return true;
    }
    if ("date_field" in l) {
      if (typeof l.date_field !== "string" || !fieldIds.has(l.date_field))
        p([...path, "date_field"], "workflow.unknown-field", { field: String(l.date_field) });
      return true;
    }
    if ("day_of_month" in l) {
      const d = l.day_of_month;
      if (!Number.isInteger(d) || (d as number) < 1 || (d as number) > 31)
        p([...path, "day_of_month"], "workflow.bad-limit-number");
      if (l.month_field !== undefined && (typeof l.month_field !== "string" || !fieldIds.has(l.month_field)))
        p([...path, "month_field"], "workflow.unknown-field", { field: String(l.month_field) });
      return true;
    }
    if ("by_field" in l && depth === 0) {
      if (typeof l.by_field !== "string" || !fieldIds.has(l.by_field))
        p([...path, "by_field"], "workflow.unknown-field", { field: String(l.by_field) });
      if (!isMap(l.cases)) p([...path, "cases"], "workflow.bad-limit", { form: "cases" });
      else for (const [k, v] of Object.entries(l.cases)) limitOk([...path, "cases", k], v, depth + 1);
      if (l.default !== undefined) limitOk([...path, "default"], l.default, depth + 1);
      return true;
    }
    p(path, "workflow.bad-limit", { form: keys.join(",") });
    return false;
  };

  if (raw.deadline !== undefined) limitOk(["deadline"], raw.deadline);
  if (raw.overrides !== undefined) {
    if (!Array.isArray(raw.overrides)) p(["overrides"], "workflow.bad-overrides");
    else
      raw.overrides.forEach((o, i) => {
        if (!isMap(o)) return p(["overrides", i], "workflow.bad-overrides");
        conditionOk(["overrides", i, "when"], o.when);
        limitOk(["overrides", i, "limit"], o.limit);
      });
  }

  const steps: StepDef[] = [];
  if (!Array.isArray(raw.steps) || raw.steps.length === 0) p(["steps"], "workflow.no-steps");
  else {
    raw.steps.forEach((s, i) => {
      if (!isMap(s) || typeof s.id !== "string" || !ID_RE.test(s.id)) {
        p(["steps", i], "workflow.bad-step-id", { step: isMap(s) ? String(s.id) : "" });
        return;
      }
      if (stepIds.indexOf(s.id) !== i) p(["steps", i, "id"], "workflow.duplicate-step", { step: s.id });
      const a = s.actor;
      const path = ["steps", i, "actor"];
      if (!isMap(a)) p(path, "workflow.bad-actor", { step: s.id });
      else {
        const forms = ["roles", "role_by_field", "routed", "same_as"].filter((k) => a[k] !== undefined);
        if (forms.length !== 1) p(path, "workflow.bad-actor", { step: s.id });
        if (a.roles !== undefined) {
          if (!Array.isArray(a.roles) || a.roles.length === 0)
            p([...path, "roles"], "workflow.bad-actor", { step: s.id });
          else a.roles.forEach((r, j) => roleOk([...path, "roles", j], r));
        }
        if (a.unit_field !== undefined && (typeof a.unit_field !== "string" || !fieldIds.has(a.unit_field)))
          p([...path, "unit_field"], "workflow.unknown-field", { field: String(a.unit_field) });
        if (a.role_by_field !== undefined) {
          const r = a.role_by_field;
          if (!isMap(r) || typeof r.field !== "string" || !fieldIds.has(r.field) || !isMap(r.map))
            p([...path, "role_by_field"], "workflow.bad-actor", { step: s.id });
          else for (const [k, v] of Object.entries(r.map)) roleOk([...path, "role_by_field", "map", k], v);
        }
        if (Array.isArray(a.fallback_roles))
          a.fallback_roles.forEach((r, j) => roleOk([...path, "fallback_roles", j], r));
        if (
          a.same_as !== undefined &&
          (typeof a.same_as !== "string" || stepIds.indexOf(a.same_as) < 0 || stepIds.indexOf(a.same_as) >= i)
        )
          p([...path, "same_as"], "workflow.unknown-step", { step: String(a.same_as) });
      }
      if (s.limit !== undefined) limitOk(["steps", i, "limit"], s.limit);
      if (s.return_to !== undefined && (typeof s.return_to !== "string" || !stepIds.includes(s.return_to)))
        p(["steps", i, "return_to"], "workflow.unknown-step", { step: String(s.return_to) });
      if (s.when !== undefined) conditionOk(["steps", i, "when"], s.when);
      if (s.requires !== undefined) {
        if (!Array.isArray(s.requires))
          p(["steps", i, "requires"], "workflow.unknown-field", { field: String(s.requires) });
        else
          s.requires.forEach((f, j) => {
            if (!fieldIds.has(String(f)))
              p(["steps", i, "requires", j], "workflow.unknown-field", { field: String(f) });
          });
      }
      if (s.stamps !== undefined && !fieldIds.has(String(s.stamps)))
        p(["steps", i, "stamps"], "workflow.unknown-field", { field: String(s.stamps) });
      if (s.route_sets !== undefined && !fieldIds.has(String(s.route_sets)))
        p(["steps", i, "route_sets"], "workflow.unknown-field", { field: String(s.route_sets) });
      if (s.numbers !== undefined) {
        const n = s.numbers;
        if (!isMap(n) || !fieldIds.has(String(n.field)) || !fieldIds.has(String(n.prefix_by)))
          p(["steps", i, "numbers"], "workflow.unknown-field", {
            field: isMap(n) ? `${n.field}/${n.prefix_by}` : "",
          });
      }
      if (Array.isArray(s.route_by)) s.route_by.forEach((r, j) => roleOk(["steps", i, "route_by", j], r));
      steps.push({ ...(s as unknown as StepDef), label: label(["steps", i, "label"], s.label) });
    });
  }
  if (raw.reopen_when !== undefined) conditionOk(["reopen_when"], raw.reopen_when);
  if (raw.reopen_to !== undefined && (typeof raw.reopen_to !== "string" || !stepIds.includes(raw.reopen_to)))
    p(["reopen_to"], "workflow.unknown-step", { step: String(raw.reopen_to) });
  if (typeof raw.create_action !== "string" || !ID_RE.test(raw.create_action))
    p(["create_action"], "workflow.bad-create-action");
  // Nothing waits unseen: a step with no limit of its own, in a workflow with no overall deadline,
  // would have no due date, and the overdue list would never show a record waiting there.
  if (raw.deadline === undefined && Array.isArray(raw.steps))
    raw.steps.forEach((s, i) => {
      if (isMap(s) && typeof s.id === "string" && s.limit === undefined)
        problems.push({
          path: ["steps", i],
          code: "workflow.step-without-limit",
          params: { step: s.id },
          warning: true,
        });
    });
  const value: WorkflowDef = {
    ...(raw as unknown as WorkflowDef),
    label: label(["label"], raw.label),
    fields,
    steps,
  };
  return problems.some((x) => !x.warning) ? { problems } : { value, problems };
}

export function findStep(wf: WorkflowDef, id: string | null): StepDef | undefined {
  return id === null ? undefined : wf.steps.find((s) => s.id === id);
}
