/**
 * The asynchronous in-process harness: a command line run by the CLI's own source (runCaptured:
 * the program, the context built from an environment, the error mapper), its stdout, stderr and
 * exit code captured. Tests give it their own kind hooks and kind commands (hooks.ts,
 * kind-commands.ts). For the built CLI run synchronously, see helpers.ts (Registry.run).
 */
import { runCaptured } from "../src/cli/capture.js";
import type { KindCommands } from "../src/cli/kind-commands.js";
import type { CoreHooks } from "../src/core/hooks.js";
import { type BinResult, type Env, type Registry, ROOT } from "./helpers.js";

export interface CliOptions {
  user?: string | null;
  now?: string;
  env?: Env;
  hooks?: CoreHooks;
  kindCommands?: KindCommands;
  /** Stdin a terminal: the command may ask (tests mock the prompts, src/store/lazy.js). */
  terminal?: boolean;
}

/** Run `args` against `reg` in this process, as `user` (the clerk by default) at `now`. */
export async function cli(reg: Registry, args: string[], opts: CliOptions = {}): Promise<BinResult> {
  const { hooks, kindCommands, terminal, ...rest } = opts;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(reg.env(rest))) if (v !== undefined) env[k] = v;
  return runCaptured(args, {
    env,
    cwd: ROOT,
    ...(hooks ? { hooks } : {}),
    ...(kindCommands ? { kindCommands } : {}),
    ...(terminal ? { terminal } : {}),
  });
}

/** The same, failing the test with the command's stderr unless it exits 0. */
export async function cliOk(reg: Registry, args: string[], opts: CliOptions = {}): Promise<BinResult> {
  const r = await cli(reg, args, opts);
  if (r.code !== 0) throw new Error(`${args.join(" ")} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return r;
}
