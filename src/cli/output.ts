import { fstatSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { sanitizeForTerminal } from "../core/text.js";

/**
 * Output written straight to file descriptors 1 and 2. Creating process.stdout costs ~10 ms (a
 * net.Socket for a pipe, a stream for a file) of a command that prints one table; on Linux its writes
 * to pipes and files are synchronous anyway.
 */

const req = createRequire(import.meta.url);
let waitCell: Int32Array | undefined;

/**
 * Write `text` to `fd` for people (and scripts) to read: the one place every message, listing, help
 * text and JSON document passes, so no command can forget this. Control, bidi-override and separator
 * characters are written escaped (`\x1b`, `\u202e`; src/core/text.ts sanitizeForTerminal): a field
 * holding `\x1b[2J` shows as that text instead of clearing the screen. Line feeds, tabs and CR LF
 * stay; so does a carriage return that opens the text (a progress line redrawn in place, which can
 * only return to the start of a line that a write of ours began). JSON stays exact: JSON.stringify
 * already escapes C0, and the `\u` form given to DEL, C1 and bidi characters is JSON's own escape.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  writeRaw(fd, textForPeople(text));
}

/** `text` as writeOut writes it. */
export function textForPeople(text: string): string {
  return text.charCodeAt(0) === 13 ? `\r${sanitizeForTerminal(text.slice(1))}` : sanitizeForTerminal(text);
}

/**
 * Write `data` unchanged: a workbook's bytes, or text built only from escaped cells that holds the
 * colour codes of our own tables (src/cli/table-output.ts). A reader that went away
 * (`office-doc list | head`) ends the process quietly with its exit code; a descriptor left
 * non-blocking by whoever opened it is waited for.
 */
export function writeRaw(fd: 1 | 2, data: string | Uint8Array): void {
  let buf =
    typeof data === "string"
      ? Buffer.from(data, "utf8")
      : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  while (buf.length > 0) {
    try {
      const n = writeSync(fd, buf);
      buf = buf.subarray(n);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
      if (code !== "EAGAIN") throw e;
      waitCell ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(waitCell, 0, 0, 2);
    }
  }
}

/** Is `fd` a terminal? (node:tty is loaded only for character devices: terminals and /dev/null.) */
export function isTerminal(fd: 1 | 2): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return (req("node:tty") as typeof import("node:tty")).isatty(fd);
}

/**
 * Display columns a table may take on stdout: OFFICE_DOC_COLUMNS when it is a whole number (0:
 * unlimited; for tests and for a terminal that misreports its size), else the terminal's width
 * when stdout is a terminal, else undefined: a pipe or a file gets whole rows. Asking a terminal
 * creates process.stdout (~5–15 ms), which only a terminal pays.
 */
export function outputColumns(env: NodeJS.ProcessEnv): number | undefined {
  const set = env.OFFICE_DOC_COLUMNS;
  if (set !== undefined && /^\d+$/.test(set.trim())) return Number(set) > 0 ? Number(set) : undefined;
  if (!isTerminal(1)) return undefined;
  const n = process.stdout.columns;
  return typeof n === "number" && n > 0 ? n : undefined;
}
