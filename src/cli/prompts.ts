import { usageError } from "../core/problems.js";
import { coerceFieldValues } from "../core/record.js";
import { escapeControls } from "../core/text.js";
import type { FieldDef } from "../core/workflow.js";
import { prompts } from "../store/lazy.js";
import type { Lang } from "../ui/i18n/index.js";
import type { MessageKey } from "../ui/i18n/keys.js";
import type { Ctx } from "./context.js";

/** A value a command needs and was not given: its option, the prompt's words, its choices. */
export interface Wanted {
  flag: string;
  label: string;
  /** Choices shown by their names (labels, people's and units' names); the value is the id. */
  choices?: { value: string; name: string; description?: string }[];
  /** The field it fills: the prompt checks the answer against the field's type. */
  def?: FieldDef;
  /** Without a field: what is wrong with an answer (a title on one line), checked as it is typed. */
  check?: (text: string) => { code: MessageKey; params: Record<string, string | number> } | undefined;
}

/** The words of inquirer's key hints (`↑↓ navigate • ⏎ select`), in the clerk's language. */
const KEY_ACTIONS: Record<Lang, Record<string, string>> = {
  en: { navigate: "move", select: "choose" },
  "zh-CN": { navigate: "上下移动", select: "确定" },
};

/** The theme of the prompts: key hints in `lang`, plain (colour comes from inquirer's own defaults). */
export function promptTheme(lang: Lang) {
  return {
    style: {
      keysHelpTip: (keys: [string, string][]) =>
        keys.map(([key, action]) => `${key} ${KEY_ACTIONS[lang][action] ?? action}`).join(" \u2022 "),
    },
  };
}

/**
 * Is `text` an acceptable answer for `m`? True, or the message saying why not, in the clerk's
 * language: inquirer shows it under the question and asks again, so a mistyped phone number costs
 * one line, not every answer given before it.
 */
export function checkAnswer(ctx: Ctx, m: Wanted, text: string): true | string {
  const say = (code: MessageKey, params: Record<string, string | number>) =>
    escapeControls(ctx.t(code, { ...params, option: m.flag }));
  if (text.trim() === "") return say("field.empty", {});
  if (m.def) {
    const p = coerceFieldValues(m.def, [text]).problem;
    return p ? say(p.code, p.params) : true;
  }
  const p = m.check?.(text.trim());
  return p ? say(p.code, p.params) : true;
}

/**
 * The answers for `wanted`, by flag: asked at a terminal (inquirer; a select list where there are
 * choices), else one usage error (exit 2) naming every missing option at once. Each answer is
 * checked as it is typed (checkAnswer); what the prompts show (labels, names, the typed text) is
 * escaped like every other output (a unit named with an escape sequence cannot clear the screen).
 */
export async function requireValues(ctx: Ctx, wanted: readonly Wanted[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (wanted.length === 0) return out;
  if (!ctx.interactive)
    throw usageError("cli.missing-options", { options: wanted.map((m) => m.flag).join(", ") });
  const { input, select } = prompts();
  const theme = promptTheme(ctx.lang);
  for (const m of wanted) {
    const message = escapeControls(m.label);
    if (m.choices)
      out.set(
        m.flag,
        await select({
          message,
          theme,
          choices: m.choices.map((c) => ({
            value: c.value,
            name: escapeControls(c.name),
            ...(c.description ? { description: escapeControls(c.description) } : {}),
          })),
        }),
      );
    else
      out.set(
        m.flag,
        await input({
          message,
          transformer: (v) => escapeControls(v),
          validate: (text: string) => checkAnswer(ctx, m, text),
        }),
      );
  }
  return out;
}

/** Ask a yes-or-no question at the terminal (the caller knows it may: ctx.interactive); no by default. */
export async function confirmAtTerminal(message: string): Promise<boolean> {
  return prompts().confirm({ message: escapeControls(message), default: false });
}
