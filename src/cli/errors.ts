import { CommanderError } from "commander";
import { OfficeError } from "../core/problems.js";
import { hint, type Lang, t } from "../ui/i18n/index.js";
import type { MessageKey } from "../ui/i18n/keys.js";
import { writeOut } from "./output.js";

/** The one place that turns a failure into words and an exit code. */
export const EXIT = { ok: 0, refused: 1, usage: 2, overdue: 3 } as const;

const EXIT_OF_KIND = { usage: EXIT.usage, refused: EXIT.refused, failed: EXIT.refused } satisfies Record<
  OfficeError["kind"],
  number
>;

/** Commander's own errors, in our words and languages. */
const COMMANDER_CODES: Record<string, MessageKey> = {
  "commander.unknownOption": "cli.unknown-option",
  "commander.unknownCommand": "cli.unknown-command",
  "commander.missingArgument": "cli.missing-argument",
  "commander.optionMissingArgument": "cli.option-missing-argument",
  "commander.missingMandatoryOptionValue": "cli.missing-options",
  "commander.invalidArgument": "cli.invalid-argument",
  "commander.excessArguments": "cli.excess-arguments",
  "commander.conflictingOption": "cli.conflicting-option",
};

export function problemLine(
  lang: Lang,
  p: {
    file?: string;
    line?: number;
    code: MessageKey;
    params: Record<string, string | number>;
    warning?: boolean;
  },
): string {
  const where = p.file ? `${p.file}:${p.line ?? 1}: ` : "";
  const w = p.warning ? (lang === "zh-CN" ? "警告：" : "warning: ") : "";
  return `${where}${w}${t(lang, p.code, p.params)}`;
}

/** Print what went wrong to stderr (through `write`); return the exit code. */
export function reportError(
  e: unknown,
  lang: Lang,
  debug: boolean,
  write: (fd: 2, text: string) => void = writeOut,
): number {
  const prefix = lang === "zh-CN" ? "错误：" : "error: ";
  const say = (s: string) => write(2, `${s}\n`);
  if (e instanceof OfficeError) {
    say(prefix + t(lang, e.code, e.params));
    for (const p of e.problems)
      say(`  ${problemLine(lang, { ...p, file: (p as { file?: string }).file ?? e.file })}`);
    const h = hint(lang, e.code, e.params);
    if (h) say(`${lang === "zh-CN" ? "提示：" : "hint: "}${h}`);
    if (debug) say(e.stack ?? "");
    return EXIT_OF_KIND[e.kind];
  }
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.ok;
    // Help shown because no command was given (it went to stderr): a usage error.
    if (e.code === "commander.help") return EXIT.usage;
    const key = COMMANDER_CODES[e.code];
    const arg = /'([^']+)'/.exec(e.message)?.[1] ?? e.message.replace(/^error: /, "");
    say(
      prefix +
        (key
          ? t(lang, key, { option: arg, options: arg, name: arg, command: arg })
          : e.message.replace(/^error: /, "")),
    );
    return EXIT.usage;
  }
  if (e instanceof Error && e.name === "ExitPromptError") {
    say(prefix + t(lang, "cli.cancelled"));
    return EXIT.refused;
  }
  say(prefix + t(lang, "cli.internal-error", { message: e instanceof Error ? e.message : String(e) }));
  if (debug && e instanceof Error) say(e.stack ?? "");
  else say(t(lang, "cli.debug-hint"));
  return EXIT.refused;
}
