/**
 * The command named on a command line. Its own module (built also as dist/command-name.cjs) because
 * bin/office-doc.js needs it before loading the bundle: V8's code cache is kept per command.
 */

/** Global options that take a value: their value is not the command's name. */
const VALUE_OPTIONS = new Set(["-r", "--registry", "--as", "--lang", "--format"]);

/** The command named in `args` (argv without node and the script), if any. */
export function commandName(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") return args[i + 1];
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

/** The registry named with `-r DIR`, `--registry DIR` or `--registry=DIR` before the command, if any. */
export function registryFlag(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") return undefined;
    if (a === "-r" || a === "--registry") return args[i + 1];
    if (a.startsWith("--registry=")) return a.slice("--registry=".length);
    if (VALUE_OPTIONS.has(a)) i++;
  }
  return undefined;
}
