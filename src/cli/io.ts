import { isTerminal, writeOut, writeRaw } from "./output.js";

/**
 * Where a command's output goes and what it may ask of the terminal. The process's own descriptors
 * for the bin; a capture for tests that run commands in-process (test/cli-harness.ts).
 */
export interface Io {
  /** Write all of `text` to stdout (1) or stderr (2), for people: control characters escaped (writeOut). */
  write(fd: 1 | 2, text: string): void;
  /** Write `data` as it is: a workbook's bytes, or text of escaped parts holding our own colour codes. */
  writeRaw(fd: 1 | 2, data: string | Uint8Array): void;
  /** Is this descriptor a terminal (colours, progress)? */
  isTerminal(fd: 1 | 2): boolean;
  /** May the command ask at the terminal (prompts)? Asked only when a value is missing. */
  stdinIsTerminal(): boolean;
}

/** The process's stdout, stderr and stdin. */
export const processIo: Io = {
  write: writeOut,
  writeRaw,
  isTerminal,
  // Creating the stdin stream costs ~5 ms of every command: only when a value is missing.
  stdinIsTerminal: () => process.stdin.isTTY === true,
};
