import type { CoreHooks } from "../core/hooks.js";
import { HOOKS } from "../core/hooks.js";
import { saveConfigCaches } from "../store/config-cache.js";
import type { Io } from "./io.js";
import { KIND_COMMANDS, type KindCommands } from "./kind-commands.js";
import { textForPeople } from "./output.js";
import { runCli } from "./program.js";

/** What a command line run by runCaptured printed, and its exit code. */
export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a command line in this process, in its own environment and folder, with its output captured:
 * the same program, context and error mapper as the bin, without a process start (~100 ms). For
 * tests (test/helpers.ts) and for whoever embeds office-doc. Git and the store read the process's
 * environment, so `env` replaces it while the command runs: runs must not overlap.
 */
export async function runCaptured(
  args: string[],
  opts: {
    env: NodeJS.ProcessEnv;
    cwd: string;
    hooks?: CoreHooks;
    kindCommands?: KindCommands;
    /** Is stdin a terminal (may the command ask)? No by default. */
    terminal?: boolean;
  },
): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    // Escaped as the bin's descriptors would have it, so tests see what a clerk sees.
    write: (fd, text) => {
      (fd === 1 ? out : err).push(textForPeople(text));
    },
    writeRaw: (fd, data) => {
      (fd === 1 ? out : err).push(typeof data === "string" ? data : Buffer.from(data).toString("latin1"));
    },
    isTerminal: () => false,
    stdinIsTerminal: () => opts.terminal === true,
  };
  const saved = process.env;
  process.env = opts.env;
  try {
    const code = await runCli(args, {
      env: opts.env,
      cwd: opts.cwd,
      io,
      hooks: opts.hooks ?? HOOKS,
      kindCommands: opts.kindCommands ?? KIND_COMMANDS,
    });
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.env = saved;
    saveConfigCaches();
  }
}
