import { officeDate } from "../../core/dates.js";
import { usageError } from "../../core/problems.js";
import { RecordIndex } from "../../store/index-cache.js";
import { requireValues } from "../context.js";
import { collectFields } from "../fields.js";
import { printResult } from "../present.js";
import type { Registrar } from "../program.js";
import { createAction } from "../service.js";
import { addStepOptions, type StepOptions, signOrRoute } from "./actions.js";
import { renderForm } from "./print.js";

const VIA = ["phone", "visit", "letter"] as const;
const SATISFACTION = ["satisfied", "basically-satisfied", "dissatisfied"] as const;

/** Citizen calls, visits and letters (来电来访): `call` registers, `handle` and `reply` follow. */
export function registerCalls(r: Registrar): void {
  const { program, d, run } = r;

  program
    .command("call")
    .description(d("help.call"))
    .option("--caller <name>", d("help.opt-caller"))
    .option("--phone <phone>", d("help.opt-phone"))
    .option("--address <address>", d("help.opt-address"))
    .option("--matter <text>", d("help.opt-matter"))
    .option("--channel <channel>", d("help.opt-call-channel"))
    .option("--type <type>", d("help.opt-call-type"))
    .option("--category <category>", d("help.opt-call-category"))
    .option("--important", d("help.opt-important"))
    .option("--at <datetime>", d("help.opt-at"))
    .action(
      run(async (ctx, opts: Record<string, string | boolean | undefined>) => {
        const wf = ctx.reg.workflow("call");
        const at = typeof opts.at === "string" ? ctx.instant("--at", opts.at) : ctx.now();
        const req = await requireValues(
          ctx,
          [
            { key: "caller", flag: "--caller", label: ctx.t("prompt.caller") },
            { key: "phone", flag: "--phone", label: ctx.t("prompt.phone") },
            { key: "matter", flag: "--matter", label: ctx.t("prompt.matter") },
          ],
          opts,
        );
        const fields = collectFields(wf, {
          ...opts,
          ...req,
          unit: undefined,
          answer: undefined,
          replyVia: undefined,
          satisfaction: undefined,
        });
        const res = await createAction(ctx, wf, (req.matter ?? "").trim(), fields, at);
        // A caller who called before: show the earlier calls, possible duplicates to merge.
        const index = await RecordIndex.load(ctx.reg);
        const earlier = index
          .all()
          .filter((s) => s.kind === "call" && s.id !== res.record.id && s.extra?.phone === fields.phone)
          .sort((a, b) => (a.created < b.created ? 1 : -1));
        if (earlier.length) {
          ctx.say(ctx.t("call.earlier", { n: earlier.length }));
          for (const s of earlier.slice(0, 10))
            ctx.say(
              `  ${s.id}  ${officeDate(Date.parse(s.created), ctx.tz())}  ${s.status === "open" ? ctx.t("status.open") : ctx.t("status.closed")}  ${s.title}`,
            );
        }
        printResult(ctx, res, wf);
        // An important matter goes to the party secretary with its transfer form (交办单).
        if (res.record.fields.important === true && !ctx.json)
          ctx.out(`\n${renderForm(ctx, res.record, wf, false)}`);
        return 0;
      }),
    );

  addStepOptions(
    program.command("handle").description(d("help.step-handle")).argument("<id>", d("help.arg-id")),
    d,
  ).action(run(async (ctx, id: string, opts: StepOptions) => signOrRoute(ctx, id, "handle", opts, "handle")));

  addStepOptions(
    program.command("reply").description(d("help.step-reply")).argument("<id>", d("help.arg-id")),
    d,
  )
    .option("--answer <text>", d("help.opt-answer"))
    .option("--via <how>", d("help.opt-via"))
    .option("--satisfaction <level>", d("help.opt-satisfaction"))
    .action(
      run(
        async (
          ctx,
          id: string,
          opts: StepOptions & { answer?: string; via?: string; satisfaction?: string },
        ) => {
          const missing = [opts.answer?.trim() ? "" : "--answer", opts.via ? "" : "--via"].filter(Boolean);
          if (missing.length) throw usageError("cli.missing-options", { options: missing.join(", ") });
          if (!VIA.includes(opts.via as (typeof VIA)[number]))
            throw usageError("cli.bad-enum", {
              option: "--via",
              value: String(opts.via),
              values: VIA.join(", "),
            });
          if (
            opts.satisfaction !== undefined &&
            !SATISFACTION.includes(opts.satisfaction as (typeof SATISFACTION)[number])
          )
            throw usageError("cli.bad-enum", {
              option: "--satisfaction",
              value: opts.satisfaction,
              values: SATISFACTION.join(", "),
            });
          const set: Record<string, unknown> = { answer: opts.answer?.trim(), reply_via: opts.via };
          // A reply without a rating clears an earlier round's: only this round's caller may reopen.
          set.satisfaction = opts.satisfaction;
          return signOrRoute(ctx, id, "reply", opts, "reply", set);
        },
      ),
    );
}
