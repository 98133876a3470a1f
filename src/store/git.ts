import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { failed, OfficeError } from "../core/problems.js";
import {
  buildTree,
  identLine,
  plainGitDir,
  readHeadFile,
  type StartedGit,
  startGit,
  writeCommit,
} from "./git-objects.js";

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
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run `git args` in `dir`. Throws an OfficeError (exit 1) on failure, naming the git command. */
export async function git(dir: string, args: string[], opts: GitOptions = {}): Promise<GitResult> {
  const r = await startGit(dir, args, opts.env).end(opts.input ?? "");
  const result = { stdout: r.stdout.toString("utf8"), stderr: r.stderr, code: r.code };
  if (result.code === 0 || opts.okCodes?.includes(result.code)) return result;
  throw failed("git.failed", {
    command: `git ${args.slice(0, 3).join(" ")}`,
    message: result.stderr || result.stdout.trim(),
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
}

/**
 * Commit exactly `paths` (added, changed or deleted in the work tree). In a plain repository the
 * commit is built from objects written directly (git-objects.ts) while `git update-index` records
 * the same files in git's index, then HEAD moves by compare-and-swap; elsewhere through git's
 * plumbing (update-index, write-tree, commit-tree, update-ref). Returns the new commit.
 */
export async function commitPaths(dir: string, paths: string[], spec: CommitSpec): Promise<string> {
  return (await commitFiles(dir, paths, spec)).commit;
}

/** commitPaths, with the commit it was made on (undefined for a first commit). */
export async function commitFiles(
  dir: string,
  paths: string[],
  spec: CommitSpec,
  warm?: WarmGit,
): Promise<{ commit: string; parent: string | undefined }> {
  const gitDir = plainGitDir(dir);
  if (!gitDir) {
    await warm?.cancel();
    return commitThroughIndex(dir, paths, spec);
  }
  const w = warm ?? warmGit(dir);
  const staging = w.updateIndex.end(paths.map((p) => `${p}\0`).join("")).then((r) => {
    if (r.code !== 0) throw failed("git.failed", { command: "git update-index", message: r.stderr });
  });
  let built: { commit: string; parent: string | undefined };
  try {
    const changes = paths.map((path) => ({ path, content: readOrUndefined(join(dir, path)) }));
    const { tree, parent } = await buildTree(dir, gitDir, "HEAD", changes, w.catFile);
    const now = Date.now();
    const commit = writeCommit(gitDir, {
      tree,
      parent,
      author: identLine(spec.author.name, spec.author.email, spec.authorDate, now),
      committer: identLine(spec.committer.name, spec.committer.email, spec.committerDate, now),
      message: spec.message,
    });
    built = { commit, parent };
  } catch (e) {
    // The caller restores git's index with the files: let update-index finish first.
    await Promise.allSettled([staging, w.catFile.end("")]);
    throw e instanceof OfficeError
      ? e
      : failed("git.failed", { command: "commit", message: (e as Error).message });
  }
  const subject = spec.message.split("\n", 1)[0] ?? "";
  // git's index first: if it cannot be updated (its lock is held), nothing is committed.
  await staging;
  await git(dir, ["update-ref", "-m", `commit: ${subject}`, "HEAD", built.commit, built.parent ?? ""]);
  return built;
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
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
  const updateIndex = startGit(dir, ["update-index", "--add", "--remove", "-z", "--stdin"]);
  let ended = false;
  return {
    catFile,
    updateIndex,
    async cancel() {
      if (ended) return;
      ended = true;
      await Promise.allSettled([catFile.end(""), updateIndex.end("")]);
    },
  };
}

/** update-index, write-tree, commit-tree, then a compare-and-swap of HEAD. */
async function commitThroughIndex(
  dir: string,
  paths: string[],
  spec: CommitSpec,
): Promise<{ commit: string; parent: string | undefined }> {
  const parent = await headCommit(dir);
  await git(dir, ["update-index", "--add", "--remove", "-z", "--stdin"], {
    input: paths.map((p) => `${p}\0`).join(""),
  });
  const tree = (await git(dir, ["write-tree"])).stdout.trim();
  const env: Record<string, string> = {
    GIT_AUTHOR_NAME: spec.author.name,
    GIT_AUTHOR_EMAIL: spec.author.email,
    GIT_COMMITTER_NAME: spec.committer.name,
    GIT_COMMITTER_EMAIL: spec.committer.email,
  };
  if (spec.authorDate) env.GIT_AUTHOR_DATE = spec.authorDate;
  if (spec.committerDate) env.GIT_COMMITTER_DATE = spec.committerDate;
  const args = ["commit-tree", tree, ...(parent ? ["-p", parent] : []), "-F", "-"];
  const commit = (await git(dir, args, { input: spec.message, env })).stdout.trim();
  const subject = spec.message.split("\n", 1)[0] ?? "";
  await git(dir, ["update-ref", "-m", `commit: ${subject}`, "HEAD", commit, parent ?? ""]);
  return { commit, parent };
}

/** Put the index entries of `paths` back to HEAD's (after a failed commit). */
export async function resetIndexPaths(dir: string, paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  const head = await headCommit(dir);
  if (head) await git(dir, ["reset", "-q", "HEAD", "--", ...paths], { okCodes: [1] });
  else await git(dir, ["rm", "-q", "--cached", "--ignore-unmatch", "--", ...paths], { okCodes: [1] });
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
