import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { git, headCommit, type LogEntry, logCommits, logPath } from "./git.js";
import { childProcess } from "./lazy.js";
import { LOCAL_DIR } from "./registry.js";

/**
 * Each record's commits, derived from git, so that `log ID` need not walk the whole history: `git log
 * -- path` reads every commit back to the first (1.5 million at 200,000 records, 2–3 s), and cannot
 * stop at the record's creation date because commit dates are not monotonic (clerks' clocks,
 * `--at`, the demo).
 *
 * Layout, in the git-ignored `.office-doc/log/`: one file per folder of record files, named like it
 * (`records/incoming/2026/12.log` for the ≤100 records of `records/incoming/2026/12/`), one line per
 * commit that touched a file of it, oldest first: `<commit> <file name>`; `! <file name>` marks a file
 * changed on a side of a merge, whose history git simplifies in ways this list cannot follow: its
 * log is asked of git. `HEAD` names the commit the lists are complete up to.
 *
 * Kept up to date by every write (noteCommit, after its commit, when the lists stood at its parent),
 * from `git log --name-only <old>..HEAD` when HEAD moved otherwise (a pull, a commit by hand; commits
 * a reset or a rebase took away are removed), and rebuilt from one `git log --name-only` of the whole
 * history when missing. Never the source of truth: recordLog checks that the record's file at the
 * last listed commit is the file at HEAD, and asks git itself when anything does not hold.
 */

const DIR = `${LOCAL_DIR}/log`;
const HEAD_FILE = `${DIR}/HEAD`;
const HEAD_PREFIX = "office-doc log 1 ";
const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const MERGED = "!";

/** How far a full build of the lists has gone: commits read, of about `total`. */
export type LogIndexProgress = (done: number, total: number) => void;

function readHead(dir: string): string | undefined {
  try {
    const text = readFileSync(join(dir, HEAD_FILE), "utf8");
    const commit = text.startsWith(HEAD_PREFIX) ? text.slice(HEAD_PREFIX.length).trim() : "";
    return COMMIT.test(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

function writeHead(dir: string, commit: string): void {
  const file = join(dir, HEAD_FILE);
  writeFileSync(`${file}.${process.pid}`, `${HEAD_PREFIX}${commit}\n`);
  renameSync(`${file}.${process.pid}`, file);
}

/** The list file of a record file's folder, and the file's name in it. */
function shardOf(rel: string): { shard: string; name: string } {
  const slash = rel.lastIndexOf("/");
  return { shard: `${rel.slice(0, slash)}.log`, name: rel.slice(slash + 1) };
}

/** Append lines to list files under `root`, one write per file. */
function appendLines(root: string, lines: Map<string, string[]>): void {
  for (const [shard, list] of lines) {
    const file = join(root, shard);
    const text = `${list.join("\n")}\n`;
    try {
      appendFileSync(file, text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, text);
    }
  }
}

function addLine(lines: Map<string, string[]>, rel: string, commit: string): void {
  if (!rel.startsWith("records/") || rel.includes("\n")) return;
  const { shard, name } = shardOf(rel);
  let list = lines.get(shard);
  if (!list) {
    list = [];
    lines.set(shard, list);
  }
  list.push(`${commit} ${name}`);
}

/**
 * After a write's commit: add it to the lists when they stood at its parent (otherwise the next
 * `log` brings them up to date from git). Never throws: the lists are derived.
 */
export function noteCommit(dir: string, parent: string | undefined, commit: string, paths: string[]): void {
  try {
    if (!parent || readHead(dir) !== parent) return;
    const lines = new Map<string, string[]>();
    for (const p of paths) addLine(lines, p, commit);
    appendLines(join(dir, DIR), lines);
    writeHead(dir, commit);
  } catch {
    // Left as it was; recordLog checks what it reads.
  }
}

interface Commit {
  commit: string;
  parents: string[];
  paths: string[];
}

/**
 * `git log --reverse --name-only` of `revs`, oldest first, streamed to `each` (a whole history is
 * hundreds of MB of output). No pathspec: git then simplifies no history, and its walk costs a third
 * less; files outside records/ are dropped by addLine. Merges come with no paths.
 */
async function walk(dir: string, revs: string[], each: (c: Commit) => void): Promise<void> {
  const args = ["log", "--reverse", "--no-renames", "-z", "--name-only", "--format=%x01%H %P", ...revs];
  const child = childProcess().spawn("git", args, {
    cwd: dir,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let rest = "";
  let current: Commit | undefined;
  const err: Buffer[] = [];
  child.stderr.on("data", (b: Buffer) => err.push(b));
  const take = (tokens: string[]) => {
    for (const raw of tokens) {
      const t = raw.charCodeAt(0) === 0x0a ? raw.slice(1) : raw;
      if (t.charCodeAt(0) === 0x01) {
        if (current) each(current);
        const [commit = "", ...parents] = t.slice(1).split(" ").filter(Boolean);
        current = { commit, parents, paths: [] };
      } else if (t && current) current.paths.push(t);
    }
  };
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    const tokens = (rest + chunk).split("\0");
    rest = tokens.pop() ?? "";
    take(tokens);
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`git log: ${Buffer.concat(err).toString().trim()}`);
  take([rest]);
  if (current) each(current);
}

/** Lines kept in memory before they are appended to their files. */
const FLUSH_LINES = 100_000;

/**
 * Append to the lists under `root` a line for each file each commit of `revs` touched, oldest first,
 * and a mark for each file changed on a side of a merge among them. Returns the commits read.
 */
async function writeLines(
  dir: string,
  revs: string[],
  root: string,
  progress?: (done: number) => void,
): Promise<number> {
  let lines = new Map<string, string[]>();
  let held = 0;
  const merges: Commit[] = [];
  let done = 0;
  await walk(dir, revs, (c) => {
    if (c.parents.length > 1) merges.push(c);
    for (const p of c.paths) addLine(lines, p, c.commit);
    held += c.paths.length;
    if (held > FLUSH_LINES) {
      appendLines(root, lines);
      lines = new Map();
      held = 0;
    }
    if (++done % 10_000 === 0) progress?.(done);
  });
  for (const m of merges) {
    // Every file changed on any side since the sides parted, or by the merge itself.
    const base = (await git(dir, ["merge-base", "--octopus", ...m.parents])).stdout.trim();
    await walk(dir, ["-m", `${base}..${m.commit}`], (c) => {
      for (const p of c.paths) addLine(lines, p, MERGED);
    });
  }
  appendLines(root, lines);
  return done;
}

/**
 * Past this many commits (OFFICE_DOC_LOG_SPLIT_MIN, 50,000) a full build reads the two halves of
 * the history in two git processes.
 */
const splitAt = () => Number(process.env.OFFICE_DOC_LOG_SPLIT_MIN ?? 50_000);

/** Append every list file under `from` to the same file under `to`. */
function appendTree(from: string, to: string): void {
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    if (e.isDirectory()) appendTree(src, join(to, e.name));
    else appendLines(to, new Map([[e.name, [readFileSync(src, "utf8").slice(0, -1)]]]));
  }
}

/** Build every list from the whole history up to `head`, in a new folder that then replaces the old. */
async function rebuild(dir: string, head: string, progress?: LogIndexProgress): Promise<void> {
  const root = join(dir, DIR);
  const fresh = `${root}.new-${process.pid}`;
  const newer = `${root}.newer-${process.pid}`;
  rmSync(join(dir, HEAD_FILE), { force: true });
  for (const d of [fresh, newer]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  const old = `${root}.old-${process.pid}`;
  try {
    const total = Number((await git(dir, ["rev-list", "--count", head])).stdout.trim()) || 0;
    progress?.(0, total);
    const done = [0, 0];
    const report = (i: number) => (n: number) => {
      done[i] = n;
      progress?.(Math.min(total, (done[0] ?? 0) + (done[1] ?? 0)), total);
    };
    // Git walks one commit at a time: on a long history, two processes read the older and the newer
    // half side by side, and the newer half's lines are appended after the older's.
    const mid =
      total > splitAt()
        ? (
            await git(dir, ["rev-parse", "--verify", "-q", `${head}~${Math.floor(total / 2)}`], {
              okCodes: [1],
            })
          ).stdout.trim()
        : "";
    if (COMMIT.test(mid)) {
      await Promise.all([
        writeLines(dir, [mid], fresh, report(0)),
        writeLines(dir, [`${mid}..${head}`], newer, report(1)),
      ]);
      appendTree(newer, fresh);
    } else await writeLines(dir, [head], fresh, report(0));
    rmSync(old, { recursive: true, force: true });
    try {
      renameSync(root, old);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    renameSync(fresh, root);
    writeHead(dir, head);
    progress?.(total, total);
  } finally {
    // What a failed or concurrent build left: the next one starts afresh.
    for (const d of [fresh, newer, old]) rmSync(d, { recursive: true, force: true });
  }
}

/**
 * Bring the lists from `stored` to `head`: commits of `stored` that `head` does not have (a reset, a
 * rebase by `sync`) are removed from the lists that name them, then `head`'s new commits are added.
 * False when git no longer knows `stored`.
 */
async function catchUp(dir: string, stored: string, head: string): Promise<boolean> {
  const mb = await git(dir, ["merge-base", stored, head], { okCodes: [1, 128] });
  const base = mb.stdout.trim();
  if (mb.code !== 0 || !COMMIT.test(base)) return false;
  const root = join(dir, DIR);
  if (base !== stored) {
    const gone = new Set<string>();
    const shards = new Set<string>();
    await walk(dir, ["-m", `${base}..${stored}`], (c) => {
      gone.add(c.commit);
      for (const p of c.paths) if (p.startsWith("records/")) shards.add(shardOf(p).shard);
    });
    for (const shard of shards) {
      const file = join(root, shard);
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        continue;
      }
      const kept = text.split("\n").filter((l) => l && !gone.has(l.slice(0, l.indexOf(" "))));
      writeFileSync(`${file}.${process.pid}`, kept.length ? `${kept.join("\n")}\n` : "");
      renameSync(`${file}.${process.pid}`, file);
    }
  }
  await writeLines(dir, [`${base}..${head}`], root);
  writeHead(dir, head);
  return true;
}

/** The commits the lists name for `rel`, oldest first; undefined when git must be asked. */
function listed(dir: string, rel: string): string[] | undefined {
  const { shard, name } = shardOf(rel);
  let text: string;
  try {
    text = readFileSync(join(dir, DIR, shard), "utf8");
  } catch {
    return undefined;
  }
  const out: string[] = [];
  const seen = new Set<string>();
  const suffix = ` ${name}`;
  for (const line of text.split("\n")) {
    if (!line.endsWith(suffix) || line.length !== line.indexOf(" ") + suffix.length) continue;
    const commit = line.slice(0, line.length - suffix.length);
    if (commit === MERGED) return undefined;
    if (!COMMIT.test(commit)) return undefined;
    if (!seen.has(commit)) out.push(commit);
    seen.add(commit);
  }
  return out.length ? out : undefined;
}

/**
 * The commits that touched the record file `rel` (relative to the registry `dir`), oldest first,
 * whatever their dates: git's own answer (`git log -- rel`), from the lists when they hold and can
 * be checked, else from git walking the whole history. `progress` hears of a full build of the lists.
 */
export async function recordLog(dir: string, rel: string, progress?: LogIndexProgress): Promise<LogEntry[]> {
  return (await indexedLog(dir, rel, progress)) ?? logPath(dir, rel);
}

/** recordLog's answer from the lists (brought up to date first), or undefined when git must answer. */
export async function indexedLog(
  dir: string,
  rel: string,
  progress?: LogIndexProgress,
): Promise<LogEntry[] | undefined> {
  return fromLists(dir, rel, progress).catch(() => undefined);
}

async function fromLists(
  dir: string,
  rel: string,
  progress?: LogIndexProgress,
): Promise<LogEntry[] | undefined> {
  const head = await headCommit(dir);
  if (!head) return undefined;
  const stored = readHead(dir);
  if (stored !== head && !(stored && (await catchUp(dir, stored, head).catch(() => false))))
    await rebuild(dir, head, progress);
  const commits = listed(dir, rel);
  const last = commits?.[commits.length - 1];
  if (!commits || !last) return undefined;
  // A commit lost from the lists (a crash between git and them) leaves the file at the last listed
  // commit other than at HEAD.
  const [entries, blobs] = await Promise.all([
    logCommits(dir, rel, commits),
    git(dir, ["rev-parse", `HEAD:${rel}`, `${last}:${rel}`], { okCodes: [128] }),
  ]);
  const [atHead, atLast] = blobs.stdout.split("\n");
  if (blobs.code !== 0 || !atHead || atHead !== atLast || entries.length === 0) return undefined;
  return entries;
}

/**
 * Bring the lists to HEAD now (after `sync` moved it), when they exist: from the commits that came
 * and went, as `log` would on its next run. Never throws: the lists are derived.
 */
export async function followHead(dir: string): Promise<void> {
  try {
    const head = await headCommit(dir);
    const stored = readHead(dir);
    if (!head || !stored || stored === head) return;
    if (!(await catchUp(dir, stored, head))) rmSync(join(dir, HEAD_FILE), { force: true });
  } catch {
    // The next `log` brings them up to date, or rebuilds them.
  }
}
