import {
  closeSync,
  existsSync,
  fsync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { failed, OfficeError, refused } from "../core/problems.js";
import { gitFailure, writeFailure } from "./failures.js";
import {
  catFileBatch,
  entryAt,
  foldersOf,
  type GitExit,
  type HeadSnapshot,
  identLine,
  objectId,
  plainGitDir,
  planCommit,
  readHead,
  readHeadFile,
  readSnapshot,
  replaceCommit,
  type StartedGit,
  startGit,
  writeObjects,
} from "./git-objects.js";
import { nodeCrypto, nodeWorkers, nodeZlib } from "./lazy.js";
import { withSignature } from "./signing.js";
import {
  type BlobRef,
  type JournalFile,
  makeRecord,
  removeJournal,
  WRITE_AHEAD_FILE,
  writeJournal,
} from "./write-ahead.js";

/**
 * Git, always with an explicit working directory. Spawned directly rather than through execa: every
 * command needs git, and loading execa costs ~90 ms a process, more than the whole budget of `show`.
 */

export interface Identity {
  name: string;
  email: string;
}

export interface GitOptions {
  input?: string;
  env?: Record<string, string>;
  /** Exit codes that are answers, not failures (e.g. 1 for "no such ref"). */
  okCodes?: number[];
  /** Stop git after this many ms (see startGit): it then fails as killed. */
  timeoutMs?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run `git args` in `dir`. Throws an OfficeError (exit 1) on failure, naming the git command. */
export async function git(dir: string, args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const r = await startGit(dir, args, opts.env, opts.timeoutMs).end(opts.input ?? "");
  const result = { stdout: r.stdout.toString("utf8"), stderr: r.stderr, code: r.code };
  if (!r.signal && (result.code === 0 || opts.okCodes?.includes(result.code))) return result;
  throw gitFailure(dir, `git ${args.slice(0, 3).join(" ")}`, {
    ...r,
    stderr: r.stderr || result.stdout.trim(),
  });
}

/** The commit HEAD points to, or undefined in a repository with no commits yet. */
export async function headCommit(dir: string): Promise<string | undefined> {
  const gitDir = plainGitDir(dir);
  const read = gitDir ? readHeadFile(gitDir) : null;
  if (read !== null) return read;
  const r = await git(dir, ["rev-parse", "--verify", "-q", "HEAD"], { okCodes: [1, 128] });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** Git's own identity in `dir` (user.name/user.email), or undefined when none is configured. */
export async function configuredIdentity(dir: string): Promise<Identity | undefined> {
  // Only what is configured: git would otherwise make one up from the login and host names.
  const cwd = existsSync(dir) ? dir : process.cwd();
  const get = async (key: string) => {
    const r = await git(cwd, ["config", key], { okCodes: [1] }).catch(() => undefined);
    return r && r.code === 0 ? r.stdout.trim() : "";
  };
  const [name, email] = [await get("user.name"), await get("user.email")];
  return name && email ? { name, email } : undefined;
}

export async function configuredEmail(dir: string): Promise<string | undefined> {
  const r = await git(dir, ["config", "user.email"], { okCodes: [1] }).catch(() => undefined);
  return r && r.code === 0 ? r.stdout.trim() || undefined : undefined;
}

export interface CommitSpec {
  message: string;
  author: Identity;
  committer: Identity;
  /** When the actor acted (ISO 8601 with offset): the author date. */
  authorDate?: string;
  /** When it was recorded: the committer date. */
  committerDate?: string;
  /**
   * Sign the commit (signing.ts): given the commit object's text, the armored SSH signature that
   * goes into its `gpgsig` header. Absent: unsigned, and no process is started for it.
   */
  sign?: (payload: string) => Promise<string>;
}

/**
 * The files a write relies on without changing them: they must be as committed, or an uncommitted
 * hand edit (a person added to office.yaml, a changed time limit) would take part in the write.
 */
export interface CommitGuard {
  files: string[];
  /** Folders and which of their files count (those the registry reads). */
  folders: { path: string; match: RegExp }[];
  /** Where to keep the blob ids of the relied-on files by signature (see HashCache). */
  cache?: string;
}

export interface CommitRun {
  /** Git processes started ahead of the commit (warmGit). */
  warm?: WarmGit;
  /** Refuse when a changed file, or one the guard names, differs from HEAD. */
  guard?: CommitGuard;
  /** Keep a write-ahead journal in this folder (see write-ahead.ts), naming the command. */
  journal?: { dir: string; command: string };
  /** The work tree already holds the new contents (init): git's index and HEAD only. */
  inWorkTree?: boolean;
}

export interface FileChange {
  /** Relative to the repository's top, `/`-separated. */
  path: string;
  /** The new content; undefined deletes the file. */
  content: Buffer | undefined;
}

/**
 * Commit `changes` on the current branch, touching nothing of the registry before the commit exists:
 *
 * 1. read HEAD's folders on the changed paths (`git cat-file --batch`) and refuse when a changed
 *    file or a guarded one differs from HEAD (an uncommitted edit);
 * 2. plan the blobs, folders and commit in memory; write the write-ahead journal;
 * 3. give git's index the new entries (`git update-index --index-info`, started ahead) while the
 *    objects and the work tree's temp files are written and made durable (fsync, in parallel);
 * 4. once they are durable, move HEAD by compare-and-swap (`git update-ref --stdin`, started with
 *    the commit), while git's index may still be being written;
 * 5. rename the temp files into place, remove the journal.
 *
 * Any failure puts git's index back, removes the temp files and the journal, and moves HEAD back if
 * it had moved (git's index failing to take the commit after step 4): the work tree was never
 * touched. A kill anywhere is repaired by the next writer from the journal. Returns the commit and
 * its parent (undefined for a first commit). Errors: OfficeError (exit 1) naming the cause
 * (store.uncommitted-edit, store.detached-head, git.lock-exists, write.disk-full...).
 * In a linked worktree, with GIT_DIR set or in a SHA-256 repository the objects are made by git's
 * plumbing with a temporary index instead.
 */
export async function commitChanges(
  dir: string,
  changes: FileChange[],
  spec: CommitSpec,
  run: CommitRun = {},
): Promise<{ commit: string; parent: string | undefined }> {
  const gitDir = plainGitDir(dir);
  const head = gitDir ? readHead(gitDir) : null;
  if (!gitDir || head === null) {
    await run.warm?.cancel();
    const prep = await prepareThroughGit(dir, changes, spec, run);
    return finishCommit(dir, prep, changes, run, startGit(dir, UPDATE_INDEX), startUpdateRef(dir, spec));
  }
  if (head.branch === null) {
    await run.warm?.cancel();
    throw refused("store.detached-head", { dir });
  }
  const w = run.warm ?? warmGit(dir);
  // Started now and fed once the objects are durable: its start-up overlaps the commit's work.
  const updateRef = startUpdateRef(dir, spec);
  let prep: Prepared;
  try {
    const paths = changes.map((c) => c.path);
    const folders = foldersOf(paths);
    for (const f of run.guard?.folders ?? []) for (const g of foldersOf([`${f.path}/x`])) folders.add(g);
    const reading = readSnapshot(dir, head.oid, folders, w.catFile).catch((e: unknown) => {
      throw e instanceof OfficeError ? e : failed("git.failed", { command: "commit", message: String(e) });
    });
    // While git answers: load what hashing and compressing the objects needs (~4-6 ms of a write).
    nodeCrypto();
    nodeZlib();
    const snap = await reading;
    const oldBytes = new Map<string, Buffer | undefined>();
    if (run.guard && snap.parent) guardClean(dir, snap, changes, run.guard, oldBytes);
    const now = Date.now();
    let plan = planCommit(snap, changes, {
      author: identLine(spec.author.name, spec.author.email, spec.authorDate, now),
      committer: identLine(spec.committer.name, spec.committer.email, spec.committerDate, now),
      message: spec.message,
    });
    if (spec.sign) plan = replaceCommit(plan, withSignature(plan.text, await spec.sign(plan.text)));
    prep = {
      gitDir,
      parent: snap.parent,
      commit: plan.commit,
      files: changes.map((c) => ({
        path: c.path,
        old: blobRef(entryAt(snap, c.path)),
        new: plan.blobs.get(c.path) ?? null,
        tmp: null,
      })),
      oldBytes,
      writeObjects: () => writeObjects(gitDir, plan.objects),
      headNow: async () => readHead(gitDir)?.oid,
    };
  } catch (e) {
    await Promise.all([w.cancel(), updateRef.end("")]);
    throw e;
  }
  await w.catFile.end("");
  return finishCommit(dir, prep, changes, run, w.updateIndex, updateRef);
}

const UPDATE_INDEX = ["update-index", "-z", "--index-info"];

/**
 * `git update-ref --stdin`, to be fed `update HEAD <new> <old>` (a compare-and-swap; HEAD's branch
 * is what moves) or nothing; the reflog says `commit: <subject>` as `git commit` would.
 */
function startUpdateRef(dir: string, spec: CommitSpec, reflog?: string): StartedGit {
  const subject = spec.message.split("\n", 1)[0] ?? "";
  return startGit(dir, ["update-ref", "-m", reflog ?? `commit: ${subject}`, "--stdin", "-z"]);
}

/** A commit planned and not yet made: what finishCommit needs. */
interface Prepared {
  /** git's own folder (where index.lock lives). */
  gitDir: string;
  parent: string | undefined;
  commit: string;
  files: JournalFile[];
  /** The work tree's bytes of the changed files, when the guard read them (for an undo). */
  oldBytes: Map<string, Buffer | undefined>;
  /** Write the planned objects; returns what to make durable before HEAD moves. */
  writeObjects(): { files: string[]; folders: string[] };
  headNow(): Promise<string | undefined>;
}

function blobRef(e: { mode: string; oid: Buffer } | undefined): BlobRef {
  return e && e.mode !== "40000" ? { mode: e.mode, oid: e.oid.toString("hex") } : null;
}

/** A file's bytes, undefined when there is none; store.unreadable (exit 1) when it cannot be read. */
function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR") return undefined;
    throw failed("store.unreadable", { file, message: (e as Error).message.split("\n")[0] ?? "" });
  }
}

/**
 * Blob ids of files the guard has hashed, by file signature (size, inode, modification and change
 * times; the change time cannot be set back by hand), so that a write does not read and hash the
 * office, workflows and ~25 calendar years every time (~1.5 ms on a quiet machine, 8 ms on a busy
 * one; a stat each instead). Only files older than 2 s are kept: a file changed again within the
 * same clock tick would otherwise keep its signature ("racy git").
 */
class HashCache {
  private entries: Record<string, string> = {};
  private dirty = false;

  constructor(private readonly file: string | undefined) {
    if (!file) return;
    try {
      const v = JSON.parse(readFileSync(file, "utf8")) as {
        version?: number;
        entries?: Record<string, string>;
      };
      if (v.version === 1 && typeof v.entries === "object" && v.entries) this.entries = v.entries;
    } catch {
      this.entries = {};
    }
  }

  /** The blob id of `dir/path` as it is now (undefined when there is no such file). */
  blob(dir: string, path: string): string | undefined {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(join(dir, path));
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const sig = `${st.size}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
    const hit = this.entries[path];
    if (hit?.startsWith(`${sig} `)) return hit.slice(sig.length + 1);
    const bytes = readOrUndefined(join(dir, path));
    if (bytes === undefined) return undefined;
    const oid = objectId("blob", bytes).toString("hex");
    if (this.file && Date.now() - Math.max(st.mtimeMs, st.ctimeMs) > 2000 && bytes.length === st.size) {
      this.entries[path] = `${sig} ${oid}`;
      this.dirty = true;
    }
    return oid;
  }

  save(): void {
    if (!this.file || !this.dirty) return;
    const tmp = `${this.file}.${process.pid}.${Date.now()}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify({ version: 1, entries: this.entries }));
      renameSync(tmp, this.file);
    } catch {
      rmSync(tmp, { force: true });
    }
  }
}

/**
 * Refuse (exit 1, naming the file) when a file the write changes or relies on is not as HEAD has
 * it. Compares blob ids of the work tree's files with the tree entries already read (the relied-on
 * ones through HashCache), instead of `git status` over every record. Keeps the changed files' bytes.
 */
function guardClean(
  dir: string,
  snap: HeadSnapshot,
  changes: FileChange[],
  guard: CommitGuard,
  oldBytes: Map<string, Buffer | undefined>,
): void {
  const cache = new HashCache(guard.cache);
  const compare = (path: string, here: string | undefined) => {
    const inHead = blobRef(entryAt(snap, path));
    if (here === inHead?.oid) return;
    if (inHead === null) throw refused("store.untracked-file", { file: path });
    throw refused("store.uncommitted-edit", { file: path });
  };
  const changed = new Set(changes.map((c) => c.path));
  const wanted = new Map(changes.map((c) => [c.path, c.content]));
  for (const p of changed) {
    const bytes = readOrUndefined(join(dir, p));
    oldBytes.set(p, bytes);
    // A file that already holds exactly what this commit writes (`config commit` taking an
    // administrator's edit of a workflow, issue 18) launders nothing: the commit says what it is.
    if (bytes !== undefined && wanted.get(p)?.equals(bytes)) continue;
    compare(p, bytes === undefined ? undefined : objectId("blob", bytes).toString("hex"));
  }
  const relied = guard.files.filter((f) => !changed.has(f));
  for (const { path, match } of guard.folders) {
    const names = new Set<string>();
    for (const [name, e] of snap.folders.get(path) ?? [])
      if (e.mode !== "40000" && match.test(name)) names.add(name);
    let here: string[] = [];
    try {
      here = readdirSync(join(dir, path));
    } catch {
      here = [];
    }
    for (const name of here) if (match.test(name)) names.add(name);
    for (const name of names) if (!changed.has(`${path}/${name}`)) relied.push(`${path}/${name}`);
  }
  try {
    for (const f of relied) compare(f, cache.blob(dir, f));
  } finally {
    cache.save();
  }
}

/** Never rejects: the outcome of a promise, so that a failure cannot go unobserved. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * Make files and folders durable, in parallel: one fsync each through libuv's threads (callbacks:
 * fs.promises would load ~10 more of node's modules, ~3 ms of a write). Resolves with the first
 * error, or undefined; never rejects.
 */
function fsyncAll(files: string[], folders: string[]): Promise<unknown> {
  const all: [string, boolean][] = [
    ...files.map((f) => [f, false] as [string, boolean]),
    ...folders.map((f) => [f, true] as [string, boolean]),
  ];
  return new Promise((resolve) => {
    let left = all.length;
    let first: unknown;
    const done = (e?: unknown) => {
      if (e !== undefined && first === undefined) first = e;
      if (--left === 0) resolve(first);
    };
    if (left === 0) resolve(undefined);
    for (const [path, folder] of all) {
      let fd: number;
      try {
        fd = openSync(path, "r");
      } catch (e) {
        done(e);
        continue;
      }
      fsync(fd, (err) => {
        try {
          closeSync(fd);
        } catch {
          /* closed */
        }
        // Some file systems cannot fsync a folder; its entries are then as durable as it allows.
        const ignorable = folder && ["EINVAL", "EISDIR", "EPERM", "EBADF"].includes(err?.code ?? "");
        done(err && !ignorable ? err : undefined);
      });
    }
  });
}

/** `update-index --index-info` lines that set each file's entry to `which` (NUL-terminated). */
function indexInfo(files: JournalFile[], which: "old" | "new", zero: string): string {
  return files
    .map((f) => {
      const ref = f[which];
      return ref ? `${ref.mode} ${ref.oid}\t${f.path}\0` : `0 ${zero}\t${f.path}\0`;
    })
    .join("");
}

/** Set git's index entries of the files to their entries before (`old`) or after (`new`) a commit. */
export async function setIndexEntries(
  dir: string,
  files: JournalFile[],
  which: "old" | "new",
): Promise<void> {
  const zero = "0".repeat(files.map((f) => f.old ?? f.new).find(Boolean)?.oid.length ?? 40);
  const r = await startGit(dir, UPDATE_INDEX).end(indexInfo(files, which, zero));
  if (r.code !== 0 || r.signal) throw gitFailure(dir, "git update-index", r, ".git/index");
}

/** Does git's index hold the files' entries before (`old`) or after (`new`)? False when unsure. */
async function indexHolds(dir: string, files: JournalFile[], which: "old" | "new"): Promise<boolean> {
  const r = await startGit(dir, ["ls-files", "-s", "-z", "--", ...files.map((f) => `:(literal)${f.path}`)])
    .end("")
    .catch(() => undefined);
  if (r?.code !== 0 || r.signal) return false;
  const has = new Map<string, string>();
  for (const rec of r.stdout.toString("utf8").split("\0")) {
    const m = /^(\d+) ([0-9a-f]+) 0\t(.*)$/s.exec(rec);
    if (m) has.set(m[3] as string, `${m[1]} ${m[2]}`);
  }
  return files.every(
    (f) => has.get(f.path) === (f[which] ? `${f[which]?.mode} ${f[which]?.oid}` : undefined),
  );
}

/**
 * A git process of ours that was killed leaves the lock file it held (git removes it only on the
 * signals it catches). Remove `lock` when it appeared while that process ran: nobody else can have
 * created it while ours held it.
 */
function removeLockLeftBy(gitDir: string, rel: string, started: StartedGit, r: GitExit | undefined): void {
  if (!r?.signal) return;
  const lock = join(gitDir, rel);
  try {
    if (statSync(lock).ctimeMs >= started.startedAt - 5) rmSync(lock, { force: true });
  } catch {
    /* none left */
  }
}

/**
 * Is git's index locked by someone else than our update-index (a lock older than it: left by a
 * crash, or held by another git command)? Ours then fails when it ends; HEAD must not move first.
 */
function foreignLock(gitDir: string, ours: StartedGit): boolean {
  try {
    return statSync(join(gitDir, "index.lock")).ctimeMs < ours.startedAt - 5;
  } catch {
    return false;
  }
}

/** Folders that must be created for `files` (relative), outermost first. */
function missingFolders(dir: string, files: string[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    const chain: string[] = [];
    for (let d = dirname(f); d !== "." && d !== "" && !existsSync(join(dir, d)); d = dirname(d))
      chain.unshift(d);
    for (const d of chain) out.add(d);
  }
  return [...out].sort((a, b) => a.split("/").length - b.split("/").length);
}

/**
 * A hook for tests of crash recovery: OFFICE_DOC_FAILPOINT=<name> kills this process at that step of
 * a commit, the way `kill -9` would (journal-written, objects-durable, head-moved, file-renamed).
 */
function failpoint(name: string): void {
  // Never in a worker thread (the CLI run as a library, in tests): that would kill its host.
  if (process.env.OFFICE_DOC_FAILPOINT === name && nodeWorkers().isMainThread)
    process.kill(process.pid, "SIGKILL");
}

let tmpSeq = 0;

function tempNameFor(path: string): string {
  return `${dirname(path) === "." ? "" : `${dirname(path)}/`}.${basename(path)}.${process.pid}.${Date.now()}${tmpSeq++}.tmp`;
}

/** Remove temp files and the folders made for them (emptied ones only), the journal last. */
function cleanUp(dir: string, files: JournalFile[], dirs: string[], journal: string | undefined): void {
  for (const f of files) if (f.tmp) rmSync(join(dir, f.tmp), { force: true });
  for (const d of [...dirs].reverse()) {
    try {
      rmdirSync(join(dir, d));
    } catch {
      /* not empty or gone */
    }
  }
  if (journal) removeJournal(journal);
}

/** Steps 2 (journal) to 5 of commitChanges, the same for both ways of making the objects. */
async function finishCommit(
  dir: string,
  prep: Prepared,
  changes: FileChange[],
  run: CommitRun,
  updateIndex: StartedGit,
  updateRef: StartedGit,
): Promise<{ commit: string; parent: string | undefined }> {
  const zero = "0".repeat(prep.commit.length);
  const content = new Map(changes.map((c) => [c.path, c.content]));
  const files = prep.files;
  if (!run.inWorkTree) for (const f of files) if (f.new) f.tmp = tempNameFor(f.path);
  const dirs = run.inWorkTree
    ? []
    : missingFolders(
        dir,
        files.filter((f) => f.new).map((f) => f.path),
      );
  const journal = run.journal ? join(run.journal.dir, WRITE_AHEAD_FILE) : undefined;

  // Undo everything before HEAD moved; the error thrown is the first cause.
  const abandon = async (cause: OfficeError, indexTouched: boolean): Promise<never> => {
    await updateRef.end("");
    let kept = false;
    if (indexTouched && !(await indexHolds(dir, files, "old"))) {
      try {
        await setIndexEntries(dir, files, "old");
      } catch {
        // The journal stays (the next writer puts git's index back), unless it is back already.
        kept = !(await indexHolds(dir, files, "old"));
      }
    }
    cleanUp(dir, files, dirs, kept ? undefined : journal);
    throw cause;
  };

  try {
    if (journal && run.journal) {
      mkdirSync(run.journal.dir, { recursive: true });
      writeJournal(journal, makeRecord(run.journal.command, prep.parent, prep.commit, files, dirs));
    }
  } catch (e) {
    const [st] = await Promise.all([settle(updateIndex.end("")), updateRef.end("")]);
    // Ended with nothing to do, update-index still writes the index; past `ulimit -f` it is killed
    // doing so and leaves index.lock, which would refuse every later write.
    if (st.ok) removeLockLeftBy(prep.gitDir, "index.lock", updateIndex, st.value);
    throw writeFailure(e, dir, journal ?? dir);
  }

  failpoint("journal-written");
  let stagingResult: Settled<GitExit> | undefined;
  const staging = settle(updateIndex.end(indexInfo(files, "new", zero))).then((r) => {
    stagingResult = r;
    return r;
  });
  let keepJournal = false;
  const staged = (r: Settled<GitExit>) => r.ok && r.value.code === 0 && !r.value.signal;
  // A killed update-index may have written the index before it died: its entries are put back.
  const touched = (r: Settled<GitExit>) => r.ok && (r.value.code === 0 || r.value.signal !== null);
  const stagingFailure = (r: Settled<GitExit>) =>
    r.ok
      ? gitFailure(dir, "git update-index", r.value, ".git/index")
      : r.error instanceof OfficeError
        ? r.error
        : writeFailure(r.error, dir, dir);
  let durable: Promise<unknown>;
  let current = join(prep.gitDir, "objects");
  try {
    const written = prep.writeObjects();
    const tmpFiles: string[] = [];
    for (const d of dirs) {
      current = join(dir, d);
      mkdirSync(current);
    }
    for (const f of files) {
      if (!f.tmp) continue;
      current = join(dir, f.path);
      tmpFiles.push(join(dir, f.tmp));
      writeFileSync(join(dir, f.tmp), content.get(f.path) ?? Buffer.alloc(0), { flag: "wx", mode: 0o644 });
    }
    const folders = [...written.folders, ...(journal ? [dirname(journal)] : [])];
    durable = fsyncAll([...written.files, ...tmpFiles, ...(journal ? [journal] : [])], folders);
  } catch (e) {
    const st = await staging;
    if (st.ok) removeLockLeftBy(prep.gitDir, "index.lock", updateIndex, st.value);
    return abandon(writeFailure(e, dir, current), touched(st));
  }
  // HEAD moves once the objects are durable, while git's index may still be being written (its
  // write is the longest step of a commit): a stale index.lock makes update-index fail at once, so
  // that failure is known before; a later one moves HEAD back.
  const sync = await durable;
  const failedAlready =
    (stagingResult !== undefined && !staged(stagingResult)) || foreignLock(prep.gitDir, updateIndex);
  if (failedAlready || sync) {
    const st = await staging;
    if (st.ok) removeLockLeftBy(prep.gitDir, "index.lock", updateIndex, st.value);
    if (!staged(st)) return abandon(stagingFailure(st), touched(st));
    return abandon(writeFailure(sync, dir, dir), true);
  }
  failpoint("objects-durable");

  const ref = await updateRef.end(`update HEAD\0${prep.commit}\0${prep.parent ?? zero}\0`);
  if (ref.code !== 0 || ref.signal) {
    // Killed after the ref was written, or failed: HEAD says which.
    if ((await prep.headNow().catch(() => undefined)) !== prep.commit) {
      const branch = readHead(prep.gitDir)?.branch;
      for (const lock of ["HEAD.lock", ...(branch ? [`${branch}.lock`] : [])])
        removeLockLeftBy(prep.gitDir, lock, updateRef, ref);
      const st = await staging;
      if (st.ok) removeLockLeftBy(prep.gitDir, "index.lock", updateIndex, st.value);
      return abandon(gitFailure(dir, "git update-ref", ref, ".git/HEAD"), touched(st));
    }
  }
  const st = await staging;
  if (!staged(st)) {
    if (st.ok) removeLockLeftBy(prep.gitDir, "index.lock", updateIndex, st.value);
    const back = await startGit(dir, [
      "update-ref",
      "-m",
      "undo: git's index could not take the commit",
      "HEAD",
      prep.parent ?? zero,
      prep.commit,
    ]).end("");
    if (back.code === 0 && !back.signal) return abandon(stagingFailure(st), touched(st));
    // HEAD cannot be moved back: the commit stands, so the write completes; the journal stays and
    // the next writer gives git's index the commit's entries.
    keepJournal = true;
  }
  failpoint("head-moved");
  if (!run.inWorkTree) {
    const done: JournalFile[] = [];
    try {
      for (const f of files) {
        if (f.tmp) renameSync(join(dir, f.tmp), join(dir, f.path));
        else rmSync(join(dir, f.path), { force: true });
        done.push(f);
        failpoint("file-renamed");
      }
    } catch (e) {
      await undoCommit(dir, prep, done, files, dirs, zero);
      throw writeFailure(e, dir, dir);
    }
  }
  if (journal && !keepJournal) removeJournal(journal);
  return { commit: prep.commit, parent: prep.parent };
}

/**
 * HEAD moved but the work tree could not take the files (a rename failed): move HEAD back, put the
 * renamed files' old bytes back and git's index with them. If that fails too, the journal stays and
 * the next writer finishes the undo (HEAD back at the parent) or the write (HEAD still at the commit).
 */
async function undoCommit(
  dir: string,
  prep: Prepared,
  done: JournalFile[],
  files: JournalFile[],
  dirs: string[],
  zero: string,
): Promise<void> {
  try {
    await git(dir, [
      "update-ref",
      "-m",
      "undo: the work tree could not be written",
      "HEAD",
      prep.parent ?? zero,
      prep.commit,
    ]);
    for (const f of done) {
      const old = prep.oldBytes.get(f.path);
      if (old === undefined && f.old) continue; // not read: the journal's recovery restores it from git
      if (old === undefined) rmSync(join(dir, f.path), { force: true });
      else writeFileSync(join(dir, f.path), old);
    }
    await setIndexEntries(dir, files, "old");
    cleanUp(dir, files, dirs, undefined);
  } catch {
    /* the journal stays for the next writer */
  }
}

/**
 * Git's own plumbing, for repositories whose objects are not written here (see plainGitDir):
 * blobs by `git hash-object -w`, the tree in a temporary index (`read-tree`, `update-index`,
 * `write-tree`, so that nothing else staged is swept in), the commit by `git commit-tree`.
 */
async function prepareThroughGit(
  dir: string,
  changes: FileChange[],
  spec: CommitSpec,
  run: CommitRun,
): Promise<Prepared> {
  const gitDir = (await git(dir, ["rev-parse", "--absolute-git-dir"])).stdout.trim();
  if ((await git(dir, ["symbolic-ref", "-q", "HEAD"], { okCodes: [1] })).code !== 0)
    throw refused("store.detached-head", { dir });
  const headNow = async () => {
    const r = await git(dir, ["rev-parse", "-q", "--verify", "HEAD^{commit}"], { okCodes: [1, 128] });
    return r.code === 0 ? r.stdout.trim() : undefined;
  };
  const parent = await headNow();
  const paths = changes.map((c) => c.path);
  const guarded = [
    ...paths,
    ...(run.guard?.files ?? []),
    ...(run.guard?.folders ?? []).map((f) => `${f.path}/`),
  ];
  const inHead = new Map<string, { mode: string; oid: string }>();
  if (parent) {
    const ls = await git(dir, ["ls-tree", "-r", "-z", "--full-tree", parent, "--", ...guarded]);
    for (const rec of ls.stdout.split("\0").filter(Boolean)) {
      const m = /^(\d+) blob ([0-9a-f]+)\t(.*)$/s.exec(rec);
      if (m) inHead.set(m[3] as string, { mode: m[1] as string, oid: m[2] as string });
    }
  }
  const hashPaths = async (files: string[], write: boolean): Promise<string[]> => {
    if (!files.length) return [];
    const args = ["hash-object", ...(write ? ["-w"] : []), "--no-filters", "--stdin-paths"];
    return (await git(dir, args, { input: files.map((f) => `${f}\n`).join("") })).stdout.trim().split("\n");
  };
  const oldBytes = new Map<string, Buffer | undefined>();
  if (run.guard && parent) {
    const names = new Set([...paths, ...run.guard.files]);
    for (const { path, match } of run.guard.folders) {
      for (const p of inHead.keys())
        if (p.startsWith(`${path}/`) && match.test(p.slice(path.length + 1))) names.add(p);
      let here: string[] = [];
      try {
        here = readdirSync(join(dir, path));
      } catch {
        here = [];
      }
      for (const n of here) if (match.test(n)) names.add(`${path}/${n}`);
    }
    const present = [...names].filter((p) => {
      const b = readOrUndefined(join(dir, p));
      if (paths.includes(p)) oldBytes.set(p, b);
      return b !== undefined;
    });
    const oids = await hashPaths(present, false);
    const here = new Map(present.map((p, i) => [p, oids[i]]));
    const wanted = new Map(changes.map((c) => [c.path, c.content]));
    for (const p of names) {
      if (here.get(p) === inHead.get(p)?.oid) continue;
      // As guardClean: a file already holding what the commit writes launders nothing.
      const bytes = oldBytes.get(p);
      if (bytes !== undefined && wanted.get(p)?.equals(bytes)) continue;
      throw refused(inHead.has(p) ? "store.uncommitted-edit" : "store.untracked-file", { file: p });
    }
  }
  // The new blobs, from temp files in the registry's local folder.
  const scratch = join(gitDir, `office-doc-blobs.${process.pid}.${Date.now()}.tmp`);
  const withContent = changes.filter((c) => c.content !== undefined);
  let blobs: string[];
  try {
    mkdirSync(scratch, { recursive: true });
    withContent.forEach((c, i) => writeFileSync(join(scratch, String(i)), c.content as Buffer));
    blobs = await hashPaths(
      withContent.map((_, i) => join(scratch, String(i))),
      true,
    );
  } catch (e) {
    throw writeFailure(e, dir, scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const newRef = new Map<string, BlobRef>();
  withContent.forEach((c, i) =>
    newRef.set(c.path, { mode: inHead.get(c.path)?.mode ?? "100644", oid: blobs[i] as string }),
  );
  const files: JournalFile[] = changes.map((c) => ({
    path: c.path,
    old: inHead.get(c.path) ?? null,
    new: newRef.get(c.path) ?? null,
    tmp: null,
  }));
  const zero = "0".repeat((blobs[0] ?? parent ?? "").length || 40);
  const tmpIndex = join(gitDir, `office-doc-index.${process.pid}.${Date.now()}.tmp`);
  const env = { GIT_INDEX_FILE: tmpIndex };
  try {
    await git(dir, ["read-tree", ...(parent ? [parent] : ["--empty"])], { env });
    await git(dir, UPDATE_INDEX, { env, input: indexInfo(files, "new", zero) });
    const tree = (await git(dir, ["write-tree"], { env })).stdout.trim();
    const idEnv: Record<string, string> = {
      GIT_AUTHOR_NAME: spec.author.name,
      GIT_AUTHOR_EMAIL: spec.author.email,
      GIT_COMMITTER_NAME: spec.committer.name,
      GIT_COMMITTER_EMAIL: spec.committer.email,
    };
    if (spec.authorDate) idEnv.GIT_AUTHOR_DATE = spec.authorDate;
    if (spec.committerDate) idEnv.GIT_COMMITTER_DATE = spec.committerDate;
    let commit: string;
    if (spec.sign) {
      // commit-tree -S would sign with git's own configuration; the object is made here, signed as
      // the plain path signs it, and stored by git.
      const now = Date.now();
      const text =
        `tree ${tree}\n${parent ? `parent ${parent}\n` : ""}` +
        `author ${identLine(spec.author.name, spec.author.email, spec.authorDate, now)}\n` +
        `committer ${identLine(spec.committer.name, spec.committer.email, spec.committerDate, now)}\n\n${spec.message}`;
      const signed = withSignature(text, await spec.sign(text));
      commit = (
        await git(dir, ["hash-object", "-t", "commit", "-w", "--stdin"], { input: signed })
      ).stdout.trim();
    } else {
      const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-F", "-"];
      commit = (await git(dir, args, { input: spec.message, env: idEnv })).stdout.trim();
    }
    return {
      gitDir,
      parent,
      commit,
      files,
      oldBytes,
      writeObjects: () => ({ files: [], folders: [] }),
      headNow,
    };
  } finally {
    rmSync(tmpIndex, { force: true });
  }
}

/**
 * Move HEAD's branch from the commit `from` to the commit `to` (a fast-forward, or onto a history
 * `sync` rewrote), putting the files that differ between them into the work tree and git's index:
 * the same journal, order and undo as a commit (commitChanges steps 2-5), so that a kill anywhere is
 * finished or undone by the next writer, and a failure leaves everything as it was. `objects`
 * writes (or lists) the loose objects of `to` not yet durable, which are made durable before HEAD
 * moves. Refuses (store.uncommitted-edit, exit 1) when a file that differs is not as `from` has
 * it. Returns the paths that changed.
 */
export async function moveHead(
  dir: string,
  from: string,
  to: string,
  opts: {
    objects?: () => { files: string[]; folders: string[] };
    journal: { dir: string; command: string };
    reflog: string;
  },
): Promise<string[]> {
  if (from === to) return [];
  const gitDir = plainGitDir(dir) ?? (await git(dir, ["rev-parse", "--absolute-git-dir"])).stdout.trim();
  const diff = await git(dir, ["diff-tree", "-r", "-z", "--no-renames", from, to]);
  const files: JournalFile[] = [];
  const parts = diff.stdout.split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const m = /^:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) \w+$/.exec(parts[i] as string);
    if (!m) continue;
    const ref = (mode: string, oid: string): BlobRef => (/^0+$/.test(mode) ? null : { mode, oid });
    files.push({
      path: parts[i + 1] as string,
      old: ref(m[1] as string, m[3] as string),
      new: ref(m[2] as string, m[4] as string),
      tmp: null,
    });
  }
  const oldBytes = new Map<string, Buffer | undefined>();
  for (const f of files) {
    const bytes = readOrUndefined(join(dir, f.path));
    oldBytes.set(f.path, bytes);
    const here = bytes === undefined ? undefined : objectId("blob", bytes).toString("hex");
    if (here === f.old?.oid) continue;
    throw refused(f.old ? "store.uncommitted-edit" : "store.untracked-file", { file: f.path });
  }
  const wanted = files.filter((f) => f.new);
  const blobs = await catFileBatch(
    dir,
    wanted.map((f) => f.new?.oid as string),
  );
  const content = new Map(wanted.map((f, i) => [f.path, blobs[i]?.body]));
  const changes: FileChange[] = files.map((f) => ({ path: f.path, content: content.get(f.path) }));
  const prep: Prepared = {
    gitDir,
    parent: from,
    commit: to,
    files,
    oldBytes,
    writeObjects: opts.objects ?? (() => ({ files: [], folders: [] })),
    headNow: async () => headCommit(dir),
  };
  const spec = { message: opts.reflog, author: { name: "", email: "" }, committer: { name: "", email: "" } };
  await finishCommit(
    dir,
    prep,
    changes,
    { journal: opts.journal },
    startGit(dir, UPDATE_INDEX),
    startUpdateRef(dir, spec, opts.reflog),
  );
  // Folders emptied by the files that went (a provisional record renamed): as git checkout would.
  for (const f of files)
    if (!f.new)
      for (let d = dirname(f.path); d !== "." && d !== ""; d = dirname(d)) {
        try {
          rmdirSync(join(dir, d));
        } catch {
          break;
        }
      }
  return files.map((f) => f.path);
}

/**
 * Commit exactly `paths` as the work tree holds them (init's first commit; tests). The same steps
 * as commitChanges, without a journal or a guard.
 */
export async function commitPaths(dir: string, paths: string[], spec: CommitSpec): Promise<string> {
  const changes = paths.map((path) => ({ path, content: readOrUndefined(join(dir, path)) }));
  return (await commitChanges(dir, changes, spec, { inWorkTree: true })).commit;
}

/** The git processes a commit needs, started early (see startGit). */
export interface WarmGit {
  catFile: StartedGit;
  updateIndex: StartedGit;
  /** End them without work (the write failed or made no commit) and wait until they have exited. */
  cancel(): Promise<void>;
}

/** Start the processes of a commit in `dir` (a plain repository, see plainGitDir) ahead of it. */
export function warmGit(dir: string): WarmGit {
  const catFile = startGit(dir, ["cat-file", "--batch"]);
  const updateIndex = startGit(dir, UPDATE_INDEX);
  let ended = false;
  return {
    catFile,
    updateIndex,
    async cancel() {
      if (ended) return;
      ended = true;
      const [, ui] = await Promise.allSettled([catFile.end(""), updateIndex.end("")]);
      const gitDir = plainGitDir(dir);
      // Killed while it wrote the index (a file size limit), it leaves index.lock behind.
      if (ui.status === "fulfilled" && gitDir) removeLockLeftBy(gitDir, "index.lock", updateIndex, ui.value);
    },
  };
}

/** Put the index entries of `paths` back to HEAD's (after a failed commit). */
export async function resetIndexPaths(dir: string, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  const head = await headCommit(dir);
  if (head) await git(dir, ["reset", "-q", "HEAD", "--", ...paths], { okCodes: [1] });
  else await git(dir, ["rm", "-q", "--cached", "--ignore-unmatch", "--", ...paths], { okCodes: [1] });
}

/**
 * Refuse to work in `dir` unless it is the top of a git repository of its own: a registry folder
 * without `.git` inside another repository would otherwise read and commit that repository's files.
 * For writes, HEAD must also be on a branch (a commit on a detached HEAD is lost at the next
 * checkout). GIT_DIR / GIT_WORK_TREE in the environment say where the repository is: git decides.
 * Errors: store.not-a-repository, store.nested-repository, store.detached-head (exit 1).
 */
export function assertRepository(dir: string, forWrite: boolean): void {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return;
  if (existsSync(join(dir, ".git"))) {
    const gitDir = plainGitDir(dir);
    const head = gitDir ? readHead(gitDir) : null;
    if (forWrite && head && head.branch === null) throw refused("store.detached-head", { dir });
    return;
  }
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) throw failed("store.nested-repository", { dir, outer: d });
    if (dirname(d) === d) break;
  }
  throw failed("store.not-a-repository", { dir });
}

/** Files changed between two commits below `under`. Undefined when `from` is not a known commit. */
export async function changedFiles(
  dir: string,
  from: string,
  to: string,
  under: string,
): Promise<string[] | undefined> {
  const r = await git(dir, ["diff", "--name-only", "-z", "--no-renames", from, to, "--", under], {
    okCodes: [128],
  });
  if (r.code !== 0) return undefined;
  return r.stdout.split("\0").filter(Boolean);
}

/** Is commit `a` an ancestor of (or the same as) `b`? False when git cannot tell. */
export async function isAncestor(dir: string, a: string, b: string): Promise<boolean> {
  const r = await git(dir, ["merge-base", "--is-ancestor", a, b], { okCodes: [1, 128] });
  return r.code === 0;
}

/** Paths of tracked files below `under`. */
export async function trackedFiles(dir: string, under: string): Promise<string[]> {
  const r = await git(dir, ["ls-files", "-z", "--", under]);
  return r.stdout.split("\0").filter(Boolean);
}

export interface LogEntry {
  commit: string;
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerEmail: string;
  subject: string;
  trailers: Record<string, string>;
}

const SEP = "\x1e";
const FSEP = "\x1f";
const LOG_FORMAT = `--format=${["%H", "%an", "%ae", "%aI", "%cn", "%ce", "%s", "%(trailers:only,unfold)"].join(FSEP)}${SEP}`;

/**
 * The commits that touched `path`, oldest first: git's own answer, walking the whole history (never
 * `--since`: commit dates are not monotonic). Never `--follow`: a record's file never moves.
 */
export async function logPath(dir: string, path: string): Promise<LogEntry[]> {
  return parseLog((await git(dir, ["log", "--reverse", LOG_FORMAT, "--", path])).stdout);
}

/**
 * These commits, in this order, leaving out those that did not touch `path`. Throws when one is not
 * a commit of the repository.
 */
export async function logCommits(dir: string, path: string, commits: string[]): Promise<LogEntry[]> {
  const args = ["log", "--no-walk=unsorted", "--stdin", LOG_FORMAT, "--", path];
  return parseLog((await git(dir, args, { input: commits.map((c) => `${c}\n`).join("") })).stdout);
}

function parseLog(stdout: string): LogEntry[] {
  return stdout
    .split(SEP)
    .map((s) => s.replace(/^\n/, ""))
    .filter((s) => s.trim() !== "")
    .map((s) => {
      const [commit, an, ae, ad, cn, ce, subject, trailerText] = s.split(FSEP);
      const trailers: Record<string, string> = {};
      for (const line of (trailerText ?? "").split("\n")) {
        const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
        if (m) trailers[m[1] as string] = m[2] as string;
      }
      return {
        commit: commit ?? "",
        authorName: an ?? "",
        authorEmail: ae ?? "",
        authorDate: ad ?? "",
        committerName: cn ?? "",
        committerEmail: ce ?? "",
        subject: subject ?? "",
        trailers,
      };
    });
}

/** Is the work tree clean (nothing staged, changed or untracked outside ignored files)? */
export async function workTreeClean(dir: string): Promise<boolean> {
  const r = await git(dir, ["status", "--porcelain", "--untracked-files=normal"]);
  return r.stdout.trim() === "";
}

/** The trailer naming the records of a commit whose own action is not the commit's (`ID=action, …`). */
export const RECORD_ACTIONS = "Office-Doc-Record-Actions";

/**
 * The action a commit records for record `id`: its own in `Office-Doc-Record-Actions`, else the
 * commit's (`Office-Doc-Action`, passed as `action`).
 */
export function recordActionOf(
  action: string | undefined,
  recordActions: string | undefined,
  id: string,
): string | undefined {
  for (const part of (recordActions ?? "").split(",")) {
    const [k, v] = part.split("=").map((x) => x.trim());
    if (k === id && v) return v;
  }
  return action;
}
