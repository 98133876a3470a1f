import { OfficeError, usageError } from "../core/problems.js";
import { coerceField, LIST_SEPARATOR } from "../core/record.js";
import type { WorkflowDef } from "../core/workflow.js";

const camel = (id: string) => id.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
export const flagOf = (id: string) => `--${id.replace(/_/g, "-")}`;

/**
 * The record fields given as command options (`--doc-number` -> `doc_number`), coerced to their
 * types, with the workflow's defaults. Exit 2 on the first value that does not fit, naming the option.
 */
export function collectFields(wf: WorkflowDef, opts: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const def of wf.fields) {
    const given = opts[camel(def.id)];
    if (given === undefined || given === false) {
      if (def.default !== undefined) fields[def.id] = def.default;
      continue;
    }
    if (given === true && def.type === "boolean") {
      fields[def.id] = true;
      continue;
    }
    const { value, problem } = coerceField(def, String(given));
    if (problem) throw new OfficeError("usage", problem.code, { ...problem.params, option: flagOf(def.id) });
    fields[def.id] = value;
  }
  const cls = fields.classification;
  if (typeof cls === "string" && cls !== "none") {
    for (const def of wf.fields) {
      if (def.not_if_classified && fields[def.id] !== undefined)
        throw usageError("field.classified-forbids", { option: flagOf(def.id), classification: cls });
    }
  }
  return fields;
}

/** A comma-separated option (ASCII or Chinese commas) as a list of ids. */
export function listOption(v: string | undefined): string[] {
  return (v ?? "")
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter(Boolean);
}
