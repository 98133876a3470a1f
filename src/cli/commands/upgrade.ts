import { readFileSync } from "node:fs";
import { OfficeError } from "../../core/problems.js";
import { validateWorkflow } from "../../core/workflow.js";
import { templatePath } from "../../store/paths.js";
import { transact } from "../../store/transact.js";
import { upgradeWorkflowText } from "../../store/upgrade.js";
import { parseYamlText, placeProblems } from "../../store/yaml-io.js";
import type { Ctx } from "../context.js";
import type { Registrar } from "../registrar.js";

/** The JSON Schema of workflow files, beside them in every registry (editors complete keys with it). */
export const SCHEMA_FILE = "workflow.schema.json";

/**
 * What `upgrade` would change: each file of the registry in an older format, rewritten (comments
 * kept), and the workflow schema beside the workflows when it is missing or older. Every rewritten
 * workflow is validated before anything is written.
 */
export function upgradePlan(ctx: Ctx): { rel: string; text: string }[] {
  const plan: { rel: string; text: string }[] = [];
  const roles = ctx.office().roles.map((r) => r.id);
  for (const kind of ctx.reg.workflowKinds()) {
    const rel = `workflows/${kind}.yaml`;
    const text = upgradeWorkflowText(ctx.reg.readText(rel) ?? "");
    if (text === undefined) continue;
    const y = parseYamlText(text, rel);
    const problems = validateWorkflow(y.value, kind, roles, ctx.reg.hookNames).problems.filter(
      (p) => !p.warning,
    );
    if (problems.length)
      throw new OfficeError("failed", "upgrade.invalid", { file: rel }, placeProblems(y, problems), rel);
    plan.push({ rel, text });
  }
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
    const identity = await ctx.setupIdentity();
    await transact(ctx.reg, "upgrade", async (tx) => {
      for (const { rel, text } of plan) tx.put(rel, text);
      const when = ctx.stamp();
      await tx.commit({
        action: "upgrade",
        subject: `upgrade: ${plan.map((p) => p.rel).join(", ")}`,
        author: identity,
        committer: identity,
        authorDate: when,
        committerDate: when,
      });
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
