import { requireValues } from "../context.js";
import { collectFields } from "../fields.js";
import { printResult } from "../present.js";
import type { Registrar } from "../program.js";
import { createAction } from "../service.js";
import { addStepOptions, type StepOptions, signOrRoute } from "./actions.js";

/** The steps of the incoming procedure, each a command of its own name. */
export const INCOMING_STEPS = ["propose", "instruct", "undertake", "feedback", "circulate"] as const;

/** Incoming documents (收文): `receive` registers; each step has a command of its own name. */
export function registerIncoming(r: Registrar): void {
  const { program, d, run } = r;

  program
    .command("receive")
    .description(d("help.receive"))
    .option("--title <title>", d("help.opt-title"))
    .option("--from <issuer>", d("help.opt-from"))
    .option("--doc-number <number>", d("help.opt-doc-number"))
    .option("--type <type>", d("help.opt-type"))
    .option("--pages <n>", d("help.opt-pages"))
    .option("--copies <n>", d("help.opt-copies"))
    .option("--urgency <urgency>", d("help.opt-urgency"))
    .option("--classification <level>", d("help.opt-classification"))
    .option("--secrecy-term <term>", d("help.opt-secrecy-term"))
    .option("--channel <channel>", d("help.opt-channel"))
    .option("--summary <text>", d("help.opt-summary"))
    .option("--attachments <names>", d("help.opt-attachments"))
    .option("--at <datetime>", d("help.opt-at"))
    .action(
      run(async (ctx, opts: Record<string, string | undefined>) => {
        const wf = ctx.reg.workflow("incoming");
        const at = opts.at ? ctx.instant("--at", opts.at) : ctx.now();
        const fields = collectFields(wf, opts);
        const req = await requireValues(
          ctx,
          [
            { key: "title", flag: "--title", label: ctx.t("prompt.title") },
            { key: "from", flag: "--from", label: ctx.t("prompt.from") },
          ],
          opts,
        );
        fields.from = req.from?.trim();
        const res = await createAction(ctx, wf, (req.title ?? "").trim(), fields, at);
        return printResult(ctx, res, wf);
      }),
    );

  for (const step of INCOMING_STEPS) {
    addStepOptions(
      program
        .command(step)
        .description(d(`help.step-${step}`))
        .argument("<id>", d("help.arg-id")),
      d,
    ).action(run(async (ctx, id: string, opts: StepOptions) => signOrRoute(ctx, id, step, opts, step)));
  }
}
