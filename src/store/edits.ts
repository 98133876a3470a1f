import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { childProcess } from "./lazy.js";
import { LOCAL_DIR, parseRecordRel } from "./registry.js";

/**
 * Which record files were changed by hand and not committed, cheaply enough for every listing.
 *
 * Statting 5,000 open records costs ~20 ms here; statting their leaf folders (100 records each) a
 * fraction of that. A file written through a new file and a rename (sed -i, vim, most editors, git
 * itself) changes its folder's modification time. `.office-doc/folders-clean.json` keeps, for each
 * folder, the modification time at which it was last known to hold no uncommitted change; a folder
 * whose time differs is asked about with `git status` limited to the changed folders, and recorded
 * as clean again when it is. A write that renamed its files into a folder known clean before keeps
 * it known clean (see keepClean). A file rewritten in place leaves its folder's time alone and is not
 * seen here: a write touching it refuses, and `check` names it.
 */

const CLEAN_FILE = `${LOCAL_DIR}/folders-clean.json`;

type Times = Record<string, number>;

function readClean(dir: string): Times {
  try {
    const v = JSON.parse(readFileSync(join(dir, CLEAN_FILE), "utf8")) as unknown;
    return typeof v === "object" && v !== null ? (v as Times) : {};
  } catch {
    return {};
  }
}

function saveClean(dir: string, times: Times): void {
  try {
    writeFileAtomic(join(dir, CLEAN_FILE), JSON.stringify(times), { durable: false });
  } catch {
    /* a read-only registry asks git again next time */
  }
}

/** Modification times of folders (relative), -1 for one that is not there. */
export function folderTimes(dir: string, folders: Iterable<string>): Times {
  const out: Times = {};
  // Concatenated, not path.join: a thousand folders at 200,000 records.
  const top = dir.endsWith("/") ? dir : `${dir}/`;
  for (const f of folders) {
    try {
      out[f] = statSync(top + f, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    } catch {
      out[f] = -1;
    }
  }
  return out;
}

/**
 * The record files (relative paths) in `folders` that differ from HEAD: modified, deleted, or new
 * and not committed. Runs git only for folders changed since they were last known clean.
 */
export function uncommittedRecordFiles(dir: string, folders: Iterable<string>): string[] {
  const clean = readClean(dir);
  const now = folderTimes(dir, folders);
  const asked = Object.keys(now).filter((f) => clean[f] !== now[f]);
  if (!asked.length) return [];
  const r = childProcess().spawnSync(
    "git",
    ["status", "--porcelain", "-z", "--untracked-files=all", "--no-renames", "--", ...asked],
    { cwd: dir, encoding: "utf8", env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" } },
  );
  if (r.status !== 0) return [];
  const files = r.stdout
    .split("\0")
    .filter((l) => l.length > 3)
    .map((l) => l.slice(3))
    .filter((f) => parseRecordRel(f) !== undefined)
    .sort();
  const dirty = new Set(files.map((f) => dirname(f)));
  // Folders not asked about keep what is known of them (`show` asks about one folder, a listing
  // about those of the open records).
  const next: Times = { ...clean };
  for (const f of asked) {
    const t = now[f] as number;
    if (t >= 0 && !dirty.has(f)) next[f] = t;
    else delete next[f];
  }
  saveClean(dir, next);
  return files;
}

/**
 * Of the record files `rels`, those with an uncommitted change (uncommittedRecordFiles), each with
 * its text as HEAD has it (undefined: not committed at all). Runs git only for folders changed since
 * they were last known clean, and `git show` only for the files that differ.
 */
export function lastCommittedTexts(dir: string, rels: readonly string[]): Map<string, string | undefined> {
  const wanted = new Set(rels);
  const out = new Map<string, string | undefined>();
  for (const rel of uncommittedRecordFiles(dir, new Set(rels.map((r) => dirname(r))))) {
    if (!wanted.has(rel)) continue;
    const r = childProcess().spawnSync("git", ["show", `HEAD:${rel}`], {
      cwd: dir,
      encoding: "utf8",
      maxBuffer: 1 << 26,
      env: { ...process.env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" },
    });
    out.set(rel, r.status === 0 ? r.stdout : undefined);
  }
  return out;
}

/**
 * After a write renamed its files into `before`'s folders: a folder known clean before it stays
 * known clean at its new time (the write changed it, and committed what it changed).
 */
export function keepClean(dir: string, before: Times): void {
  const clean = readClean(dir);
  const after = folderTimes(dir, Object.keys(before));
  let changed = false;
  for (const [f, t] of Object.entries(before)) {
    if ((clean[f] === t || t === -1) && after[f] !== undefined && (after[f] as number) >= 0) {
      clean[f] = after[f] as number;
      changed = true;
    }
  }
  if (changed) saveClean(dir, clean);
}
