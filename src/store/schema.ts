import { readFileSync } from "node:fs";
import { validateWorkflow } from "../core/workflow.js";
import { ajv } from "./lazy.js";
import { templatePath } from "./paths.js";
import type { Registry } from "./registry.js";
import { type FileProblem, parseYamlText } from "./yaml-io.js";

type Validate = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params: Record<string, unknown> }[] | null;
};
let validate: Validate | undefined;

/** The workflow schema (templates/workflows/workflow.schema.json) compiled by ajv, once. */
function workflowSchema(): Validate {
  if (!validate) {
    const lib = ajv() as unknown as { default: new (o: object) => { compile(s: unknown): Validate } };
    const schema = JSON.parse(readFileSync(templatePath("workflows", "workflow.schema.json"), "utf8"));
    validate = new lib.default({ allErrors: true, strict: false }).compile(schema);
  }
  return validate;
}

/**
 * What `check` adds for the workflow files beyond their validation by the engine: each file of
 * format 2 against the JSON Schema (catching keys the engine ignores, like a misspelt `requried:`),
 * and a warning for each file still in format 1 (`office-doc upgrade` rewrites them). A file the
 * engine already finds invalid is left to that report.
 */
export function workflowSchemaProblems(reg: Registry): FileProblem[] {
  const out: FileProblem[] = [];
  let roles: string[];
  try {
    roles = reg.office().roles.map((r) => r.id);
  } catch {
    return out;
  }
  for (const kind of reg.workflowKinds()) {
    const rel = `workflows/${kind}.yaml`;
    let y: ReturnType<typeof parseYamlText>;
    try {
      y = parseYamlText(reg.readText(rel) ?? "", rel);
    } catch {
      continue;
    }
    if (validateWorkflow(y.value, kind, roles, reg.hookNames).problems.some((p) => !p.warning)) continue;
    const raw = y.value as { format?: unknown };
    if (raw.format === undefined || raw.format === 1) {
      out.push({ file: rel, line: 1, path: [], code: "workflow.format-1", params: {}, warning: true });
      continue;
    }
    const v = workflowSchema();
    if (v(y.value)) continue;
    for (const e of v.errors ?? []) {
      const path = e.instancePath
        .split("/")
        .slice(1)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, "/").replace(/~0/g, "~")));
      const extra = e.params.additionalProperty ?? e.params.allowedValues ?? e.params.missingProperty;
      out.push({
        file: rel,
        line: y.lineOf(path),
        path,
        code: "workflow.schema",
        params: {
          where: e.instancePath || "/",
          message: `${e.message ?? ""}${extra === undefined ? "" : `: ${JSON.stringify(extra)}`}`,
        },
      });
    }
  }
  return out;
}
