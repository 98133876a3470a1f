import {
  closeSync,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { failed } from "../core/problems.js";

/**
 * The registry lock: one writer at a time.
 *
 * Taken by link(2) of a complete temp file onto the lock's name, so a lock file is never seen empty
 * or half-written: it names its holder (pid, process start time, host, command, a random nonce)
 * from the instant it exists. A lock whose holder is dead on this host (no such pid, or the pid now
 * belongs to a process started at another time) is taken over at once; a live holder's lock is
 * never removed, however long it holds it. A lock that cannot be read (left by an older office-doc,
 * or made by hand) is left alone while younger than UNREADABLE_GRACE_MS and taken over when older.
 *
 * Why not proper-lockfile (the usual library): its staleness is the lock's mtime, refreshed on a
 * timer. Measured here with 4.1.2: after `kill -9` of a holder the next writer waited ~9.9 s
 * (default `stale` 10 s; 2.5 s at its minimum of 2 s), longer than our 5 s wait, and a holder whose
 * event loop was busy for 3.5 s (a calendar change re-reads thousands of records synchronously) lost
 * its lock to a waiter after 2.7 s while it was still writing. See README "How it works".
 */

interface LockInfo {
  pid: number;
  start: string;
  host: string;
  command: string;
  since: string;
  /** Makes each acquisition's content unique: a takeover removes exactly the lock it inspected. */
  nonce: string;
}

/** An unreadable lock younger than this may be one being written by an older office-doc. */
export const UNREADABLE_GRACE_MS = 3000;

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

/** Is the process `pid` (started at `start`, when known) still running on this host? */
export function processAlive(pid: number, start = ""): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const now = processStart(pid);
  return now === "" || start === "" || now === start;
}

function alive(info: LockInfo): boolean {
  if (info.host !== hostname()) return true; // cannot tell for another machine: never steal
  return processAlive(info.pid, info.start);
}

function validInfo(v: unknown): v is LockInfo {
  const o = v as LockInfo;
  return (
    typeof o === "object" &&
    o !== null &&
    Number.isInteger(o.pid) &&
    o.pid > 0 &&
    typeof o.host === "string" &&
    typeof o.start === "string" &&
    typeof o.command === "string" &&
    typeof o.since === "string"
  );
}

interface Seen {
  info?: LockInfo;
  /** What identifies this very file: a takeover removes it only if it is still this. */
  identity: string;
  ageMs: number;
}

/** Read a lock (or takeover marker) file; undefined when there is none. */
function inspect(path: string): Seen | undefined {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const st = fstatSync(fd);
    const buf = Buffer.alloc(Math.min(st.size, 4096));
    const n = buf.length ? readSync(fd, buf, 0, buf.length, 0) : 0;
    const text = buf.toString("utf8", 0, n);
    let info: LockInfo | undefined;
    try {
      const v = JSON.parse(text) as unknown;
      if (validInfo(v)) info = v;
    } catch {
      info = undefined;
    }
    const identity = info
      ? `${info.host}|${info.pid}|${info.start}|${info.since}|${info.nonce ?? ""}`
      : `raw|${st.ino}|${st.size}|${st.mtimeMs}|${text}`;
    return { ...(info ? { info } : {}), identity, ageMs: Date.now() - st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** May `seen` be removed? Never while its holder lives; an unreadable one only once it is old. */
function isStale(seen: Seen): boolean {
  return seen.info ? !alive(seen.info) : seen.ageMs > UNREADABLE_GRACE_MS;
}

let counter = 0;

/**
 * Create `path` holding `content`, atomically and complete, or return false when it exists.
 * Filesystems without hard links get O_EXCL and a write (an empty file for an instant: see
 * UNREADABLE_GRACE_MS).
 */
function createComplete(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${Date.now()}${counter++}.tmp`;
  try {
    writeFileSync(tmp, content, { mode: 0o644 });
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function markerName(path: string, seen: Seen): string {
  let h = 0;
  for (let i = 0; i < seen.identity.length; i++) h = (Math.imul(h, 31) + seen.identity.charCodeAt(i)) | 0;
  return `${path}.takeover-${(h >>> 0).toString(36)}`;
}

/** The takeover marker a taker of the lock now at `path` would create (for tests). */
export function takeoverMarkerOf(path: string): string | undefined {
  const seen = inspect(path);
  return seen ? markerName(path, seen) : undefined;
}

/**
 * Remove the stale file at `path` that was seen as `seen`, unless it changed meanwhile. Contenders
 * serialise on a marker named after that very file (`<path>.takeover-<hash>`), created like a lock:
 * only its creator removes `path`, after reading it again. A later contender that saw the same stale
 * file creates the same marker, finds `path` changed and removes nothing. A marker left by a taker
 * that died is itself taken over the same way (`depth` bounds the chain).
 */
function takeOver(path: string, seen: Seen, mine: string, depth = 0): void {
  const marker = markerName(path, seen);
  if (createComplete(marker, mine)) {
    try {
      const now = inspect(path);
      if (now && now.identity === seen.identity) rmSync(path, { force: true });
    } finally {
      rmSync(marker, { force: true });
    }
    return;
  }
  const m = inspect(marker);
  if (m && depth < 3 && isStale(m)) takeOver(marker, m, mine, depth + 1);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface StaleHolder {
  pid: number;
  command: string;
  since: string;
}

function lockContent(command: string): { info: LockInfo; text: string } {
  const info: LockInfo = {
    pid: process.pid,
    start: processStart(process.pid),
    host: hostname(),
    command,
    // The real clock, not OFFICE_DOC_NOW: `since` tells a person how long a real process has held
    // the lock (under a fixed clock every lock would seem taken at the same instant). Staleness
    // itself is decided by whether the holder runs (alive), and for an unreadable lock by its mtime.
    since: new Date().toISOString(),
    nonce: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`,
  };
  return { info, text: JSON.stringify(info) };
}

function releaser(path: string, mine: LockInfo): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const held = inspect(path);
    if (held?.info && held.info.nonce === mine.nonce && held.info.pid === mine.pid)
      rmSync(path, { force: true });
  };
}

/**
 * One attempt at the lock: a release function, or the holder seen (undefined when the lock vanished
 * between the two looks). Stale holders are taken over on the way (`onStale` is told).
 */
function attempt(
  path: string,
  mine: { info: LockInfo; text: string },
  onStale?: (holder: StaleHolder) => void,
): { release: () => void } | { holder: Seen | undefined } {
  for (let tries = 0; tries < 8; tries++) {
    if (createComplete(path, mine.text)) return { release: releaser(path, mine.info) };
    const seen = inspect(path);
    if (!seen) continue;
    if (!isStale(seen)) return { holder: seen };
    takeOver(path, seen, mine.text);
    if (seen.info) onStale?.({ pid: seen.info.pid, command: seen.info.command, since: seen.info.since });
    else onStale?.({ pid: 0, command: "?", since: "?" });
  }
  return { holder: inspect(path) };
}

/**
 * Take the lock at `path` (creating its folder), waiting up to `waitMs` for each live holder (a queue
 * of writers that each finish in time is waited for, up to two minutes). Returns a
 * release function (idempotent; removes only this acquisition's lock). Fails with `lock.held`
 * (exit 1) naming the holder when it stays taken. `onStale` is told about each dead holder taken
 * over: that process may have stopped in the middle of a write.
 */
export async function acquireLock(
  path: string,
  command: string,
  waitMs = 5000,
  onStale?: (holder: StaleHolder) => void,
): Promise<() => void> {
  mkdirSync(dirname(path), { recursive: true });
  const mine = lockContent(command);
  let deadline = Date.now() + waitMs;
  const giveUp = Date.now() + Math.max(120_000, waitMs);
  let holder = "";
  let delay = 2;
  for (;;) {
    const r = attempt(path, mine, onStale);
    if ("release" in r) return r.release;
    // The wait is for one holder: while the lock passes from writer to writer, keep waiting.
    if (r.holder && r.holder.identity !== holder) {
      holder = r.holder.identity;
      deadline = Math.min(Date.now() + waitMs, giveUp);
    }
    if (Date.now() >= deadline) {
      const info = r.holder?.info;
      // A holder on another machine is never taken over (alive): the clerk must be told what to do.
      const code = info && info.host !== hostname() ? "lock.held-elsewhere" : "lock.held";
      throw failed(code, {
        pid: info?.pid ?? "?",
        command: info?.command ?? "?",
        since: info?.since ?? "?",
        host: info?.host ?? "?",
        file: path,
      });
    }
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    delay = Math.min(delay * 2, 50);
  }
}

/**
 * Take the lock only if it is free now; undefined otherwise. A dead holder's lock is left for the
 * next writer, who repairs what that holder left (see lockRegistry).
 */
export function tryLock(path: string, command: string): (() => void) | undefined {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const mine = lockContent(command);
    return createComplete(path, mine.text) ? releaser(path, mine.info) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Remove temp files that dead processes left in `dir`: `<name>.<pid>.<digits>.tmp` (the lock's and
 * markers' temp files, writeFileAtomic's `.name.<pid>.<ms>.tmp`) and takeover markers whose creator
 * is dead. Called by the next writer after a holder died.
 */
export function sweepDeadTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /\.(\d+)\.\d+\.tmp$/.exec(name);
    const file = join(dir, name);
    if (m) {
      if (!processAlive(Number(m[1]))) rmSync(file, { force: true });
      continue;
    }
    if (/\.takeover-[0-9a-z]+$/.test(name)) {
      const seen = inspect(file);
      if (seen && isStale(seen)) takeOver(file, seen, lockContent(`sweep ${basename(file)}`).text);
    }
  }
}
