import { existsSync, readFileSync, rmSync } from "node:fs";
import { commitMessage } from "../core/commit-message.js";
import type { HistoryEvent, RecordSummary } from "../core/model.js";
import { writeFileAtomic } from "./atomic.js";
import { inBackground } from "./background.js";
import {
  commitFiles,
  commitPaths,
  git,
  type Identity,
  RECORD_ACTIONS,
  resetIndexPaths,
  type WarmGit,
  warmGit,
} from "./git.js";
import { plainGitDir } from "./git-objects.js";
import { RecordIndex } from "./index-cache.js";
import { fastLoad } from "./lazy.js";
import { acquireLock } from "./lock.js";
import { noteCommit } from "./log-index.js";
import { LOCAL_DIR, type Registry } from "./registry.js";

export interface CommitInfo {
  action: string;
  /** Record id, when the action is on one record. */
  record?: string;
  subject: string;
  author: Identity;
  committer: Identity;
  actorId?: string;
  recorderId?: string;
  /** When the actor acted, and when it was recorded (ISO 8601 with offset). */
  authorDate?: string;
  committerDate?: string;
  /** More trailers, e.g. `Office-Doc-Records` for a commit that touches several records. */
  trailers?: Record<string, string>;
  /**
   * Records of this commit whose own event is another action than the commit's (the tasks a meeting's
   * wrap-up creates: `assign` in a `sign` commit): id -> action, in `Office-Doc-Record-Actions`.
   */
  recordActions?: Record<string, string>;
}

/** One write: everything it put on disk is committed together, or restored as it was. */
export class Transaction {
  private originals = new Map<string, string | undefined>();
  private summaries: RecordSummary[] = [];
  committed?: string;
  /** The commit it was made on: normally the index's head, unless git moved HEAD meanwhile. */
  private parent?: string;

  constructor(
    readonly reg: Registry,
    readonly index: RecordIndex,
    /** Git processes started for the first commit (see warmGit). */
    private warm?: WarmGit,
  ) {}

  /** Write a file (relative path) atomically, remembering what was there. */
  put(rel: string, content: string): void {
    if (!this.originals.has(rel)) this.originals.set(rel, this.reg.readText(rel));
    writeFileAtomic(this.reg.path(rel), content);
  }

  /** Tell the index about a record this transaction wrote. */
  summary(s: RecordSummary): void {
    this.summaries.push(s);
  }

  paths(): string[] {
    return [...this.originals.keys()];
  }

  async commit(info: CommitInfo): Promise<string> {
    const trailers: Record<string, string> = { "Office-Doc-Action": info.action };
    if (info.record) trailers["Office-Doc-Record"] = info.record;
    if (info.actorId) trailers["Office-Doc-Actor"] = info.actorId;
    if (info.recorderId) trailers["Office-Doc-Recorded-By"] = info.recorderId;
    Object.assign(trailers, info.trailers ?? {});
    const own = Object.entries(info.recordActions ?? {});
    if (own.length) trailers[RECORD_ACTIONS] = own.map(([id, a]) => `${id}=${a}`).join(", ");
    const message = commitMessage(info.subject, trailers); // issue 12: one line each, no forged trailers
    const warm = this.warm;
    this.warm = undefined;
    const made = await commitFiles(
      this.reg.dir,
      this.paths(),
      {
        message,
        author: info.author,
        committer: info.committer,
        ...(info.authorDate ? { authorDate: info.authorDate } : {}),
        ...(info.committerDate ? { committerDate: info.committerDate } : {}),
      },
      warm,
    );
    this.committed = made.commit;
    this.parent = made.parent;
    noteCommit(this.reg.dir, made.parent, made.commit, this.paths()); // issue 11: each record's commits
    return this.committed;
  }

  /** End the early git processes if no commit used them (they hold git's index lock). */
  async release(): Promise<void> {
    await this.warm?.cancel();
    this.warm = undefined;
  }

  /** Put every file back as it was and the git index with it. */
  async rollback(): Promise<void> {
    await this.release();
    for (const [rel, text] of this.originals) {
      if (text === undefined) rmSync(this.reg.path(rel), { force: true });
      else writeFileAtomic(this.reg.path(rel), text);
    }
    await resetIndexPaths(this.reg.dir, this.paths()).catch(() => undefined);
  }

  finishIndex(): void {
    if (!this.committed) return;
    for (const s of this.summaries) this.index.apply(s);
    this.index.commitWrites(this.committed, this.parent ?? "");
  }
}

/**
 * Run a write under the registry lock: the index is brought up to date with HEAD first (so numbers
 * are allocated against every committed record), `fn` writes and commits, and on any failure every
 * file is restored and nothing is committed.
 */
export async function transact<T>(
  reg: Registry,
  command: string,
  fn: (tx: Transaction) => Promise<T>,
): Promise<T> {
  reg.ensureExists();
  let crashed: { pid: number; command: string } | undefined;
  const release = await acquireLock(reg.path(LOCAL_DIR, "lock"), command, 5000, (h) => {
    crashed = h;
  });
  let tx: Transaction | undefined;
  let warm: WarmGit | undefined;
  try {
    if (crashed) await recoverCrashedWrites(reg, crashed);
    // Started before the index is read: update-index's own start-up is the long pole of a write.
    warm = plainGitDir(reg.dir) ? warmGit(reg.dir) : undefined;
    const index = await RecordIndex.load(reg);
    tx = new Transaction(reg, index, warm);
    const result = await fn(tx);
    if (tx.committed) {
      try {
        tx.finishIndex();
      } catch {
        // The index is derived: a failure here is repaired from git on the next read.
        rmSync(reg.path(LOCAL_DIR, "index-open.json"), { force: true });
        rmSync(reg.path(LOCAL_DIR, "index-journal.jsonl"), { force: true });
      }
      maybeMaintain(reg, tx.committed);
    }
    return result;
  } catch (e) {
    if (tx && !tx.committed) await tx.rollback();
    throw e;
  } finally {
    if (tx) await tx.release();
    else await warm?.cancel();
    release();
  }
}

/**
 * Plumbing commits never run `git gc --auto`; do it now and then (one commit in 16, picked by its
 * hash) so loose objects do not pile up. gc detaches itself and keeps the commit-graph's
 * changed-path filters that make `git log -- <path>` fast.
 */
function maybeMaintain(reg: Registry, commit: string): void {
  if (!commit.startsWith("0")) return;
  inBackground(git(reg.dir, ["gc", "--auto", "--quiet"]));
}

/** Has a crash left files of the registry written but not committed? (check reports it.) */
export function readLockInfo(reg: Registry): string | undefined {
  const p = reg.path(LOCAL_DIR, "lock");
  return existsSync(p) ? readFileSync(p, "utf8") : undefined;
}

/**
 * A process that died holding the lock may have written record files without committing them. Each
 * such file that is a valid record is committed now as the action its last history event records
 * (a crash must never lose a record); a broken one is left for `check` to name.
 */
async function recoverCrashedWrites(reg: Registry, crashed: { pid: number; command: string }): Promise<void> {
  const status = (
    await git(reg.dir, ["status", "--porcelain", "-z", "--untracked-files=all", "--", "records"])
  ).stdout;
  const files = status
    .split("\0")
    .filter((l) => l.length > 3)
    .map((l) => l.slice(3))
    .filter((f) => f.endsWith(".yaml"));
  for (const rel of files) {
    const text = reg.readText(rel);
    if (text === undefined) continue;
    let rec: Record<string, unknown>;
    try {
      rec = fastLoad(text) as Record<string, unknown>;
    } catch {
      continue;
    }
    const history = Array.isArray(rec?.history) ? (rec.history as HistoryEvent[]) : [];
    const last = history[history.length - 1];
    const office = reg.office();
    const person = (id: string | undefined) => office.people.find((p) => p.id === id);
    const actor = person(last?.actor);
    const recorder = person(last?.recorded_by);
    if (!last || !actor || !recorder || typeof rec.id !== "string") continue;
    await commitPaths(reg.dir, [rel], {
      message: commitMessage(
        `${last.action} ${rec.id}: ${String(rec.title ?? "")}`,
        {
          "Office-Doc-Action": last.action,
          "Office-Doc-Record": rec.id,
          "Office-Doc-Actor": actor.id,
          "Office-Doc-Recorded-By": recorder.id,
        },
        `Recovered after process ${crashed.pid} (${crashed.command}) stopped before committing.`,
      ),
      author: { name: actor.name, email: actor.email ?? `${actor.id}@office-doc.invalid` },
      committer: { name: recorder.name, email: recorder.email ?? `${recorder.id}@office-doc.invalid` },
      authorDate: last.at,
    });
  }
}
