import type { Command } from "commander";
import type { Lang } from "../ui/i18n/index.js";
import type { MessageKey } from "../ui/i18n/keys.js";
import type { Ctx } from "./context.js";

/**
 * What every command module gets to register its commands: the program, a translator, and `run`,
 * which wraps a command's `run(ctx, …)` function (builds the context, maps errors to an exit code).
 * A leaf module: command modules import it, program.ts imports them, and nothing cycles.
 */
export interface Registrar {
  program: Command;
  lang: Lang;
  d: (key: MessageKey) => string;
  /**
   * The whole program as a run with `ctx`'s registry would build it: every built-in command and the
   * kinds' commands from its workflows (shell completion answers from it).
   */
  fullProgram(ctx: Ctx): Command;
  /** Wrap a command action: builds the context, runs, maps errors to an exit code. */
  run<A extends unknown[]>(
    fn: (ctx: Ctx, ...args: A) => Promise<number | undefined>,
  ): (...args: unknown[]) => Promise<void>;
}

/** A module of built-in commands and the top-level commands it registers. */
export interface CommandModule {
  register: (r: Registrar) => void;
  commands: string[];
}
