import { existsSync, readdirSync, readFileSync } from "node:fs";
import { KIND_OFFICE_KEYS } from "../../core/office.js";
import { OfficeError } from "../../core/problems.js";
import { validateWorkflow } from "../../core/workflow.js";
import { templatePath } from "../../store/paths.js";
import { OFFICE_FILE } from "../../store/registry.js";
import { transact } from "../../store/transact.js";
import { addOfficeKeys, upgradeWorkflowText } from "../../store/upgrade.js";
import { parseYamlText, placeProblems } from "../../store/yaml-io.js";
import type { Ctx } from "../context.js";
import type { Registrar } from "../registrar.js";
import { setupCommit } from "../service.js";

/** The JSON Schema of workflow files, beside them in every registry (editors complete keys with it). */
export const SCHEMA_FILE = "workflow.schema.json";

/** The kinds office-doc ships (templates/workflows/<kind>.yaml), sorted. */
export function shippedKinds(): string[] {
  return readdirSync(templatePath("workflows"))
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/**
 * What `upgrade` would change: each file of the registry in an older format, rewritten (comments
 * kept); every shipped workflow the registry lacks (a kind added since it was made, with its
 * printable forms); the keys of office.yaml those kinds need (KIND_OFFICE_KEYS), with the template's
 * defaults and comments; the workflow schema beside the workflows when it is missing or older.
 * Every workflow written is validated against the office's roles before anything is written.
 */
export function upgradePlan(ctx: Ctx): { rel: string; text: string }[] {
  const plan: { rel: string; text: string }[] = [];
  const roles = ctx.office().roles.map((r) => r.id);
  const validated = (rel: string, kind: string, text: string) => {
    const y = parseYamlText(text, rel);
    const problems = validateWorkflow(y.value, kind, roles, ctx.reg.hookNames).problems.filter(
      (p) => !p.warning,
    );
    if (problems.length)
      throw new OfficeError("failed", "upgrade.invalid", { file: rel }, placeProblems(y, problems), rel);
    plan.push({ rel, text });
  };
  const had = ctx.reg.workflowKinds();
  for (const kind of had) {
    const rel = `workflows/${kind}.yaml`;
    const text = upgradeWorkflowText(ctx.reg.readText(rel) ?? "");
    if (text !== undefined) validated(rel, kind, text);
  }
  const added = shippedKinds().filter((k) => !had.includes(k));
  for (const kind of added) {
    validated(
      `workflows/${kind}.yaml`,
      kind,
      readFileSync(templatePath("workflows", `${kind}.yaml`), "utf8"),
    );
    for (const ext of ["md", "html"]) {
      const rel = `forms/${kind}.${ext}`;
      if (existsSync(templatePath("forms", `${kind}.${ext}`)) && ctx.reg.readText(rel) === undefined)
        plan.push({ rel, text: readFileSync(templatePath("forms", `${kind}.${ext}`), "utf8") });
    }
  }
  const keys = [...had, ...added].flatMap((k) => KIND_OFFICE_KEYS[k] ?? []);
  const office = addOfficeKeys(
    ctx.reg.readText(OFFICE_FILE) ?? "",
    readFileSync(templatePath("office.yaml"), "utf8"),
    keys,
  );
  if (office !== undefined) plan.push({ rel: OFFICE_FILE, text: office });
  const schemaRel = `workflows/${SCHEMA_FILE}`;
  const schema = readFileSync(templatePath("workflows", SCHEMA_FILE), "utf8");
  if (ctx.reg.readText(schemaRel) !== schema) plan.push({ rel: schemaRel, text: schema });
  return plan;
}

/** `office-doc upgrade`: bring the registry's files to this office-doc's formats, in one commit. */
export async function runUpgrade(ctx: Ctx, opts: { dryRun?: boolean }): Promise<number> {
  ctx.reg.ensureExists();
  const plan = upgradePlan(ctx);
  if (!plan.length) {
    ctx.say(ctx.t("upgrade.nothing"));
    return 0;
  }
  if (!opts.dryRun) {
    const who = await ctx.setupActor("upgrade");
    await transact(ctx.reg, "upgrade", async (tx) => {
      for (const { rel, text } of plan) tx.put(rel, text);
      await tx.commit(setupCommit(ctx, who, "upgrade", `upgrade: ${plan.map((p) => p.rel).join(", ")}`));
    });
    ctx.reg.forget();
  }
  for (const p of plan) ctx.out(p.rel);
  ctx.say(ctx.t(opts.dryRun ? "upgrade.would" : "upgrade.done", { n: plan.length }));
  return 0;
}

export function registerUpgrade(r: Registrar): void {
  r.program
    .command("upgrade")
    .description(r.d("help.upgrade"))
    .option("--dry-run", r.d("help.opt-dry-run"))
    .action(r.run(async (ctx, opts: { dryRun?: boolean }) => runUpgrade(ctx, opts)));
}
