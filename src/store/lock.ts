import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { failed } from "../core/problems.js";

/**
 * The registry lock: one writer at a time. A lock file created with O_EXCL holds the holder's pid,
 * process start time and command; a lock whose process is gone (or whose pid now belongs to another
 * process, detected by its start time) is stale and taken over.
 */

interface LockInfo {
  pid: number;
  start: string;
  host: string;
  command: string;
  since: string;
}

/** Start time of a process in clock ticks since boot (Linux), or "" where /proc is not there. */
export function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22, counted after the command name, which may itself contain spaces and parentheses.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return rest[19] ?? "";
  } catch {
    return "";
  }
}

function alive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // cannot tell for another machine: never steal
  try {
    process.kill(info.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const start = processStart(info.pid);
  return start === "" || info.start === "" || start === info.start;
}

function readInfo(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LockInfo;
  } catch {
    return undefined;
  }
}

/**
 * Remove a stale lock. Contenders serialise on a second file so that one never removes the fresh lock
 * another has just taken after removing the same stale one.
 */
function takeOver(path: string, stale: LockInfo): void {
  const guard = `${path}.takeover`;
  try {
    closeSync(openSync(guard, "wx"));
  } catch {
    // Another process is taking over; a guard left by a crash is cleared after a few seconds.
    try {
      if (Date.now() - statSync(guard).mtimeMs > 5000) rmSync(guard, { force: true });
    } catch {
      /* gone already */
    }
    return;
  }
  try {
    const now = readInfo(path);
    if (now && now.pid === stale.pid && now.start === stale.start) rmSync(path, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take the lock at `path`, waiting up to `waitMs`. Returns a release function. Fails with exit 1 and
 * a message naming the holder when the lock stays taken.
 */
export async function acquireLock(
  path: string,
  command: string,
  waitMs = 5000,
  /** Told when a lock left by a process that died was taken over: that process may have crashed mid-write. */
  onStale?: (holder: { pid: number; command: string; since: string }) => void,
): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const mine: LockInfo = {
    pid: process.pid,
    start: processStart(process.pid),
    host: hostname(),
    command,
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + waitMs;
  let delay = 5;
  for (;;) {
    try {
      const fd = openSync(path, "wx", 0o644);
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const held = readInfo(path);
        if (held && held.pid === mine.pid && held.start === mine.start) rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = readInfo(path);
    if (holder === undefined) {
      // Being written this very moment, or left empty by a crash between open and write.
      const stale = Date.now() + 200 > deadline;
      if (stale) rmSync(path, { force: true });
    } else if (!alive(holder)) {
      takeOver(path, holder);
      onStale?.(holder);
      continue;
    }
    if (Date.now() >= deadline) {
      throw failed("lock.held", {
        pid: holder?.pid ?? "?",
        command: holder?.command ?? "?",
        since: holder?.since ?? "?",
        host: holder?.host ?? "?",
        file: path,
      });
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}
