import { usageError } from "../core/problems.js";
import { coerceFieldValues } from "../core/record.js";
import type { FieldDef } from "../core/workflow.js";
import { prompts } from "../store/lazy.js";
import type { Ctx } from "./context.js";

/** A value a command needs and was not given: its option, the prompt's words, its choices. */
export interface Wanted {
  flag: string;
  label: string;
  /** Choices shown by their names (labels, people's and units' names); the value is the id. */
  choices?: { value: string; name: string }[];
  /** The field it fills: the prompt checks the answer against the field's type. */
  def?: FieldDef;
}

/**
 * The answers for `wanted`, by flag: asked at a terminal (inquirer; a select list where there are
 * choices), else one usage error (exit 2) naming every missing option at once.
 */
export async function requireValues(ctx: Ctx, wanted: readonly Wanted[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (wanted.length === 0) return out;
  if (!ctx.interactive)
    throw usageError("cli.missing-options", { options: wanted.map((m) => m.flag).join(", ") });
  const { input, select } = prompts();
  for (const m of wanted) {
    if (m.choices) out.set(m.flag, await select({ message: m.label, choices: m.choices }));
    else {
      const def = m.def;
      out.set(
        m.flag,
        await input({
          message: m.label,
          required: true,
          ...(def
            ? {
                validate: (text: string) => {
                  const p = coerceFieldValues(def, [text]).problem;
                  return p ? ctx.t(p.code, { ...p.params, option: m.flag }) : true;
                },
              }
            : {}),
        }),
      );
    }
  }
  return out;
}
