import { requireValues } from "../context.js";
import { collectFields } from "../fields.js";
import { printResult } from "../present.js";
import type { Registrar } from "../program.js";
import { createAction } from "../service.js";
import { addStepOptions, type StepOptions, signOrRoute } from "./actions.js";

const CATEGORIES = ["party-committee", "office", "party-government-office"] as const;

/** The steps of the outgoing procedure after `draft`, each a command of its own name. */
export const OUTGOING_STEPS = [
  "unit-sign",
  "review",
  "leader-sign",
  "secretary-review",
  "issue",
  "number",
  "recheck",
  "distribute",
] as const;

/** Outgoing documents (发文): `draft` registers; each step has a command of its own name. */
export function registerOutgoing(r: Registrar): void {
  const { program, d, run } = r;

  program
    .command("draft")
    .description(d("help.draft"))
    .option("--title <title>", d("help.opt-title"))
    .option("--category <category>", d("help.opt-category"))
    .option("--unit <unit>", d("help.opt-drafting-unit"))
    .option("--type <type>", d("help.opt-type"))
    .option("--urgency <urgency>", d("help.opt-urgency"))
    .option("--classification <level>", d("help.opt-classification"))
    .option("--secrecy-term <term>", d("help.opt-secrecy-term"))
    .option("--recipients <list>", d("help.opt-recipients"))
    .option("--cc <list>", d("help.opt-cc"))
    .option("--copies <n>", d("help.opt-copies"))
    .option("--pages <n>", d("help.opt-pages"))
    .option("--at <datetime>", d("help.opt-at"))
    .action(
      run(async (ctx, opts: Record<string, string | undefined>) => {
        const wf = ctx.reg.workflow("outgoing");
        const at = opts.at ? ctx.instant("--at", opts.at) : ctx.now();
        const req = await requireValues(
          ctx,
          [
            { key: "title", flag: "--title", label: ctx.t("prompt.title") },
            { key: "category", flag: "--category", label: ctx.t("prompt.category"), choices: CATEGORIES },
            {
              key: "unit",
              flag: "--unit",
              label: ctx.t("prompt.unit"),
              choices: ctx.office().units.map((u) => u.id),
            },
          ],
          opts,
        );
        // Set by the procedure itself, never typed at drafting.
        const fields = collectFields(wf, {
          ...opts,
          ...req,
          docNumber: undefined,
          dateWritten: undefined,
          printedOn: undefined,
        });
        const res = await createAction(ctx, wf, (req.title ?? "").trim(), fields, at);
        return printResult(ctx, res, wf);
      }),
    );

  for (const step of OUTGOING_STEPS) {
    addStepOptions(
      program
        .command(step)
        .description(d(`help.step-${step}`))
        .argument("<id>", d("help.arg-id")),
      d,
    ).action(run(async (ctx, id: string, opts: StepOptions) => signOrRoute(ctx, id, step, opts, step)));
  }
}
