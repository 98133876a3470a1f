import { readFileSync } from "node:fs";
import { writeFileAtomic } from "./atomic.js";
import { git } from "./git.js";
import { LOCAL_DIR, type Registry } from "./registry.js";

/**
 * When the registry's history began: the committer time (epoch ms) of its first commit (`init`), or
 * undefined in a repository without commits. Nothing can have happened in the registry before it, so
 * `--at` refuses an earlier time (issue 12). Finding the root commit walks the whole history (0.24 s
 * at 300,000 commits with a commit-graph, measured 2026-12-03), so the answer is kept in the local
 * folder (`.office-doc/history-start`): a history's first commit never changes.
 */
export async function historyStart(reg: Registry): Promise<number | undefined> {
  const file = reg.path(LOCAL_DIR, "history-start");
  try {
    const kept = Number(readFileSync(file, "utf8").trim());
    if (Number.isFinite(kept) && kept > 0) return kept;
  } catch {
    // Not kept yet: ask git.
  }
  const r = await git(reg.dir, ["log", "--max-parents=0", "--format=%ct", "HEAD"], { okCodes: [128] });
  const times = r.code === 0 ? r.stdout.split("\n").filter(Boolean).map(Number) : [];
  if (!times.length) return undefined;
  const ms = Math.min(...times) * 1000;
  try {
    writeFileAtomic(file, `${ms}\n`);
  } catch {
    // A cache that cannot be written is asked again next time.
  }
  return ms;
}
