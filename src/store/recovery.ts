import { existsSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic.js";
import { git, headCommit, setIndexEntries } from "./git.js";
import { catFileBatch } from "./git-objects.js";
import { type JournalFile, readJournal, removeJournal, WRITE_AHEAD_FILE } from "./write-ahead.js";

/** What recoverWrite did. */
export type Recovery = "none" | "finished" | "undone" | "abandoned";

/**
 * Finish or undo the write that a killed process left half done (its write-ahead journal in
 * `localDir`). Run under the registry lock, before any other write. Never commits anything:
 *
 * - HEAD is the journal's commit: the commit was made before the process died. The files it
 *   committed are put into the work tree (from the temp files, or from git's objects) and git's
 *   index is given their entries.
 * - HEAD is the journal's parent: nothing was committed. Any work-tree file and index entry that
 *   took the new content is put back; the temp files and folders made for them are removed.
 * - HEAD is anything else (moved by git since): the temp files are removed, and a file HEAD holds
 *   with the write's new content while the work tree still has the old is given HEAD's (followHead).
 *
 * A work-tree file that is neither the old nor the new content was changed by someone since, and is
 * left as it is. Idempotent: killed during recovery, the next writer runs it again.
 */
export async function recoverWrite(dir: string, localDir: string): Promise<Recovery> {
  const file = join(localDir, WRITE_AHEAD_FILE);
  const rec = readJournal(file);
  if (rec === undefined) return "none";
  // Written through a temp file and a rename: a journal that does not parse is not one of ours.
  if (rec === "unreadable") {
    removeJournal(file);
    return "abandoned";
  }
  const head = (await headCommit(dir)) ?? null;
  const outcome: Recovery = head === rec.commit ? "finished" : head === rec.parent ? "undone" : "abandoned";
  if (outcome === "abandoned" && head) await followHead(dir, head, rec.files);
  if (outcome !== "abandoned") {
    const which = outcome === "finished" ? "new" : "old";
    const other = outcome === "finished" ? "old" : "new";
    const here = await workTreeOids(dir, rec.files);
    const fix = rec.files.filter((f) => here.get(f.path) !== (f[which]?.oid ?? undefined));
    const wanted = fix.filter((f) => here.get(f.path) === (f[other]?.oid ?? undefined));
    const blobs = await catFileBatch(
      dir,
      wanted.flatMap((f) => (f[which] ? [f[which]?.oid as string] : [])),
    );
    let k = 0;
    for (const f of wanted) {
      const target = join(dir, f.path);
      const ref = f[which];
      if (!ref) {
        rmSync(target, { force: true });
        continue;
      }
      const blob = blobs[k++];
      if (!blob) throw new Error(`object ${ref.oid} of ${f.path} is missing`);
      writeFileAtomic(target, blob.body);
    }
    await setIndexEntries(dir, rec.files, which);
  }
  for (const f of rec.files) if (f.tmp) rmSync(join(dir, f.tmp), { force: true });
  if (outcome !== "finished")
    for (const d of [...rec.dirs].reverse()) {
      try {
        rmdirSync(join(dir, d));
      } catch {
        /* not empty, or gone */
      }
    }
  removeJournal(file);
  return outcome;
}

/**
 * HEAD moved since the killed write (someone ran `git commit` on the index it had staged, say): a
 * file whose work-tree bytes are still the write's old ones while HEAD holds its new ones is given
 * HEAD's, so the work tree says what the commit does. Anything else is left as it is.
 */
async function followHead(dir: string, head: string, files: JournalFile[]): Promise<void> {
  const candidates = files.filter((f) => f.new);
  if (!candidates.length) return;
  const r = await git(dir, ["ls-tree", "-z", head, "--", ...candidates.map((f) => f.path)], {
    okCodes: [128],
  });
  if (r.code !== 0) return;
  const atHead = new Map<string, string>();
  for (const line of r.stdout.split("\0")) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(line);
    if (m) atHead.set(m[2] as string, m[1] as string);
  }
  const here = await workTreeOids(dir, candidates);
  const follow = candidates.filter(
    (f) => atHead.get(f.path) === f.new?.oid && here.get(f.path) === (f.old?.oid ?? undefined),
  );
  if (!follow.length) return;
  const blobs = await catFileBatch(
    dir,
    follow.map((f) => f.new?.oid as string),
  );
  follow.forEach((f, i) => {
    const blob = blobs[i];
    if (blob) writeFileAtomic(join(dir, f.path), blob.body);
  });
}

/** The blob ids of the files as the work tree holds them (absent: no entry). */
async function workTreeOids(dir: string, files: JournalFile[]): Promise<Map<string, string>> {
  const present = files.filter((f) => existsSync(join(dir, f.path))).map((f) => f.path);
  const out = new Map<string, string>();
  if (!present.length) return out;
  const r = await git(dir, ["hash-object", "--no-filters", "--stdin-paths"], {
    input: present.map((p) => `${p}\n`).join(""),
  });
  r.stdout
    .trim()
    .split("\n")
    .forEach((oid, i) => {
      out.set(present[i] as string, oid);
    });
  return out;
}
