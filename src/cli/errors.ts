import { CommanderError } from "commander";
import { OfficeError } from "../core/problems.js";
import { palette } from "../ui/color.js";
import { hint, type Lang, t } from "../ui/i18n/index.js";
import type { MessageKey } from "../ui/i18n/keys.js";
import { type Io, processIo } from "./io.js";
import { textForPeople } from "./output.js";

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

/**
 * Print what went wrong to stderr (through `io`, its labels coloured when `color`); return the exit
 * code. The labels carry our own colour codes: written as they are, the text after them escaped.
 */
export function reportError(
  e: unknown,
  lang: Lang,
  debug: boolean,
  io: Pick<Io, "writeRaw"> = processIo,
  color = false,
): number {
  const paint = palette(color);
  const prefix = lang === "zh-CN" ? `${paint.error("错误")}：` : `${paint.error("error")}: `;
  const say = (s: string, label = "") =>
    io.writeRaw(
      2,
      `${label}${textForPeople(`${s}
`)}`,
    );
  const sayHint = (h: string | undefined) => {
    if (h) say(h, lang === "zh-CN" ? `${paint.hint("提示")}：` : `${paint.hint("hint")}: `);
  };
  if (e instanceof OfficeError) {
    say(t(lang, e.code, e.params), prefix);
    for (const p of e.problems)
      say(`  ${problemLine(lang, { ...p, file: (p as { file?: string }).file ?? e.file })}`);
    sayHint(hint(lang, e.code, e.params));
    if (debug) say(e.stack ?? "");
    return EXIT_OF_KIND[e.kind];
  }
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT.ok;
    // `help X` (exit code 0); help shown because a group was given without its command (on
    // stderr): a usage error.
    if (e.code === "commander.help") return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const key = COMMANDER_CODES[e.code];
    const arg = /'([^']+)'/.exec(e.message)?.[1] ?? e.message.replace(/^error: /, "");
    say(
      key
        ? t(lang, key, { option: arg, options: arg, name: arg, command: arg })
        : (e.message.replace(/^error: /, "").split("\n")[0] ?? ""),
      prefix,
    );
    // showSuggestionAfterError: "(Did you mean receive?)", "(Did you mean one of a, b?)".
    const similar = /\(Did you mean (?:one of )?(.+)\?\)/.exec(e.message)?.[1];
    if (similar) sayHint(t(lang, "cli.did-you-mean", { names: similar }));
    return EXIT.usage;
  }
  const errno = e as NodeJS.ErrnoException;
  if (errno?.path && (errno.code === "EACCES" || errno.code === "EPERM" || errno.code === "EROFS")) {
    // A registry this user may only read: listings work (registry.ts localDir), writes stop here.
    const params = { path: errno.path, code: errno.code };
    say(t(lang, "store.not-writable", params), prefix);
    sayHint(hint(lang, "store.not-writable", params));
    if (debug) say(errno.stack ?? "");
    return EXIT.refused;
  }
  if (e instanceof Error && e.name === "ExitPromptError") {
    say(t(lang, "cli.cancelled"), prefix);
    return EXIT.refused;
  }
  say(t(lang, "cli.internal-error", { message: e instanceof Error ? e.message : String(e) }), prefix);
  if (debug && e instanceof Error) say(e.stack ?? "");
  else say(t(lang, "cli.debug-hint"));
  return EXIT.refused;
}
