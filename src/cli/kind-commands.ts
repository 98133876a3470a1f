import { egovSend } from "../core/egov.js";
import { usageError } from "../core/problems.js";
import type { WorkflowDef } from "../core/workflow.js";
import type { MessageKey } from "../ui/i18n/keys.js";
import type { Ctx } from "./context.js";
import { listOption } from "./fields.js";
import { INDICATOR_COMMANDS } from "./kinds/indicator.js";
import { MEETING_COMMANDS } from "./kinds/meeting.js";
import { printResult } from "./present.js";
import { recordAction } from "./service.js";

/**
 * Kind commands: commands a kind needs beyond create, step and the generic ones, named in its
 * workflow (`commands: { meeting reply: meeting-reply }`) and implemented here, one typed map. A
 * command path is one word or a group and a word; a group may be a kind's (`meeting`), or one of
 * office-doc's own (`egov send`), which gets the command beside its own. Issues 14 and 16 add
 * `indicator open/summary/trend` and `meeting reply/check/attend/calendar/ics` the same way.
 * `report supervision` is office-doc's own (src/cli/commands/supervision.ts): it reads every kind,
 * and a kind joins it by marking steps `supervised` in its workflow.
 * A kind command at the workflow's own create command path (`meeting request`) runs that command,
 * with the fields' options and its own; one whose last word is a step id of its workflow
 * (`meeting wrap-up`) is that step's command (no derived one is made).
 */

/** What a kind command is given when it runs. */
export interface KindCall {
  /** The workflows that name this command (usually one). */
  wfs: readonly WorkflowDef[];
  /** Its positional arguments, in the order of `arguments`. */
  args: (string | undefined)[];
  /** Its options, by commander's key (`--late-approved-by` -> `lateApprovedBy`). */
  opts: Record<string, unknown>;
}

export interface KindCommand {
  /** Its --help line (a catalogue key: the program's own words in en and zh-CN). */
  description: MessageKey;
  arguments?: { name: string; description: MessageKey; optional?: boolean }[];
  /**
   * Commander flags (`--item <NAME=STATE>`); `repeatable` collects every occurrence in a list.
   * Every value is checked as text before the command runs (fields.ts checkOptionTexts): one line,
   * unless `multiline` (or, without it, the option is `--opinion`, `--note`, `--reason`, `--text`
   * or `--cleanup`).
   */
  options?: { flags: string; description: MessageKey; repeatable?: boolean; multiline?: boolean }[];
  /** Runs the command; returns the exit code. Errors are OfficeErrors, mapped like every command's. */
  run(ctx: Ctx, call: KindCall): Promise<number>;
}

/** Type a map of kind commands without widening its names. */
export const defineKindCommands = <const M extends Record<string, KindCommand>>(m: M): M => m;
export type KindCommands = Record<string, KindCommand>;

export const KIND_COMMANDS: KindCommands = defineKindCommands({
  ...INDICATOR_COMMANDS,
  ...MEETING_COMMANDS,
  /** `egov send OUT-ID --to R1,R2`: an issued, numbered, unclassified record to recipients in its scope. */
  "egov-send": {
    description: "help.egov-send",
    arguments: [{ name: "id", description: "help.arg-id" }],
    options: [{ flags: "--to <recipients>", description: "help.opt-send-to" }],
    async run(ctx, { args, opts }) {
      const to = listOption(opts.to as string | undefined);
      if (!to.length) throw usageError("cli.missing-options", { options: "--to" });
      const res = await recordAction(ctx, args[0] as string, "egov-send", (rec, ac) => egovSend(rec, ac, to));
      ctx.say(ctx.t("egov.sent", { id: res.record.id, to: to.join("、") }));
      return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
    },
  },
});
