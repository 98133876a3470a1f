import { type Argument, Command, Help, Option } from "commander";
import { HOOKS } from "../core/hooks.js";
import { OfficeError } from "../core/problems.js";
import type { WorkflowDef } from "../core/workflow.js";
import { backgroundSettled } from "../store/background.js";
import { promptsLoaded } from "../store/lazy.js";
import type { Registry } from "../store/registry.js";
import { detectLang, type Lang, t } from "../ui/i18n/index.js";
import type { MessageKey } from "../ui/i18n/keys.js";
import { BUILTIN_COMMANDS, BUILTINS } from "./builtins.js";
import { commandName, registryFlag } from "./command-name.js";
import { registerActions } from "./commands/actions.js";
import { registerCalendar } from "./commands/calendar.js";
import { registerCompletion } from "./commands/completion.js";
import { registerEgov } from "./commands/egov.js";
import { registerPrint } from "./commands/print.js";
import { brokenWorkflowText, registerRecords } from "./commands/records.js";
import { registerReports } from "./commands/reports.js";
import { registerSetup } from "./commands/setup.js";
import { registerSync } from "./commands/sync.js";
import { registerTrust } from "./commands/trust.js";
import { registerUpgrade } from "./commands/upgrade.js";
import { type CliEnv, Ctx, type GlobalOptions, registryOf } from "./context.js";
import { EXIT, reportError } from "./errors.js";
import { checkOptionTexts } from "./fields.js";
import { processIo } from "./io.js";
import { KIND_COMMANDS } from "./kind-commands.js";
import { kindSurface, registerKinds, surfaceNames, workflowsOf } from "./kinds.js";
import { roleLabel, stepLabel } from "./present.js";
import type { CommandModule, Registrar } from "./registrar.js";

const TITLES: Record<string, string> = {
  "Usage:": "用法：",
  "Options:": "选项：",
  "Commands:": "命令：",
  "Arguments:": "参数：",
  "Global Options:": "全局选项：",
};

/** Commander's own words in usage lines and option help, in Chinese. */
const WORDS_ZH: [RegExp, string][] = [
  [/\[options\]/g, "[选项]"],
  [/\[command\]/g, "[命令]"],
  [/ ?\(default: ([^)]*)\)/g, "（默认：$1）"],
  [/ ?\(choices: ([^)]*)\)/g, "（可选：$1）"],
  [/ ?\(env: ([^)]*)\)/g, "（环境变量：$1）"],
];

/**
 * Help in `lang`: section titles, and in Chinese commander's own words (`[options]`, `(default: …)`)
 * as well (issue 12: no English left in a Chinese usage line).
 */
function helpConfiguration(lang: Lang): Partial<Help> {
  if (lang !== "zh-CN") return { showGlobalOptions: true };
  const zh = (s: string) => WORDS_ZH.reduce((x, [re, to]) => x.replace(re, to), s);
  return {
    showGlobalOptions: true,
    styleTitle: (s: string) => TITLES[s] ?? s,
    commandUsage(this: Help, cmd: Command) {
      return zh(Help.prototype.commandUsage.call(this, cmd));
    },
    subcommandTerm(this: Help, cmd: Command) {
      return zh(Help.prototype.subcommandTerm.call(this, cmd));
    },
    optionDescription(this: Help, o: Option) {
      return zh(Help.prototype.optionDescription.call(this, o));
    },
    argumentDescription(this: Help, a: Argument) {
      return zh(Help.prototype.argumentDescription.call(this, a));
    },
  };
}

function preLang(args: string[], env: NodeJS.ProcessEnv): Lang {
  const i = args.findIndex((a) => a === "--lang" || a.startsWith("--lang="));
  const flag = i < 0 ? undefined : args[i]?.includes("=") ? args[i]?.split("=")[1] : args[i + 1];
  return detectLang(flag, env) ?? "en";
}

/**
 * The engine names steps by id and lists names with commas; people read the steps' labels, and
 * Chinese lists with the enumeration comma. When an error concerns a record, its step ids become the
 * labels of that record's workflow.
 */
function stepLabelsInParams(ctx: Ctx, e: OfficeError): void {
  // Who may (issue 18): the roles by their labels in the office's words.
  if (e.code.startsWith("trust.") && typeof e.params.roles === "string")
    try {
      const office = ctx.office();
      e.params.roles = e.params.roles
        .split(", ")
        .map((r) => roleLabel(office, r, ctx.lang))
        .join(", ");
    } catch {
      // The roles are named by their ids, as raised.
    }
  // The engine lists names with commas; Chinese lists them with the enumeration comma 、.
  if (ctx.lang === "zh-CN")
    for (const k of ["who", "roles"]) {
      const v = e.params[k];
      if (typeof v === "string") e.params[k] = v.split(", ").join("\u3001");
    }
  const id = e.params.id;
  if (typeof id !== "string") return;
  try {
    const kind = ctx.reg.kindOfPrefix(id.split("-")[0] ?? "");
    if (!kind) return;
    const wf = ctx.reg.workflow(kind);
    for (const k of ["step", "expected"]) {
      const v = e.params[k];
      if (typeof v === "string" && v) e.params[k] = stepLabel(wf, v, ctx.lang);
    }
  } catch {
    // The error is reported with ids, as raised.
  }
}

/**
 * office-doc's own commands, each module with the commands it registers (builtins.ts). Building
 * every command with its options and help texts costs ~6 ms; a run builds only the module of the
 * command it was given (all of them for help or an unknown name). test/cli/program.test.ts checks
 * that each module registers exactly these. The kinds' commands (receive, propose, call, …) come
 * from the registry's workflows (kinds.ts).
 */
export const REGISTRARS: CommandModule[] = [
  { register: registerSetup, commands: BUILTIN_COMMANDS.setup },
  { register: registerRecords, commands: BUILTIN_COMMANDS.records },
  { register: registerActions, commands: BUILTIN_COMMANDS.actions },
  { register: registerPrint, commands: BUILTIN_COMMANDS.print },
  { register: registerCalendar, commands: BUILTIN_COMMANDS.calendar },
  { register: registerReports, commands: BUILTIN_COMMANDS.reports },
  { register: registerEgov, commands: BUILTIN_COMMANDS.egov },
  { register: registerSync, commands: BUILTIN_COMMANDS.sync },
  { register: registerUpgrade, commands: BUILTIN_COMMANDS.upgrade },
  { register: registerCompletion, commands: BUILTIN_COMMANDS.completion },
  { register: registerTrust, commands: BUILTIN_COMMANDS.trust },
];

/** What a run of the program needs besides the command line. */
interface RunState {
  cli: CliEnv;
  /** The exit code of the command that ran. */
  code: number;
  /** The registry opened to find the kinds' commands, reused by the command's context. */
  reg?: Registry;
}

/**
 * The program with these modules' commands (and, given the kinds' surface, their commands: all of
 * them, or those named `only`).
 */
export function programOf(
  lang: Lang,
  modules: readonly CommandModule[],
  state: RunState = { cli: undefined as unknown as CliEnv, code: 0 },
  kinds?: { wfs: readonly WorkflowDef[]; only?: string; listOnly?: boolean },
): Command {
  const d = (key: MessageKey) => t(lang, key);
  const io = state.cli?.io ?? processIo;
  const output = {
    writeOut: (s: string) => io.write(1, s),
    writeErr: (s: string) => io.write(2, s),
    outputError: () => undefined,
  };
  const program = new Command("office-doc");
  program
    .description(d("help.program"))
    .version("0.1.0", "-V, --version", d("help.version"))
    .helpOption("-h, --help", d("help.help"))
    .helpCommand("help [command]", d("help.help"))
    .option("-r, --registry <dir>", d("help.opt-registry"))
    .option("--as <person>", d("help.opt-as"))
    .option("--lang <lang>", d("help.opt-lang"))
    .option("--json", d("help.opt-json"))
    .addOption(new Option("--format <format>", d("help.opt-format")))
    .option("--no-input", d("help.opt-no-input"))
    .option("--no-color", d("help.opt-no-color"))
    .option("--debug", d("help.opt-debug"))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(output)
    .configureHelp(helpConfiguration(lang));

  const r: Registrar = {
    program,
    lang,
    d,
    fullProgram: (ctx) =>
      programOf(
        ctx.lang,
        REGISTRARS,
        { cli: state.cli, code: 0, reg: ctx.reg },
        { wfs: workflowsOf(ctx.reg).wfs },
      ),
    run:
      (fn) =>
      async (...args: unknown[]) => {
        const cmd = args[args.length - 1] as Command;
        const opts = cmd.optsWithGlobals() as GlobalOptions;
        let ctx: Ctx | undefined;
        try {
          checkOptionTexts(cmd);
          const reg = state.reg && state.reg.dir === registryOf(opts, state.cli).dir ? state.reg : undefined;
          ctx = new Ctx(opts, state.cli, reg);
          const code = await fn(ctx, ...(args.slice(0, -1) as never));
          state.code = code ?? EXIT.ok;
        } catch (e) {
          if (ctx && e instanceof OfficeError) stepLabelsInParams(ctx, e);
          state.code = reportError(e, ctx?.lang ?? lang, opts.debug === true, io, ctx?.stderrColor);
        }
      },
  };
  for (const x of modules) x.register(r);
  if (kinds)
    registerKinds(
      r,
      kindSurface(kinds.wfs, BUILTINS),
      state.cli?.kindCommands ?? KIND_COMMANDS,
      kinds.only,
      kinds.listOnly,
    );
  const quiet = (c: Command) => {
    c.exitOverride();
    c.configureOutput(output);
    for (const sub of c.commands) quiet(sub);
  };
  for (const c of program.commands) quiet(c);
  return program;
}

/**
 * The program a run of `args` needs: the module of a built-in command (with the kind commands of
 * its group: `egov send`); a kind's command from the registry's workflows; everything for help, no
 * command or an unknown one. A name no workflow defines while a workflow file is broken reports
 * that file.
 */
function programFor(lang: Lang, args: string[], state: RunState): Command {
  const name = commandName(args);
  const openReg = () => {
    state.reg ??= registryOf({ registry: registryFlag(args) }, state.cli);
    return state.reg;
  };
  const builtin = name && name !== "help" ? REGISTRARS.filter((x) => x.commands.includes(name)) : [];
  if (builtin.length) {
    const probe = programOf(lang, builtin, state);
    const isGroup = (probe.commands.find((c) => c.name() === name)?.commands.length ?? 0) > 0;
    if (!isGroup) return probe;
    return programOf(lang, builtin, state, { wfs: workflowsOf(openReg()).wfs, only: name });
  }
  const { wfs, errors } = workflowsOf(openReg());
  if (name && name !== "help") {
    if (surfaceNames(kindSurface(wfs, BUILTINS)).has(name))
      return programOf(lang, [], state, { wfs, only: name });
    if (errors[0]) throw errors[0];
  }
  // A workflow file that cannot be read takes its kind's commands out of the help: say so.
  for (const e of errors)
    (state.cli?.io ?? processIo).write(
      2,
      `${t(lang, "help.broken-workflow", { problem: brokenWorkflowText(lang, e) })}\n`,
    );
  // No command: the program's help, which lists the kinds' commands without their options, on
  // stdout (it was asked for: exit 0). An unknown option is still bad usage.
  const program = programOf(lang, REGISTRARS, state, { wfs, listOnly: name === undefined });
  if (name === undefined) program.action(() => program.outputHelp());
  return program;
}

/**
 * Run the command line `args` (without node and the script) in `cli`'s world; returns the exit code.
 * The bin's main() runs it on the process; tests run it in-process (test/cli-harness.ts).
 */
export async function runCli(args: string[], cli: CliEnv): Promise<number> {
  const lang = preLang(args, cli.env);
  const state: RunState = { cli, code: EXIT.ok };
  try {
    await programFor(lang, args, state).parseAsync(args, { from: "user" });
  } catch (e) {
    state.code = reportError(e, lang, args.includes("--debug"), cli.io);
  }
  // The command is done: wait for what it started in the background (git gc --auto).
  await backgroundSettled();
  return state.code;
}

/** The process's world: its environment, folder and descriptors, and the hooks office-doc ships. */
export function processEnv(): CliEnv {
  return { env: process.env, cwd: process.cwd(), io: processIo, hooks: HOOKS, kindCommands: KIND_COMMANDS };
}

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv.slice(2), processEnv());
  // The command is done (its output written synchronously): leave now. Left to itself, node would
  // first run the tasks V8 queued meanwhile, such as a scavenge of a heap about to be freed: 5-15 ms
  // after a long listing.
  // The prompts write through process.stdout, whose writes to a full pipe wait in a queue.
  if (promptsLoaded()) await new Promise((done) => process.stdout.write("", () => done(undefined)));
  process.exit();
}
