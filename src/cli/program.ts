import { Command, Option } from "commander";
import { OfficeError } from "../core/problems.js";
import { backgroundSettled } from "../store/background.js";
import { promptsLoaded } from "../store/lazy.js";
import { detectLang, type Lang, t } from "../ui/i18n/index.js";
import type { MessageKey } from "../ui/i18n/keys.js";
import { commandName } from "./command-name.js";
import { registerActions } from "./commands/actions.js";
import { registerCalendar } from "./commands/calendar.js";
import { registerCalls } from "./commands/calls.js";
import { registerEgov } from "./commands/egov.js";
import { INCOMING_STEPS, registerIncoming } from "./commands/incoming.js";
import { OUTGOING_STEPS, registerOutgoing } from "./commands/outgoing.js";
import { registerPrint } from "./commands/print.js";
import { registerRecords } from "./commands/records.js";
import { registerReports } from "./commands/reports.js";
import { registerSetup } from "./commands/setup.js";
import { registerSync } from "./commands/sync.js";
import { Ctx, type GlobalOptions } from "./context.js";
import { EXIT, reportError } from "./errors.js";
import { writeOut } from "./output.js";
import { stepLabel } from "./present.js";

/** What every command module gets: the program, a translator, and `run` to wrap its action. */
export interface Registrar {
  program: Command;
  lang: Lang;
  d: (key: MessageKey) => string;
  /** Wrap a command action: builds the context, runs, maps errors to an exit code. */
  run<A extends unknown[]>(
    fn: (ctx: Ctx, ...args: A) => Promise<number | undefined>,
  ): (...args: unknown[]) => Promise<void>;
}

const TITLES: Record<string, string> = {
  "Usage:": "用法：",
  "Options:": "选项：",
  "Commands:": "命令：",
  "Arguments:": "参数：",
  "Global Options:": "全局选项：",
};

function preLang(argv: string[]): Lang {
  const i = argv.findIndex((a) => a === "--lang" || a.startsWith("--lang="));
  const flag = i < 0 ? undefined : argv[i]?.includes("=") ? argv[i]?.split("=")[1] : argv[i + 1];
  return detectLang(flag, process.env) ?? "en";
}

/**
 * The engine names steps by id; people read their labels. When an error concerns a record, replace
 * the step ids in its parameters by the labels of that record's workflow.
 */
function stepLabelsInParams(ctx: Ctx, e: OfficeError): void {
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
 * Each command module and the commands it registers. Building every command with its options and
 * help texts costs ~6 ms; a run builds only the module of the command it was given (all of them for
 * help or an unknown name). test/cli/program.test.ts checks this table against the modules.
 */
export const REGISTRARS: { register: (r: Registrar) => void; commands: string[] }[] = [
  { register: registerSetup, commands: ["init", "demo", "person", "unit", "check"] },
  { register: registerRecords, commands: ["show", "where", "list", "log"] },
  {
    register: registerActions,
    commands: ["sign", "route", "skip", "note", "urge", "extend", "merge", "withdraw", "reopen", "file"],
  },
  { register: registerIncoming, commands: ["receive", ...INCOMING_STEPS] },
  { register: registerOutgoing, commands: ["draft", ...OUTGOING_STEPS] },
  { register: registerCalls, commands: ["call", "handle", "reply"] },
  { register: registerPrint, commands: ["print"] },
  { register: registerCalendar, commands: ["calendar"] },
  { register: registerReports, commands: ["overdue", "report"] },
  { register: registerEgov, commands: ["egov", "backup"] },
  { register: registerSync, commands: ["sync"] },
];

/** The program with every command, or with those of the module that registers `only`. */
/** Help and version text through writeOut; errors are reported by reportError, not by commander. */
const OUTPUT = {
  writeOut: (s: string) => writeOut(1, s),
  writeErr: (s: string) => writeOut(2, s),
  outputError: () => undefined,
};

export function buildProgram(lang: Lang, only?: string): Command {
  const wanted = only ? REGISTRARS.filter((x) => x.commands.includes(only)) : [];
  return programOf(lang, wanted.length ? wanted : REGISTRARS);
}

/** The program with the commands of these modules. */
export function programOf(lang: Lang, modules: typeof REGISTRARS): Command {
  const d = (key: MessageKey) => t(lang, key);
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
    .configureOutput(OUTPUT)
    .configureHelp({ styleTitle: (s) => (lang === "zh-CN" ? (TITLES[s] ?? s) : s), showGlobalOptions: true });

  const r: Registrar = {
    program,
    lang,
    d,
    run:
      (fn) =>
      async (...args: unknown[]) => {
        const cmd = args[args.length - 1] as Command;
        const opts = cmd.optsWithGlobals() as GlobalOptions;
        let ctx: Ctx | undefined;
        try {
          ctx = new Ctx(opts);
          const code = await fn(ctx, ...(args.slice(0, -1) as never));
          process.exitCode = code ?? EXIT.ok;
        } catch (e) {
          if (ctx && e instanceof OfficeError) stepLabelsInParams(ctx, e);
          process.exitCode = reportError(e, ctx?.lang ?? lang, opts.debug === true, ctx?.stderrColor);
        }
      },
  };
  for (const x of modules) x.register(r);
  for (const c of program.commands) {
    c.exitOverride();
    c.configureOutput(OUTPUT);
    for (const sub of c.commands) {
      sub.exitOverride();
      sub.configureOutput(OUTPUT);
    }
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const lang = preLang(argv);
  const program = buildProgram(lang, commandName(argv.slice(2)));
  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.exitCode = reportError(e, lang, argv.includes("--debug"));
  }
  // The command is done (its output written synchronously): leave once its background work has
  // ended. Left to itself, node would first run the tasks V8 queued meanwhile, such as a scavenge
  // of a heap about to be freed: 5-15 ms after a long listing.
  await backgroundSettled();
  // The prompts write through process.stdout, whose writes to a full pipe wait in a queue.
  if (promptsLoaded()) await new Promise((done) => process.stdout.write("", () => done(undefined)));
  process.exit();
}
