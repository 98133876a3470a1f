import { basename } from "node:path";
import type { Command, Option } from "commander";
import { usageError } from "../../core/problems.js";
import { escapeControls } from "../../core/text.js";
import { RecordIndex } from "../../store/index-cache.js";
import { tabtab } from "../../store/lazy.js";
import { FORMATS } from "../../ui/render.js";
import type { Ctx } from "../context.js";
import { officeChoices, optionValues } from "../fields.js";
import type { Registrar } from "../registrar.js";

/**
 * Shell completion (bash and zsh) through @pnpm/tabtab, the completion library pnpm uses: `office-doc
 * completion bash|zsh` prints its script for the shell, and at each TAB the script runs the hidden
 * `office-doc completion-server -- WORDS…` with the line in COMP_CWORD/COMP_LINE/COMP_POINT (tabtab's
 * protocol). The server answers from the program itself, built with the registry's workflows, so a
 * kind, a step, a field or an enum value an office adds is completed at once: commands and groups,
 * options, option values (enum values by the workflow, units and people of office.yaml, kinds, steps,
 * formats), and the ids of open records (for a step command, those at that step) from the index.
 */

/** A candidate and the words shown beside it (zsh shows them; bash does not). */
interface Candidate {
  name: string;
  description?: string;
}

/** Values of office-doc's own options that take one, by long name (fields' options carry theirs). */
function builtinValues(ctx: Ctx, long: string): (string | Candidate)[] | "files" | undefined {
  switch (long) {
    case "--kind":
      return ctx.reg.workflows().map((w) => ({ name: w.kind, description: w.label[ctx.lang] }));
    case "--step":
      return [...new Set(ctx.reg.workflows().flatMap((w) => w.steps.map((s) => s.id)))];
    case "--unit":
      return officeChoices(ctx, "unit");
    case "--holder":
    case "--to":
      return officeChoices(ctx, "unit-or-person");
    case "--as":
    case "--approved-by":
      return officeChoices(ctx, "person");
    case "--lang":
      return ["en", "zh-CN"];
    case "--format":
      return [...FORMATS];
    case "--status":
      return ["open", "closed", "all"];
    case "--retention":
      return ["permanent", "30y", "10y"];
    case "--decision":
      return ["approve", "return"];
    case "--registry":
    case "--out":
      return "files";
    default:
      return undefined;
  }
}

/** The options `cmd` accepts: its own and those of the commands above it (global options). */
function optionsOf(cmd: Command): Option[] {
  const out: Option[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) out.push(...c.options.filter((o) => !o.hidden));
  return out;
}

const takesValue = (o: Option) => o.required || o.optional;

/**
 * What may come at word `cword` of `words` (words[0] is office-doc) for `program`: the candidates,
 * or "files" when a file name is wanted.
 */
export async function candidates(
  ctx: Ctx,
  program: Command,
  words: readonly string[],
  cword: number,
): Promise<Candidate[] | "files"> {
  let cmd = program;
  let positional = 0;
  for (let i = 1; i < cword; i++) {
    const w = words[i] as string;
    if (w.startsWith("-")) {
      const o = optionsOf(cmd).find((x) => x.long === w.split("=")[0] || x.short === w);
      if (o && takesValue(o) && !w.includes("=")) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub && positional === 0) cmd = sub;
    else positional++;
  }
  const prev = words[cword - 1] ?? "";
  const current = words[cword] ?? "";
  const valueFor = prev.startsWith("-")
    ? optionsOf(cmd).find((o) => o.long === prev || o.short === prev)
    : undefined;
  if (valueFor && takesValue(valueFor)) {
    const fromField = optionValues.get(valueFor)?.(ctx);
    const values = fromField ?? builtinValues(ctx, valueFor.long ?? "");
    if (values === "files") return "files";
    return (values ?? []).map((v) => (typeof v === "string" ? { name: v } : v));
  }
  if (current.startsWith("-"))
    return optionsOf(cmd)
      .filter((o) => o.long)
      .map((o) => ({ name: o.long as string, description: o.description }));
  if (cmd.name() === "help" || (cmd === program && positional === 0))
    return program.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => ({ name: c.name(), description: c.description() }));
  const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  if (subs.length && positional === 0)
    return subs.map((c) => ({ name: c.name(), description: c.description() }));
  const arg = cmd.registeredArguments[positional];
  if (cmd.name() === "completion") return [{ name: "bash" }, { name: "zsh" }];
  if (arg?.name() === "id" && ctx.reg.exists()) {
    // A step command completes the records at its step; other commands every open record.
    const stepIds = new Set(ctx.reg.workflows().flatMap((w) => w.steps.map((s) => s.id)));
    const step = stepIds.has(cmd.name()) ? cmd.name() : undefined;
    const index = await RecordIndex.load(ctx.reg);
    return index
      .openListed()
      .filter((s) => !step || s.step === step)
      .map((s) => ({ name: s.id, description: s.title }));
  }
  return [];
}

export function registerCompletion(r: Registrar): void {
  const { program, d, run } = r;
  program
    .command("completion")
    .description(d("help.completion"))
    .argument("<shell>", d("help.arg-shell"))
    .action(
      run(async (ctx, shell: string) => {
        if (shell !== "bash" && shell !== "zsh")
          throw usageError("cli.bad-enum", {
            option: "SHELL",
            value: shell,
            values: "bash, zsh",
          });
        ctx.out(await tabtab().getCompletionScript({ name: "office-doc", completer: "office-doc", shell }));
        return 0;
      }),
    );
  program
    .command("completion-server", { hidden: true })
    .argument("[words...]")
    .allowUnknownOption()
    .action(
      run(async (ctx, words: string[] = []) => {
        // A TAB must never print an error into the clerk's command line: no answer instead.
        try {
          const env = tabtab().parseEnv(ctx.env);
          const shell = basename(ctx.env.SHELL ?? "bash") === "zsh" ? "zsh" : "bash";
          // The line's own --lang gives the labels (zsh shows them).
          const lang = words[words.indexOf("--lang") + 1];
          const c =
            words.includes("--lang") && (lang === "en" || lang === "zh-CN") ? ctx.withLang(lang) : ctx;
          const found = await candidates(c, r.fullProgram(c), words, env.words);
          if (found === "files") {
            ctx.out("__tabtab_complete_files__");
            return 0;
          }
          const shown = found.map((c) => ({
            name: escapeControls(c.name),
            ...(c.description ? { description: escapeControls(c.description) } : {}),
          }));
          tabtab().log(shown, shell, (line: string) => ctx.out(line));
        } catch {
          // Nothing to offer.
        }
        return 0;
      }),
    );
}
