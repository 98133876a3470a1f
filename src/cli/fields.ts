import { type Command, Option } from "commander";
import type { Label } from "../core/model.js";
import { OfficeError, usageError } from "../core/problems.js";
import { classificationOf, coerceFieldValues, LIST_SEPARATOR, textProblem } from "../core/record.js";
import type { FieldDef, TitleDef, WorkflowDef } from "../core/workflow.js";
import type { Lang } from "../ui/i18n/index.js";
import type { Ctx } from "./context.js";
import { requireValues, type Wanted } from "./prompts.js";

/**
 * Record fields on the command line, derived from the workflow: one option per field
 * (`hotline_ticket` -> `--hotline-ticket`, or the field's `option:` and `aliases:`), its value typed
 * by the field's type, its --help from the field's labels.
 */

export const flagOf = (option: string) => `--${option}`;

/** The placeholder of a field's value in --help. */
function placeholder(def: FieldDef): string {
  switch (def.type) {
    case "integer":
      return "<n>";
    case "decimal":
      return "<number>";
    case "date":
      return "<YYYY-MM-DD>";
    case "datetime":
      return "<datetime>";
    case "month":
      return "<YYYY-MM>";
    case "list":
      return "<a,b>";
    case "phone":
      return "<phone>";
    case "map":
      return "<NAME=VALUE>";
    case "items":
      return `<${(def.item_fields ?? []).map((f) => f.id).join(":")}>`;
    default:
      return `<${def.option}>`;
  }
}

const lab = (l: Label | undefined, lang: Lang) => (l ? l[lang] : "");

/** A field's --help line: its label, its help, the values of an enum with their labels. */
export function fieldHelp(def: FieldDef, lang: Lang): string {
  const sep = lang === "zh-CN" ? "：" : ": ";
  const parts = [lab(def.label, lang)];
  if (def.help) parts.push(`${sep}${lab(def.help, lang)}`);
  if (def.values?.length) {
    const values = def.values.map((v) => {
      const l = def.value_labels?.[v]?.[lang];
      return l && l !== v ? `${v} (${l})` : v;
    });
    parts.push(`${sep}${values.join(lang === "zh-CN" ? "、" : ", ")}`);
  }
  if (def.type === "map" || def.type === "items")
    parts.push(lang === "zh-CN" ? "（可重复）" : " (repeatable)");
  return parts.join("");
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** A value shell completion offers, and what it means (zsh shows it beside the value). */
export interface ValueChoice {
  name: string;
  description?: string;
}

/**
 * The values shell completion offers for a field's option (commands/completion.ts): an enum's values
 * with their labels, the ids of the office's units or people with their names.
 */
export const optionValues = new WeakMap<Option, (ctx: Ctx) => ValueChoice[]>();

/** The office's units and people as completion values (which of them: `ref`). */
export function officeChoices(ctx: Ctx, ref: "unit" | "person" | "unit-or-person"): ValueChoice[] {
  const office = ctx.office();
  const units = office.units.map((u) => ({ name: u.id, description: u.name }));
  const people = office.people.map((p) => ({ name: p.id, description: p.name }));
  return ref === "unit" ? units : ref === "person" ? people : [...people, ...units];
}

function valuesOf(def: FieldDef): ((ctx: Ctx) => ValueChoice[]) | undefined {
  if (def.values?.length)
    return (ctx) =>
      (def.values ?? []).map((v) => {
        const l = def.value_labels?.[v]?.[ctx.lang];
        return l ? { name: v, description: l } : { name: v };
      });
  const ref = def.ref ?? def.refs;
  return ref ? (ctx) => officeChoices(ctx, ref) : undefined;
}

/** Add the options of these fields to a command (aliases work, only the main name is in --help). */
export function addFieldOptions(cmd: Command, defs: readonly FieldDef[], lang: Lang): void {
  for (const def of defs) {
    const names = [def.option, ...(def.aliases ?? [])];
    const also = def.aliases?.length
      ? ` (${lang === "zh-CN" ? "也可用" : "also"} ${def.aliases.map(flagOf).join(", ")})`
      : "";
    names.forEach((name, i) => {
      const help = fieldHelp(def, lang) + also;
      const o =
        def.type === "boolean"
          ? new Option(flagOf(name), help)
          : new Option(`${flagOf(name)} ${placeholder(def)}`, help);
      if (def.type === "map" || def.type === "items") o.argParser(collect);
      if (i > 0) o.hideHelp();
      const values = valuesOf(def);
      if (values) optionValues.set(o, values);
      optionTextRule.set(o, def.type === "text" && def.multiline === true ? "text" : "line");
      cmd.addOption(o);
    });
    if (def.type === "boolean" && def.default === true)
      cmd.addOption(new Option(`--no-${def.option}`, fieldHelp(def, lang)));
  }
}

/** Add the title option (`--title`, or the workflow's, like `--matter` for calls). */
export function addTitleOption(cmd: Command, title: TitleDef, lang: Lang): void {
  [title.option, ...(title.aliases ?? [])].forEach((name, i) => {
    const o = new Option(`${flagOf(name)} <text>`, lab(title.label, lang));
    optionTextRule.set(o, "line");
    if (i > 0) o.hideHelp();
    cmd.addOption(o);
  });
}

/** Commander's key of an option name (`hotline-ticket` -> `hotlineTicket`). */
const keyOf = (name: string) => new Option(flagOf(name)).attributeName();

/**
 * What was typed for a field: its main option or one of its aliases (both at once is bad usage).
 * Texts for map and items fields (repeatable), `true`/`false` for booleans, else one text.
 */
export function given(def: Pick<FieldDef, "option" | "aliases">, opts: Record<string, unknown>): unknown {
  const names = [def.option, ...(def.aliases ?? [])].filter((n) => opts[keyOf(n)] !== undefined);
  if (names.length > 1) throw usageError("cli.conflicting-option", { option: names.map(flagOf).join(", ") });
  return names[0] === undefined ? undefined : opts[keyOf(names[0])];
}

/** A field's value from what was typed; exit 2 naming the option when it does not fit. */
export function coerceGiven(def: FieldDef, v: unknown): unknown {
  if (typeof v === "boolean") return v;
  const texts = Array.isArray(v) ? v.map(String) : [String(v)];
  const { value, problem } = coerceFieldValues(def, texts);
  if (problem)
    throw new OfficeError("usage", problem.code, { ...problem.params, option: flagOf(def.option) });
  return value;
}

/**
 * The values of `defs` given as options, coerced to their types; `defaults` adds the workflow's
 * defaults for the others. Exit 2 on the first value that does not fit, naming the option.
 */
export function collectFields(
  defs: readonly FieldDef[],
  opts: Record<string, unknown>,
  defaults = true,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const def of defs) {
    const v = given(def, opts);
    if (v === undefined || (Array.isArray(v) && v.length === 0)) {
      if (defaults && def.default !== undefined) fields[def.id] = def.default;
      continue;
    }
    fields[def.id] = coerceGiven(def, v);
  }
  return fields;
}

/** A classified record keeps registration data only: the options it may not have (exit 2). */
export function refuseClassifiedOptions(wf: WorkflowDef, fields: Record<string, unknown>): void {
  const cls = classificationOf(fields, wf);
  if (cls === undefined) return;
  for (const def of wf.fields)
    if (def.not_if_classified && fields[def.id] !== undefined)
      throw usageError("field.classified-forbids", { option: flagOf(def.option), classification: cls });
}

/** The field as a value a prompt asks for (choices of enums and of units and people, with names). */
export function wantedField(ctx: Ctx, def: FieldDef): Wanted {
  const w: Wanted = { flag: flagOf(def.option), label: lab(def.label, ctx.lang), def };
  // Shown by their labels and names; the option that gives the same answer is the choice's
  // description (under the list), so the clerk learns it for next time.
  const typed = (v: string) => `${w.flag} ${v}`;
  if (def.type === "enum" && def.values)
    w.choices = def.values.map((v) => ({
      value: v,
      name: def.value_labels?.[v]?.[ctx.lang] ?? v,
      description: typed(v),
    }));
  else if (def.ref === "unit" || def.ref === "person") {
    const office = ctx.office();
    const list = def.ref === "unit" ? office.units : office.people;
    w.choices = list.map((x) => ({ value: x.id, name: x.name, description: typed(x.id) }));
  }
  return w;
}

/**
 * The title and the required fields of `defs` that were not given: asked for at a terminal, else
 * one usage error naming every missing option. Returns the title and the fields, completed.
 */
export async function completeRequired(
  ctx: Ctx,
  defs: readonly FieldDef[],
  fields: Record<string, unknown>,
  title?: { def: TitleDef; value: unknown },
): Promise<{ title?: string; fields: Record<string, unknown> }> {
  const wanted: Wanted[] = [];
  const titleFlag = title ? flagOf(title.def.option) : "";
  const titleText = typeof title?.value === "string" ? (oneLine(titleFlag, title.value) ?? "") : "";
  if (title && titleText === "")
    wanted.push({
      flag: titleFlag,
      label: lab(title.def.label, ctx.lang),
      check: (text) => textProblem(text),
    });
  for (const def of defs)
    if (def.required && (fields[def.id] === undefined || fields[def.id] === ""))
      wanted.push(wantedField(ctx, def));
  const answers = await requireValues(ctx, wanted);
  const out = { ...fields };
  let t = titleText;
  for (const w of wanted) {
    const a = answers.get(w.flag);
    if (a === undefined) continue;
    if (w.def) out[w.def.id] = coerceGiven(w.def, a);
    else t = a.trim();
  }
  return title ? { title: t, fields: out } : { fields: out };
}

/**
 * The text of an option as typed, trimmed, checked as one line (`multiline` false: a name, a title)
 * or as free text (an opinion, a note, a reason): exit 2 naming the option when it holds a line break
 * or control character it may not, or is too long (record.ts textProblem). Undefined stays undefined.
 */
export function checkedText(option: string, v: string | undefined, multiline: boolean): string | undefined {
  if (v === undefined) return undefined;
  const text = v.trim();
  const p = textProblem(text, multiline);
  if (p) throw usageError(p.code, { ...p.params, option });
  return text;
}

/** A free-text option (`--opinion`, `--note`, `--reason`): see checkedText. */
export const freeText = (option: string, v: string | undefined) => checkedText(option, v, true);

/** A one-line option (`--name`): see checkedText. */
export const oneLine = (option: string, v: string | undefined) => checkedText(option, v, false);

/**
 * Options whose text may run over several lines when nothing says otherwise: an opinion, a note, a
 * reason, a clean-up report (README "What may be typed"), and `correct --set FIELD=VALUE`, whose
 * value its field then checks as one line or several. Every other option is one line.
 */
const MULTILINE_OPTIONS = new Set(["opinion", "note", "reason", "text", "cleanup", "set"]);

/**
 * How an option's text is checked, where its name alone does not say it: a field's option follows
 * its field (`multiline: true`), a kind command's option its `multiline` (kind-commands.ts).
 */
export const optionTextRule = new WeakMap<Option, "line" | "text">();

/**
 * Check the text of every option given to `cmd` before its command runs (program.ts runs this for
 * every command, built-in, derived from a workflow or a kind command's, so that no option can skip
 * it): one-line options (optionTextRule, else not in MULTILINE_OPTIONS) refuse line breaks, control
 * and bidi formatting characters and more than 500 characters; multi-line ones refuse control and
 * bidi characters besides line feeds and tabs, and more than 5,000 (record.ts textProblem). Each
 * value of a repeatable option is checked; values are trimmed as the commands trim them.
 * Errors: exit 2 (field.line-break, field.control-char, field.too-long) naming the option.
 */
export function checkOptionTexts(cmd: Command): void {
  for (const o of cmd.options) {
    const v = cmd.getOptionValue(o.attributeName()) as unknown;
    const texts =
      typeof v === "string" ? [v] : Array.isArray(v) ? v.filter((x) => typeof x === "string") : [];
    if (!texts.length) continue;
    const name = o.long?.slice(2) ?? o.attributeName();
    const rule = optionTextRule.get(o) ?? (MULTILINE_OPTIONS.has(name) ? "text" : "line");
    for (const text of texts) checkedText(flagOf(name), text, rule === "text");
  }
}

/** A comma-separated option (ASCII or Chinese commas) as a list of ids. */
export function listOption(v: string | undefined): string[] {
  return (v ?? "")
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter(Boolean);
}
