import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { commitMessage } from "../core/commit-message.js";
import type { RecordSummary } from "../core/model.js";
import { OfficeError, refused } from "../core/problems.js";
import { type Allocator, indexAllocator } from "./allocate.js";
import { inBackground } from "./background.js";
import { folderTimes, keepClean } from "./edits.js";
import { writeFailure } from "./failures.js";
import {
  assertRepository,
  type CommitGuard,
  commitChanges,
  git,
  type Identity,
  RECORD_ACTIONS,
  type WarmGit,
  warmGit,
} from "./git.js";
import { plainGitDir } from "./git-objects.js";
import { RecordIndex } from "./index-cache.js";
import { acquireLock, sweepDeadTemps } from "./lock.js";
import { noteCommit } from "./log-index.js";
import { recoverWrite } from "./recovery.js";
import { LOCAL_DIR, OFFICE_FILE, type Registry } from "./registry.js";
import { autoSync, Restart, remoteOf, ShareSession, syncFirst } from "./share.js";
import { configuredSigner, type Signer } from "./signing.js";

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

/**
 * What every write relies on besides the files it changes: the office (people, roles), the
 * workflows and the calendar, as the registry reads them. An uncommitted edit of any of them
 * refuses the write (see commitChanges).
 */
const REGISTRY_GUARD: CommitGuard = {
  files: [OFFICE_FILE],
  folders: [
    { path: "workflows", match: /\.yaml$/ },
    { path: "calendar", match: /^\d{4}\.yaml$/ },
  ],
};

/**
 * One write: the files it puts are kept in memory and committed together by `commit`, which writes
 * them into the work tree only once the commit exists (see commitChanges). A write that fails or
 * never commits leaves every file as it was.
 */
export class Transaction {
  private changes = new Map<string, string>();
  private summaries: RecordSummary[] = [];
  /** Modification times of the folders this write commits into, before it (see keepClean). */
  private folders: Record<string, number> = {};
  committed?: string;
  /** The commit it was made on: normally the index's head, unless git moved HEAD meanwhile. */
  private parent?: string;

  constructor(
    readonly reg: Registry,
    readonly index: RecordIndex,
    private readonly command: string,
    /** Git processes started for the first commit (see warmGit). */
    private warm?: WarmGit,
    /** The registry's shared remote, when it has one (issue 17). */
    readonly share?: ShareSession,
  ) {}

  /** Numbers for this write (ids, document numbers, archive items): see allocate.ts. */
  allocator(): Allocator {
    return indexAllocator(this.reg, this.index, this.share);
  }

  /** Put a file (relative path) into this write's commit; the work tree gets it when it is committed. */
  put(rel: string, content: string): void {
    this.changes.set(rel, content);
  }

  /** Tell the index about a record this transaction wrote. */
  summary(s: RecordSummary): void {
    this.summaries.push(s);
    this.index.reserve(s);
  }

  paths(): string[] {
    return [...this.changes.keys()];
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
    this.folders = folderTimes(this.reg.dir, new Set(this.paths().map((p) => dirname(p))));
    const sign = await this.signer(info.recorderId);
    const made = await commitChanges(
      this.reg.dir,
      [...this.changes].map(([path, text]) => ({ path, content: Buffer.from(text, "utf8") })),
      {
        message,
        author: info.author,
        committer: info.committer,
        ...(sign ? { sign } : {}),
        ...(info.authorDate ? { authorDate: info.authorDate } : {}),
        ...(info.committerDate ? { committerDate: info.committerDate } : {}),
      },
      {
        ...(warm ? { warm } : {}),
        guard: { ...REGISTRY_GUARD, cache: this.reg.path(LOCAL_DIR, "hashes.json") },
        journal: { dir: this.reg.path(LOCAL_DIR), command: this.command },
      },
    );
    this.committed = made.commit;
    this.parent = made.parent;
    noteCommit(this.reg.dir, made.parent, made.commit, this.paths()); // issue 11: each record's commits
    return this.committed;
  }

  /**
   * The signer of a commit whose operator (committer) is `recorderId`: their commits are signed when
   * office.yaml gives them a `signing_key` and git's `user.signingkey` is set here (issue 18).
   * Nobody else's write starts a process for it.
   */
  private async signer(recorderId: string | undefined): Promise<Signer | undefined> {
    if (!recorderId) return undefined;
    let key: string | undefined;
    try {
      key = this.reg.office().people.find((p) => p.id === recorderId)?.signing_key;
    } catch {
      return undefined;
    }
    return key ? configuredSigner(this.reg.dir) : undefined;
  }

  /** End the early git processes if no commit used them (they hold git's index lock). */
  async release(): Promise<void> {
    await this.warm?.cancel();
    this.warm = undefined;
  }

  finishIndex(): void {
    if (!this.committed) return;
    keepClean(this.reg.dir, this.folders);
    for (const s of this.summaries) this.index.apply(s);
    this.index.commitWrites(this.committed, this.parent ?? "");
  }
}

/**
 * How long a write waits for one live holder of the lock: OFFICE_DOC_LOCK_WAIT seconds, 30 by
 * default. A write holds it for a fraction of a second; `sync` holds it while it talks to the
 * remote, and 30 writers started at once on a busy 2-core machine took 13 s before the first was
 * done. A dead holder is never waited for.
 */
function lockWaitMs(): number {
  const s = Number(process.env.OFFICE_DOC_LOCK_WAIT);
  return Number.isFinite(s) && s >= 0 && process.env.OFFICE_DOC_LOCK_WAIT !== "" ? s * 1000 : 30_000;
}

let xfszIgnored = false;

/**
 * Take the registry lock for a write, then put right what a writer that died left: its temp files,
 * and the write its journal names (finished or undone, never committed anew; see recoverWrite).
 * Returns the release function. Errors: lock.held, and those of the recovery (a git failure).
 */
export async function lockRegistry(
  reg: Registry,
  command: string,
  waitMs = lockWaitMs(),
): Promise<() => void> {
  // A commit makes a dozen files durable with fsyncs in parallel, overlapping git's index update;
  // libuv's default 4 threads would run them in three or four rounds (2-3 ms longer here).
  process.env.UV_THREADPOOL_SIZE ??= "12";
  if (!xfszIgnored) {
    // Past `ulimit -f` a write then fails with EFBIG, which is reported, instead of killing the
    // process with SIGXFSZ in the middle of it.
    process.on("SIGXFSZ", () => undefined);
    xfszIgnored = true;
  }
  const lockFile = reg.path(LOCAL_DIR, "lock");
  const release = await acquireLock(lockFile, command, waitMs).catch((e: unknown) => {
    throw writeFailure(e, reg.dir, lockFile);
  });
  try {
    // Also when the lock was free: a writer killed before it linked its lock file in leaves the
    // temp file it wrote, and nobody would ever take over a lock from it. One readdir.
    sweepDeadTemps(reg.path(LOCAL_DIR));
    await recoverWrite(reg.dir, reg.path(LOCAL_DIR));
  } catch (e) {
    release();
    // The journal stays: the next write tries again.
    throw writeFailure(e, reg.dir, reg.path(LOCAL_DIR));
  }
  return release;
}

export interface TransactOptions {
  /**
   * `fn` reads the configuration files it changes itself, under the lock (`person add` edits
   * office.yaml as it finds it then): a change made meanwhile by another writer is kept, not refused.
   */
  rereadsConfig?: boolean;
}

/**
 * Run a write under the registry lock: the index is brought up to date with HEAD first (so numbers
 * are allocated against every committed record), `fn` puts files and commits; on any failure
 * nothing of it is in the work tree, git's index or HEAD. Refuses a registry that is not its own
 * git repository, or whose HEAD is not on a branch, and (write.config-changed, exit 1) a write
 * planned on an office.yaml, workflow or calendar year another writer changed while it waited.
 *
 * With a shared remote (issue 17): a write's first number reaches the remote first (allocate.ts),
 * and a write that took a final number is pushed before it returns; when the remote took that number
 * first, the commit is taken back, this clone brought up to date and `fn` run again, so that what
 * the command reports is what was shared. `fn` may therefore run more than once (it only reads and
 * puts; nothing is written before its commit). With `sync.auto`, every write syncs first and after.
 * A write that fails puts HEAD back where it found it, also when the remote's work had come in.
 */
export async function transact<T>(
  reg: Registry,
  command: string,
  fn: (tx: Transaction) => Promise<T>,
  opts: TransactOptions = {},
): Promise<T> {
  reg.ensureExists();
  assertRepository(reg.dir, true);
  const remote = await remoteOf(reg);
  const release = await lockRegistry(reg, command);
  // The command read the office, workflows and calendar before it waited for the lock: if another
  // writer changed one meanwhile, what it planned (due dates, routes, a whole calendar year) is
  // from the old one, and committing it would undo that writer's change or contradict it.
  const moved = reg.configMoved();
  if (moved !== undefined) {
    if (!opts.rereadsConfig) {
      release();
      throw refused("write.config-changed", { file: moved });
    }
    reg.forget();
  }
  const share = remote ? new ShareSession(reg, remote, command) : undefined;
  try {
    return await shared(reg, command, fn, share);
  } catch (e) {
    // A failed command leaves the clone as it found it, also when bringing it up to date with the
    // remote had moved HEAD before the failure.
    await share?.restore();
    throw e;
  } finally {
    release();
  }
}

/** transact's loop under the lock: the write, made again while the remote took its number first. */
async function shared<T>(
  reg: Registry,
  command: string,
  fn: (tx: Transaction) => Promise<T>,
  share: ShareSession | undefined,
): Promise<T> {
  if (share) await share.remember();
  const auto = share ? await autoSync(reg) : false;
  if (share && auto) await syncFirst(share);
  let caughtUp = auto;
  for (;;) {
    let done: Awaited<ReturnType<typeof attempt<T>>>;
    try {
      done = await attempt(reg, command, fn, share);
    } catch (e) {
      // A record this clone has not fetched yet (another clerk registered it a minute ago): bring
      // the clone up to date with the remote once, as the README promises `number` and `file` do.
      if (!share || caughtUp || !(e instanceof OfficeError) || e.code !== "store.no-record") throw e;
      caughtUp = true;
      await syncFirst(share);
      if (reg.configMoved() !== undefined) reg.forget();
      continue;
    }
    if (done.again) {
      // The remote's work came in: what it changed of the configuration is read again.
      if (reg.configMoved() !== undefined) reg.forget();
      continue;
    }
    const { tx, result } = done;
    if (!tx.committed) return result;
    const strict = share?.allocatedNow === true;
    if (share && (strict || auto)) {
      // A number is reported only once the remote has it; a write that took none stays here
      // whatever happens (its push is a warning).
      if (auto && share.state === "unknown") await share.fetch();
      const outcome =
        share.state === "offline" && !strict ? "kept" : await share.publish(tx.committed, strict);
      if (outcome === "again") continue;
    }
    share?.announce();
    finishWrite(reg, tx);
    return result;
  }
}

/** One run of a write's `fn` (see transact): its transaction and result, or "run it again". */
async function attempt<T>(
  reg: Registry,
  command: string,
  fn: (tx: Transaction) => Promise<T>,
  share: ShareSession | undefined,
): Promise<{ again: true } | { again?: false; tx: Transaction; result: T }> {
  let tx: Transaction | undefined;
  let warm: WarmGit | undefined;
  try {
    // Started before the index is read: update-index's own start-up is the long pole of a write.
    warm = plainGitDir(reg.dir) ? warmGit(reg.dir) : undefined;
    const index = await RecordIndex.load(reg, { locked: true });
    tx = new Transaction(reg, index, command, warm, share);
    if (share) {
      share.allocatedNow = false;
      const t = tx;
      share.beforeMove = () => t.release();
    }
    try {
      return { tx, result: await fn(tx) };
    } catch (e) {
      if (e instanceof Restart) return { again: true };
      throw e;
    }
  } finally {
    if (tx) await tx.release();
    else await warm?.cancel();
    if (share) share.beforeMove = async () => undefined;
  }
}

/** After a write's commit is final: the derived index and the folders it keeps clean. */
function finishWrite(reg: Registry, tx: Transaction): void {
  if (!tx.committed) return;
  try {
    tx.finishIndex();
  } catch {
    // The index is derived: a failure here is repaired from git on the next read.
    rmSync(reg.path(LOCAL_DIR, "index-open.json"), { force: true });
    rmSync(reg.path(LOCAL_DIR, "index-journal.jsonl"), { force: true });
  }
  maybeMaintain(reg, tx.committed);
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
