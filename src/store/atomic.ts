import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * Write `content` to `path` so that a reader (or a crash) sees either the old file or the new one,
 * never a partial one: a temp file in the same folder, fsync, rename. `durable: false` skips the
 * fsync, for derived files and caches that are checked when read and rebuilt when lost (an fsync
 * costs a write 1-5 ms on this VM).
 */
export function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  opts: { durable?: boolean } = {},
): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fd = openSync(tmp, "wx", 0o644);
    try {
      if (typeof content === "string") writeSync(fd, content);
      else writeSync(fd, content);
      if (opts.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
