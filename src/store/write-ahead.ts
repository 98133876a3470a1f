import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { processStart } from "./lock.js";

/**
 * The write-ahead journal of a commit (`.office-doc/write-ahead.json`): written, and made durable,
 * before git's index or HEAD change, removed once the work tree holds the commit. It names the
 * commit, its parent, and for each file its entry before and after and the temp file holding the
 * new content, so that the next writer can finish or undo a write that was killed midway (see
 * recovery.ts). It never holds content: the blobs are in git's object store.
 */

/** A file's entry in a tree: mode and object id; null for no file. */
export type BlobRef = { mode: string; oid: string } | null;

export interface JournalFile {
  /** Relative to the registry, `/`-separated. */
  path: string;
  /** HEAD's entry before the commit (the work tree held the same: see the commit guard). */
  old: BlobRef;
  /** The commit's entry. */
  new: BlobRef;
  /** The temp file (relative) holding the new content until it is renamed into place. */
  tmp: string | null;
}

export interface WriteAheadRecord {
  version: 1;
  pid: number;
  start: string;
  command: string;
  since: string;
  parent: string | null;
  commit: string;
  files: JournalFile[];
  /** Folders (relative) created for the temp files, deepest last: removed again on undo. */
  dirs: string[];
}

export const WRITE_AHEAD_FILE = "write-ahead.json";

export function makeRecord(
  command: string,
  parent: string | undefined,
  commit: string,
  files: JournalFile[],
  dirs: string[],
): WriteAheadRecord {
  return {
    version: 1,
    pid: process.pid,
    start: processStart(process.pid),
    command,
    since: new Date().toISOString(),
    parent: parent ?? null,
    commit,
    files,
    dirs,
  };
}

/** Write the journal whole (temp file and rename); the caller makes it durable with the objects. */
export function writeJournal(file: string, rec: WriteAheadRecord): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(rec)}\n`);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The journal left at `file`: undefined when there is none, "unreadable" when it is not one. */
export function readJournal(file: string): WriteAheadRecord | undefined | "unreadable" {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return "unreadable";
  }
  try {
    const r = JSON.parse(text) as WriteAheadRecord;
    const ok =
      r?.version === 1 &&
      typeof r.commit === "string" &&
      Array.isArray(r.files) &&
      Array.isArray(r.dirs) &&
      r.files.every((f) => typeof f?.path === "string" && !f.path.split("/").includes(".."));
    return ok ? r : "unreadable";
  } catch {
    return "unreadable";
  }
}

export function removeJournal(file: string): void {
  rmSync(file, { force: true });
}
