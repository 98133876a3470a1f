import { HOOKS, hookNames } from "./hooks.js";
import type { Label } from "./model.js";
import type { Problem } from "./problems.js";
import { isMap } from "./raw.js";
import { upgradeWorkflowRaw } from "./upgrade.js";

/**
 * Workflow definitions: the procedures as data. A workflow file (`workflows/<kind>.yaml`) gives the
 * record's fields, its ordered steps and the named hooks it uses; the engine (engine.ts) runs any of
 * them and the command line (src/cli/kinds.ts) is derived from it. templates/workflow.schema.json
 * describes the file key by key (editors use it for completion, `check` for validation).
 */

/** The workflow file format this code writes. Files without `format:` are format 1 (upgrade.ts). */
export const WORKFLOW_FORMAT = 2;

export type FieldType =
  | "text"
  | "integer"
  | "decimal"
  | "enum"
  | "date"
  | "datetime"
  | "month"
  | "list"
  | "boolean"
  | "phone"
  | "map"
  | "items";

/** The types an item of an `items` field, or a value of a `map` field, may have. */
export type SimpleFieldType = Exclude<FieldType, "map" | "items" | "list">;

/**
 * What a field means to the engine and to generic commands. Generic code names a field only through
 * its role: listings show the classification and urgency, `list --unit` and `report stats --by unit`
 * use the responsible unit, `file` puts that unit's code in the archive number, a new record lists
 * earlier ones with the same contact phone, `merge` refuses two records whose contact name and
 * phone both differ, `egov send` keeps to recipients and copied-to and refuses a classified record.
 * A `numbers` step's field has the role doc-number. A field with the role approved-by names a person
 * who approved (a late meeting request): only an operator whose role may record for others (office.yaml
 * `record_for`, issue 18) may name someone else there.
 */
export const FIELD_ROLES = [
  "classification",
  "urgency",
  "doc-number",
  "responsible-unit",
  "contact-phone",
  "contact-name",
  "recipients",
  "copied-to",
  "approved-by",
] as const;
export type FieldRole = (typeof FIELD_ROLES)[number];

/** The value of a classification field that means "not classified", and of urgency "not urgent". */
export const UNCLASSIFIED = "none";
export const NOT_URGENT = "normal";

export interface FieldDef {
  id: string;
  label: Label;
  type: FieldType;
  required?: boolean;
  /** enum: the value ids, in order. */
  values?: string[];
  /** enum: the labels of the values; a value without one is shown by its id. */
  value_labels?: Record<string, Label>;
  default?: string | number | boolean;
  /** Listings and the index keep this field (e.g. a call's type, for statistics). */
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
   * `text`: several lines may be typed (a summary, an answer, an opinion), up to MAX_TEXT_CHARS
   * characters. Without it a text field is one line of at most MAX_LINE_CHARS (src/core/text.ts):
   * line breaks and control characters are refused (issue 12).
   */
  multiline?: boolean;
  role?: FieldRole;
  /** The command-line option, without dashes (resolved: the id with '-' for '_' unless given). */
  option: string;
  /** More option names that set this field (today's `--via` for `reply_via`). */
  aliases?: string[];
  /**
   * An option of the create command (resolved: true unless a step sets, stamps, numbers or routes
   * into the field, or the YAML says `create: false`).
   */
  create: boolean;
  /** More words for --help, after the label. */
  help?: Label;
  /** map: the type of each value (decimal by default). */
  of?: "decimal" | "integer" | "text";
  /** map: the keys allowed (any key when absent). */
  keys?: string[];
  /** items: the fields of each item, typed on the command line as `v1:v2:…` in this order. */
  item_fields?: FieldDef[];
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
 * Who may act on a step. Exactly one of `roles`, `role_by_field`, `routed`, `same_as`, `from_field`,
 * `leader_of`.
 * `all`: every holder (each routed person or unit, each listed role, each listed unit) must sign
 * before the step completes.
 */
export interface ActorRule {
  roles?: string[];
  /** The actor must belong to the unit named by this record field (the unit-head of U). */
  unit_field?: string;
  /**
   * The roles `unit_field` applies to (default: all of `roles`): a request is signed by the unit
   * head of the requesting unit and by a leader in charge, who belongs to no unit (seed §7.1).
   */
  unit_roles?: string[];
  role_by_field?: { field: string; map: Record<string, string> };
  routed?: boolean;
  /** Until `route` names holders (or while a `leader_of` unit has no leader), these roles may act. */
  fallback_roles?: string[];
  /** Those who signed an earlier step (countersign by the same investigators). */
  same_as?: string;
  /** The units or people a `list` (or `text`) field of the record names: each listed unit (inspections). */
  from_field?: string;
  /**
   * The leader in charge (分管领导, office.yaml `units[].leader`) of the unit a `text` field names
   * (an indicator report's unit); `fallback_roles` while that unit has none.
   */
  leader_of?: string;
  all?: boolean;
}

/** The time limit of a step or of a whole record. Exactly one form. */
export type LimitRule =
  | { same_day: true }
  | { working_days: number; from?: "step" | "record"; from_step?: string }
  | { working_days_before: number; field: string }
  | { date_field: string }
  | { day_of_month: number; month_field?: string; rest_day?: "before" | "after" }
  | { by_field: string; cases: Record<string, LimitRule>; default?: LimitRule };

export interface StepDef {
  id: string;
  label: Label;
  /** More words for the step command's --help. */
  help?: Label;
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
  /** Fields the step command takes as options, set by the signature (a call's reply). */
  sets?: string[];
  /** Completing this step writes its office date into this date field (成文日期, 印发日期). */
  stamps?: string;
  /**
   * Completing this step gives the record the next official document number of its prefix: the
   * prefix of office.yaml `prefixes` that the field `prefix_by` selects (an outgoing document's
   * category), or the one named `prefix` (`upward-report` for reports to superiors). Exactly one.
   */
  numbers?: { field: string; prefix_by?: string; prefix?: string };
  /** `route` also stores the first routed unit in this record field (the responsible unit). */
  route_sets?: string;
  /** Who may name the holders with `route` (default: office staff, clerks and the office head). */
  route_by?: string[];
  /** Guards (hooks.ts) that must pass before a signature completes the step. */
  checks?: string[];
  /**
   * A revision (a second create of an `upsert_key` record) while the record is at this step: how
   * history names it (重报, re-report) and whether it needs `--reason` (seed §5: figures changed at
   * the analysis meeting are re-reported with a reason).
   */
  revision?: { label?: Label; reason?: "required" | "optional" };
  /**
   * A record waiting at this step is under supervision (督办): `report supervision` lists it with
   * its warning light. `true`, or a condition on the record's fields (a call's handling when it is
   * important). The fields a condition names are kept in the index (record.ts summarize).
   */
  supervised?: boolean | Condition;
}

export interface LimitOverride {
  when: Condition;
  limit: LimitRule;
}

/** The record's title on the command line: its option and label (`call --matter`). */
export interface TitleDef {
  option: string;
  aliases?: string[];
  label: Label;
  /**
   * The title made from the record's fields instead of typed (`{month} {unit} 主要经济指标`): each
   * `{field}` is the field's value as people read it in Chinese (a unit's name). No title option then.
   */
  template?: string;
}

export interface WorkflowDef {
  /** The file format (WORKFLOW_FORMAT after loading: older files are upgraded in memory). */
  format: number;
  kind: string;
  prefix: string;
  label: Label;
  /** The action word of the creating command (receive, draft, call…): commit subjects and history. */
  create_action: string;
  /**
   * The command that creates a record (resolved: create_action unless given): one word, or a group
   * and a word (`meeting request`, `indicator submit`).
   */
  create_command: string;
  /** The create command's --help line (default: "register a new record: <kind label>"). */
  help?: Label;
  /** How history and `log` name the create action (收文 登记, 发文 拟稿; default: register, 登记). */
  create_label?: Label;
  title: TitleDef;
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
  /** … only by a person with one of these roles (indicator reports: a leader); anyone when absent. */
  reopen_by?: string[];
  /** Retention used by `file` when none is given. */
  default_retention?: "permanent" | "30y" | "10y";
  /** Guards (hooks.ts) a new record must pass: late requests, a room already booked. */
  checks?: string[];
  /**
   * Fields whose values identify a record of this kind: creating one whose key an open record has
   * revises that record (same id, old and new values in its history); a closed one is refused.
   */
  upsert_key?: string[];
  /** The printable form's hook (hooks.ts `forms`); without one `print` lays out every field. */
  form?: string;
  /** What `show` adds from the record (hooks.ts `details`): who has not replied to a meeting notice. */
  details?: string;
  /** Print the form right after creating a record when this holds (an important call's transfer form). */
  print_on_create?: Condition;
  /** Kind commands: command path (`meeting reply`, `egov send`) -> the CLI hook that runs it. */
  commands?: Record<string, string>;
  steps: StepDef[];
}

/** Names of the hooks a workflow may use, by hook kind (validation only needs the names). */
export interface HookNames {
  guards: readonly string[];
  forms: readonly string[];
  details?: readonly string[];
}

const FIELD_TYPES: readonly FieldType[] = [
  "text",
  "integer",
  "decimal",
  "enum",
  "date",
  "datetime",
  "month",
  "list",
  "boolean",
  "phone",
  "map",
  "items",
];
const ID_RE = /^[a-z][a-z0-9-]*$/;
const FIELD_ID_RE = /^[a-z][a-z0-9_]*$/;
const OPTION_RE = /^[a-z][a-z0-9-]*$/;
/** A command path: one word, or a group and a word. */
const COMMAND_RE = /^[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)?$/;

/**
 * Options every command has, and those every create command has (`--at`, `--title`'s default): a
 * field may not take them.
 */
export const RESERVED_OPTIONS = [
  "registry",
  "as",
  "lang",
  "json",
  "format",
  "input",
  "no-input",
  "color",
  "no-color",
  "debug",
  "help",
  "version",
  "at",
];
/** Options every step command has. */
export const STEP_OPTIONS = ["opinion", "decision", "to"];

/** The option a field id gets unless the workflow names one: `hotline_ticket` -> `hotline-ticket`. */
export const optionOfId = (id: string): string => id.replace(/_/g, "-");

const DEFAULT_TITLE_LABEL: Label = { en: "Title", "zh-CN": "标题" };

/** The field that plays `role` in this workflow, if any. */
export function fieldByRole(wf: WorkflowDef, role: FieldRole): FieldDef | undefined {
  return wf.fields.find((f) => f.role === role);
}

/** The label of an enum value in `lang`, or the value itself when the workflow gives none. */
export function valueLabel(def: FieldDef | undefined, value: string, lang: keyof Label): string {
  return def?.value_labels?.[value]?.[lang] ?? value;
}

/** The group of a command path (`meeting` of `meeting request`), or undefined for one word. */
export function commandGroup(path: string): string | undefined {
  const i = path.indexOf(" ");
  return i < 0 ? undefined : path.slice(0, i);
}

/**
 * Validate a parsed workflow file fully: unknown roles, fields, steps and hooks, bad limits and
 * options taken twice are problems with the key path where they are. A file of an older format is
 * upgraded in memory first (upgrade.ts), as `office-doc upgrade` would write it. `knownRoles` are
 * the office's role ids, `hooks` the names of the core hooks. A step without a limit in a workflow
 * without an overall deadline is a warning (the workflow still loads). Never throws.
 */
export function validateWorkflow(
  raw0: unknown,
  expectedKind: string,
  knownRoles: readonly string[],
  hooks: HookNames = hookNames(HOOKS),
): { value?: WorkflowDef; problems: Problem[] } {
  const problems: Problem[] = [];
  const p = (path: (string | number)[], code: Problem["code"], params: Problem["params"] = {}) =>
    problems.push({ path, code, params });
  if (!isMap(raw0)) {
    p([], "workflow.not-a-map");
    return { problems };
  }
  const format = raw0.format ?? 1;
  if (format !== 1 && format !== WORKFLOW_FORMAT) {
    p(["format"], "workflow.bad-format", { format: String(format), known: WORKFLOW_FORMAT });
    return { problems };
  }
  const raw = format === 1 ? upgradeWorkflowRaw(raw0) : raw0;
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
  const optionalLabel = (path: (string | number)[], v: unknown): Label | undefined =>
    v === undefined ? undefined : label(path, v);
  const roleOk = (path: (string | number)[], r: unknown): r is string => {
    if (typeof r !== "string" || !knownRoles.includes(r)) {
      p(path, "workflow.unknown-role", { role: String(r) });
      return false;
    }
    return true;
  };
  const hookOk = (path: (string | number)[], kind: keyof HookNames, name: unknown) => {
    const known = hooks[kind] ?? [];
    if (typeof name !== "string" || !known.includes(name))
      p(path, "workflow.unknown-hook", { hook: String(name), kind, known: known.join(", ") || "—" });
  };
  const optionNames = (path: (string | number)[], v: unknown): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string" && OPTION_RE.test(x))) {
      p(path, "workflow.bad-option", { option: String(v) });
      return undefined;
    }
    return v as string[];
  };

  const fields: FieldDef[] = [];
  const fieldIds = new Set<string>();
  const explicitCreate = new Set<string>();
  /** One field's definition; `item` for the fields of an `items` field (simple types only). */
  const fieldDef = (f: unknown, path: (string | number)[], item: boolean): FieldDef | undefined => {
    if (!isMap(f) || typeof f.id !== "string" || !FIELD_ID_RE.test(f.id)) {
      p(path, "workflow.bad-field");
      return undefined;
    }
    const type = f.type as FieldType;
    if (!FIELD_TYPES.includes(type) || (item && (type === "map" || type === "items" || type === "list")))
      p([...path, "type"], "workflow.bad-field-type", { type: String(f.type) });
    const def: FieldDef = {
      ...(f as unknown as FieldDef),
      label: label([...path, "label"], f.label),
      option: typeof f.option === "string" ? f.option : optionOfId(f.id),
      create: f.create !== false,
    };
    delete (def as { value_labels?: unknown }).value_labels;
    if (f.values !== undefined || type === "enum") {
      const values: string[] = [];
      const labels: Record<string, Label> = {};
      if (!Array.isArray(f.values) || f.values.length === 0)
        p([...path, "values"], "workflow.enum-without-values", { field: f.id });
      else
        f.values.forEach((v, j) => {
          // A value is its id, or { id, label }: a value an office adds without a label shows its id.
          const id = isMap(v) ? v.id : v;
          if (typeof id !== "string" && typeof id !== "number") {
            p([...path, "values", j], "workflow.bad-value", { field: String(f.id) });
            return;
          }
          if (values.includes(String(id)))
            p([...path, "values", j], "workflow.duplicate-value", { field: String(f.id), value: String(id) });
          values.push(String(id));
          if (isMap(v) && v.label !== undefined)
            labels[String(id)] = label([...path, "values", j, "label"], v.label);
        });
      def.values = values;
      if (Object.keys(labels).length) def.value_labels = labels;
    }
    if (f.format !== undefined && f.format !== "doc-number")
      p([...path, "format"], "workflow.bad-field-type", { type: `format: ${String(f.format)}` });
    if (f.option !== undefined && (typeof f.option !== "string" || !OPTION_RE.test(f.option)))
      p([...path, "option"], "workflow.bad-option", { option: String(f.option) });
    const aliases = optionNames([...path, "aliases"], f.aliases);
    if (aliases) def.aliases = aliases;
    else delete def.aliases;
    const help = optionalLabel([...path, "help"], f.help);
    if (help) def.help = help;
    if (f.role !== undefined && !FIELD_ROLES.includes(f.role as FieldRole))
      p([...path, "role"], "workflow.bad-role", { role: String(f.role), known: FIELD_ROLES.join(", ") });
    if (f.create !== undefined && typeof f.create !== "boolean")
      p([...path, "create"], "workflow.bad-boolean", { key: "create" });
    if (f.multiline !== undefined && typeof f.multiline !== "boolean")
      p([...path, "multiline"], "workflow.bad-boolean", { key: "multiline" });
    if (f.create !== undefined && !item) explicitCreate.add(f.id);
    if (type === "map") {
      if (f.of !== undefined && !["decimal", "integer", "text"].includes(String(f.of)))
        p([...path, "of"], "workflow.bad-field-type", { type: String(f.of) });
      if (f.keys !== undefined && (!Array.isArray(f.keys) || !f.keys.every((k) => typeof k === "string")))
        p([...path, "keys"], "workflow.bad-keys", { field: f.id });
    }
    if (type === "items") {
      const items: FieldDef[] = [];
      if (!Array.isArray(f.item_fields) || f.item_fields.length === 0)
        p([...path, "item_fields"], "workflow.items-without-fields", { field: f.id });
      else
        f.item_fields.forEach((x, j) => {
          const d = fieldDef(x, [...path, "item_fields", j], true);
          if (d) items.push(d);
        });
      def.item_fields = items;
    }
    return def;
  };
  if (!Array.isArray(raw.fields)) p(["fields"], "workflow.fields-not-a-list");
  else
    raw.fields.forEach((f, i) => {
      const def = fieldDef(f, ["fields", i], false);
      if (!def) return;
      if (fieldIds.has(def.id)) p(["fields", i, "id"], "workflow.duplicate-field", { field: def.id });
      fieldIds.add(def.id);
      fields.push(def);
    });
  const fieldIndex = (id: unknown) => fields.findIndex((f) => f.id === id);
  const roles = new Map<string, string>();
  fields.forEach((f, i) => {
    if (!f.role) return;
    if (roles.has(f.role))
      p(["fields", i, "role"], "workflow.duplicate-role", { role: f.role, field: roles.get(f.role) ?? "" });
    roles.set(f.role, f.id);
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
  const fieldRef = (path: (string | number)[], f: unknown) => {
    if (typeof f !== "string" || !fieldIds.has(f)) p(path, "workflow.unknown-field", { field: String(f) });
  };
  const fieldList = (path: (string | number)[], v: unknown): string[] => {
    if (!Array.isArray(v)) {
      p(path, "workflow.unknown-field", { field: String(v) });
      return [];
    }
    v.forEach((f, j) => fieldRef([...path, j], f));
    return v.map(String);
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
      ["day_of_month", "month_field", "rest_day"],
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
      fieldRef([...path, "field"], l.field);
      return true;
    }
    if ("date_field" in l) {
      fieldRef([...path, "date_field"], l.date_field);
      return true;
    }
    if ("day_of_month" in l) {
      const d = l.day_of_month;
      if (!Number.isInteger(d) || (d as number) < 1 || (d as number) > 31)
        p([...path, "day_of_month"], "workflow.bad-limit-number");
      if (l.month_field !== undefined) fieldRef([...path, "month_field"], l.month_field);
      if (l.rest_day !== undefined && l.rest_day !== "before" && l.rest_day !== "after")
        p([...path, "rest_day"], "workflow.bad-rest-day", { value: String(l.rest_day) });
      return true;
    }
    if ("by_field" in l && depth === 0) {
      fieldRef([...path, "by_field"], l.by_field);
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
  /** Fields a step or the engine fills: not options of the create command unless the YAML says so. */
  const setLater = new Set<string>();
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
        const forms = ["roles", "role_by_field", "routed", "same_as", "from_field", "leader_of"].filter(
          (k) => a[k] !== undefined,
        );
        if (forms.length !== 1) p(path, "workflow.bad-actor", { step: s.id });
        if (a.roles !== undefined) {
          if (!Array.isArray(a.roles) || a.roles.length === 0)
            p([...path, "roles"], "workflow.bad-actor", { step: s.id });
          else a.roles.forEach((r, j) => roleOk([...path, "roles", j], r));
        }
        if (a.unit_field !== undefined) fieldRef([...path, "unit_field"], a.unit_field);
        if (a.unit_roles !== undefined) {
          const roles = Array.isArray(a.roles) ? a.roles : [];
          if (!Array.isArray(a.unit_roles) || a.unit_field === undefined)
            p([...path, "unit_roles"], "workflow.bad-actor", { step: s.id });
          else
            a.unit_roles.forEach((r, j) => {
              if (!roles.includes(r))
                p([...path, "unit_roles", j], "workflow.unknown-role", { role: String(r) });
            });
        }
        if (a.from_field !== undefined) {
          const f = fields[fieldIndex(a.from_field)];
          if (!f || (f.type !== "list" && f.type !== "text"))
            p([...path, "from_field"], "workflow.unknown-field", { field: String(a.from_field) });
        }
        if (a.leader_of !== undefined) {
          const f = fields[fieldIndex(a.leader_of)];
          if (f?.type !== "text" || f.ref !== "unit")
            p([...path, "leader_of"], "workflow.unknown-field", { field: String(a.leader_of) });
        }
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
      if (s.requires !== undefined) fieldList(["steps", i, "requires"], s.requires);
      if (s.sets !== undefined) {
        const sets = fieldList(["steps", i, "sets"], s.sets);
        sets.forEach((f, j) => {
          setLater.add(f);
          const opts = [fields[fieldIndex(f)]?.option, ...(fields[fieldIndex(f)]?.aliases ?? [])];
          for (const o of opts)
            if (o && STEP_OPTIONS.includes(o))
              p(["steps", i, "sets", j], "workflow.option-taken", { option: `--${o}`, by: "step" });
        });
      }
      for (const k of ["stamps", "route_sets"] as const)
        if (s[k] !== undefined) {
          fieldRef(["steps", i, k], s[k]);
          setLater.add(String(s[k]));
        }
      if (s.numbers !== undefined) {
        const n = s.numbers;
        // The prefix is chosen by a field, or named: exactly one of the two.
        const prefixOk =
          isMap(n) &&
          (n.prefix_by === undefined
            ? typeof n.prefix === "string" && n.prefix !== ""
            : n.prefix === undefined && fieldIds.has(String(n.prefix_by)));
        if (!isMap(n) || !fieldIds.has(String(n.field)) || !prefixOk)
          p(["steps", i, "numbers"], "workflow.unknown-field", {
            field: isMap(n) ? `${n.field}/${n.prefix_by ?? n.prefix}` : "",
          });
        else {
          setLater.add(String(n.field));
          // The field a numbers step fills is the record's document number.
          const f = fields[fieldIndex(n.field)] as FieldDef;
          const had = roles.get("doc-number");
          if (f.role === undefined && had !== undefined && had !== f.id)
            p(["steps", i, "numbers"], "workflow.duplicate-role", { role: "doc-number", field: had });
          else if (f.role !== undefined && f.role !== "doc-number")
            p(["steps", i, "numbers"], "workflow.numbers-role", { field: f.id, role: f.role });
          f.role = "doc-number";
          roles.set("doc-number", f.id);
        }
      }
      if (Array.isArray(s.route_by)) s.route_by.forEach((r, j) => roleOk(["steps", i, "route_by", j], r));
      const rv = s.revision;
      let revision: StepDef["revision"];
      if (rv !== undefined) {
        if (!isMap(rv) || (rv.reason !== undefined && rv.reason !== "required" && rv.reason !== "optional"))
          p(["steps", i, "revision"], "workflow.bad-revision");
        else
          revision = {
            ...(rv.label !== undefined ? { label: label(["steps", i, "revision", "label"], rv.label) } : {}),
            ...(rv.reason !== undefined ? { reason: rv.reason as "required" | "optional" } : {}),
          };
      }
      if (s.supervised !== undefined && typeof s.supervised !== "boolean")
        conditionOk(["steps", i, "supervised"], s.supervised);
      if (s.checks !== undefined) {
        if (!Array.isArray(s.checks))
          p(["steps", i, "checks"], "workflow.unknown-hook", { hook: "", kind: "guards", known: "" });
        else s.checks.forEach((g, j) => hookOk(["steps", i, "checks", j], "guards", g));
      }
      const step: StepDef = {
        ...(s as unknown as StepDef),
        label: label(["steps", i, "label"], s.label),
      };
      if (revision) step.revision = revision;
      else delete step.revision;
      const help = optionalLabel(["steps", i, "help"], s.help);
      if (help) step.help = help;
      steps.push(step);
    });
  }
  // A field a step or the engine fills is not typed at creation unless the workflow says so.
  for (const f of fields) if (!explicitCreate.has(f.id)) f.create = !setLater.has(f.id);
  if (raw.reopen_when !== undefined) conditionOk(["reopen_when"], raw.reopen_when);
  if (raw.reopen_to !== undefined && (typeof raw.reopen_to !== "string" || !stepIds.includes(raw.reopen_to)))
    p(["reopen_to"], "workflow.unknown-step", { step: String(raw.reopen_to) });
  if (raw.reopen_by !== undefined) {
    if (!Array.isArray(raw.reopen_by) || raw.reopen_by.length === 0)
      p(["reopen_by"], "workflow.unknown-role", { role: String(raw.reopen_by) });
    else raw.reopen_by.forEach((r, j) => roleOk(["reopen_by", j], r));
  }
  if (typeof raw.create_action !== "string" || !ID_RE.test(raw.create_action))
    p(["create_action"], "workflow.bad-create-action");
  const createCommand = raw.create_command ?? raw.create_action;
  if (
    raw.create_command !== undefined &&
    (typeof createCommand !== "string" || !COMMAND_RE.test(createCommand))
  )
    p(["create_command"], "workflow.bad-command", { command: String(createCommand) });

  let title: TitleDef = { option: "title", label: DEFAULT_TITLE_LABEL };
  if (raw.title !== undefined) {
    if (!isMap(raw.title)) p(["title"], "workflow.bad-title");
    else {
      const t = raw.title;
      if (t.option !== undefined && (typeof t.option !== "string" || !OPTION_RE.test(t.option)))
        p(["title", "option"], "workflow.bad-option", { option: String(t.option) });
      title = {
        option: typeof t.option === "string" ? t.option : "title",
        label: t.label === undefined ? DEFAULT_TITLE_LABEL : label(["title", "label"], t.label),
      };
      const aliases = optionNames(["title", "aliases"], t.aliases);
      if (aliases) title.aliases = aliases;
      if (t.template !== undefined) {
        const names = typeof t.template === "string" ? [...t.template.matchAll(/\{([^}]*)\}/g)] : [];
        if (typeof t.template !== "string" || t.template.trim() === "")
          p(["title", "template"], "workflow.bad-title");
        else {
          for (const m of names) fieldRef(["title", "template"], m[1]);
          title.template = t.template;
        }
      }
    }
  }
  // Every option of the create command names one thing.
  const taken = new Map<string, string>(RESERVED_OPTIONS.map((o) => [o, "office-doc"]));
  const claim = (path: (string | number)[], option: string, by: string) => {
    const had = taken.get(option);
    if (had !== undefined && had !== by) p(path, "workflow.option-taken", { option: `--${option}`, by: had });
    taken.set(option, by);
  };
  if (!title.template) for (const o of [title.option, ...(title.aliases ?? [])]) claim(["title"], o, "title");
  // A record revised by its upsert key says why with --reason.
  if (raw.upsert_key !== undefined) claim(["upsert_key"], "reason", "upsert_key");
  fields.forEach((f, i) => {
    if (!f.create) return;
    for (const o of [f.option, ...(f.aliases ?? [])]) claim(["fields", i], o, f.id);
    if (f.type === "boolean" && f.default === true) claim(["fields", i], `no-${f.option}`, f.id);
  });

  for (const k of ["checks"] as const)
    if (raw[k] !== undefined) {
      if (!Array.isArray(raw[k])) p([k], "workflow.unknown-hook", { hook: "", kind: "guards", known: "" });
      else (raw[k] as unknown[]).forEach((g, j) => hookOk([k, j], "guards", g));
    }
  if (raw.form !== undefined) hookOk(["form"], "forms", raw.form);
  if (raw.details !== undefined) hookOk(["details"], "details", raw.details);
  if (raw.upsert_key !== undefined) fieldList(["upsert_key"], raw.upsert_key);
  if (raw.print_on_create !== undefined) conditionOk(["print_on_create"], raw.print_on_create);
  if (raw.commands !== undefined) {
    if (!isMap(raw.commands)) p(["commands"], "workflow.bad-command", { command: "commands" });
    else
      for (const [path, hook] of Object.entries(raw.commands))
        if (!COMMAND_RE.test(path) || typeof hook !== "string")
          p(["commands", path], "workflow.bad-command", { command: path });
  }
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
    format: WORKFLOW_FORMAT,
    label: label(["label"], raw.label),
    create_command: String(createCommand),
    title,
    fields,
    steps,
  };
  const help = optionalLabel(["help"], raw.help);
  if (help) value.help = help;
  const createLabel = optionalLabel(["create_label"], raw.create_label);
  if (createLabel) value.create_label = createLabel;
  return problems.some((x) => !x.warning) ? { problems } : { value, problems };
}

export function findStep(wf: WorkflowDef, id: string | null): StepDef | undefined {
  return id === null ? undefined : wf.steps.find((s) => s.id === id);
}

/** The fields that `supervised` conditions of `wf`'s steps name: the index keeps them (record.ts summarize). */
export function supervisionFields(wf: WorkflowDef): string[] {
  const out = new Set<string>();
  for (const s of wf.steps) if (typeof s.supervised === "object") out.add(s.supervised.field);
  return [...out];
}
