import { fstatSync, writeSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Output written straight to file descriptors 1 and 2. Creating process.stdout costs ~10 ms (a
 * net.Socket for a pipe, a stream for a file) of a command that prints one table; on Linux its writes
 * to pipes and files are synchronous anyway.
 */

const req = createRequire(import.meta.url);
let waitCell: Int32Array | undefined;

/**
 * Write all of `text` to `fd`. A reader that went away (`office-doc list | head`) ends the process
 * quietly with its exit code; a descriptor left non-blocking by whoever opened it is waited for.
 */
export function writeOut(fd: 1 | 2, text: string): void {
  let buf = Buffer.from(text, "utf8");
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
