import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { failed } from "../core/problems.js";
import { gitFailure } from "./failures.js";
import { childProcess, nodeCrypto, nodeZlib } from "./lazy.js";
import type { BlobRef } from "./write-ahead.js";

/**
 * Commits built from git objects written here, without git's index. `git write-tree` re-reads the
 * index of every file in the registry and re-checks each entry of a rewritten folder: ~370 ms at
 * 200,000 records. Here a commit reads the few folders on the changed paths (`git cat-file --batch`),
 * writes the changed blobs, those folders and the commit as loose objects (the format every git
 * reads), and `git update-ref` moves HEAD with a compare-and-swap. git's index is brought up to date
 * by `git update-index` in parallel, so `git status` stays clean.
 */

export interface TreeEntry {
  mode: string;
  name: string;
  oid: Buffer;
}

/**
 * The `.git` folder of a plain repository whose top is `dir`, or undefined when git must do the work
 * itself: `.git` is a file (worktree, submodule), GIT_DIR and friends redirect it, or the repository
 * does not use SHA-1 object names.
 */
export function plainGitDir(dir: string): string | undefined {
  for (const v of ["GIT_DIR", "GIT_OBJECT_DIRECTORY", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_COMMON_DIR"])
    if (process.env[v]) return undefined;
  const gitDir = join(dir, ".git");
  try {
    if (!statSync(gitDir).isDirectory()) return undefined;
    if (/^\s*objectformat\s*=/im.test(readFileSync(join(gitDir, "config"), "utf8"))) return undefined;
  } catch {
    return undefined;
  }
  return gitDir;
}

/**
 * HEAD as the ref files say: the branch it is on (null when detached) and the commit (undefined on
 * an unborn branch); null when they are not plain enough to read here. Spawning `git rev-parse`
 * costs ~10 ms, and loading child_process another ~10 ms, of a listing that needs nothing else from
 * git.
 */
export function readHead(gitDir: string): { branch: string | null; oid: string | undefined } | null {
  try {
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    if (/^[0-9a-f]{40}$/.test(head)) return { branch: null, oid: head };
    const ref = /^ref: (refs\/heads\/[^\s]+)$/.exec(head)?.[1];
    if (!ref) return null;
    try {
      const oid = readFileSync(join(gitDir, ref), "utf8").trim();
      return /^[0-9a-f]{40}$/.test(oid) ? { branch: ref, oid } : null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") return null;
    }
    let packed = "";
    try {
      packed = readFileSync(join(gitDir, "packed-refs"), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") return null;
    }
    for (const line of packed.split("\n"))
      if (line.endsWith(` ${ref}`)) return { branch: ref, oid: line.slice(0, 40) };
    return { branch: ref, oid: undefined };
  } catch {
    return null;
  }
}

/** The commit HEAD points to (see readHead): undefined on an unborn branch, null when unreadable here. */
export function readHeadFile(gitDir: string): string | undefined | null {
  const h = readHead(gitDir);
  return h === null ? null : h.oid;
}

/** Git's name of an object: SHA-1 of `<type> <size>\0<body>`. */
export function objectId(type: string, body: Buffer): Buffer {
  return nodeCrypto().createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest();
}

let tmpCounter = 0;

/** A git object to be written: type, body and id. */
export interface GitObject {
  type: string;
  body: Buffer;
  oid: Buffer;
}

export function gitObject(type: string, body: Buffer): GitObject {
  return { type, body, oid: objectId(type, body) };
}

/**
 * Write loose objects (zlib of header + body, through a temp file and a rename) unless they are
 * there already. Returns the object files, and the folders whose entries changed by a new fan-out
 * folder (`objects/`), which the caller makes durable (fsync) before any ref points to them: as git
 * does with core.fsync=loose-object, an object's own folder is not synced (ext4, xfs and btrfs
 * make a new file's name durable with the file). Throws the file system's error (ENOSPC, EACCES,
 * EFBIG...) after removing its temp file.
 */
export function writeObjects(gitDir: string, objects: GitObject[]): { files: string[]; folders: string[] } {
  const files: string[] = [];
  const folders = new Set<string>();
  for (const o of objects) {
    const hex = o.oid.toString("hex");
    const folder = join(gitDir, "objects", hex.slice(0, 2));
    const file = join(folder, hex.slice(2));
    if (existsSync(file)) continue;
    if (!existsSync(folder)) {
      mkdirSync(folder, { recursive: true });
      folders.add(join(gitDir, "objects"));
    }
    const tmp = join(folder, `tmp_obj_${process.pid}_${Date.now()}_${tmpCounter++}`);
    try {
      writeFileSync(
        tmp,
        nodeZlib().deflateSync(Buffer.concat([Buffer.from(`${o.type} ${o.body.length}\0`), o.body]), {
          level: 1,
        }),
        { mode: 0o444 },
      );
      renameSync(tmp, file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    files.push(file);
  }
  return { files, folders: [...folders] };
}

/** Parse a tree object's body. */
export function parseTree(body: Buffer): TreeEntry[] {
  const out: TreeEntry[] = [];
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    const nul = body.indexOf(0, sp);
    if (sp < 0 || nul < 0 || nul + 21 > body.length) throw new Error("malformed tree object");
    out.push({
      mode: body.toString("latin1", i, sp),
      name: body.toString("utf8", sp + 1, nul),
      oid: Buffer.from(body.subarray(nul + 1, nul + 21)),
    });
    i = nul + 21;
  }
  return out;
}

/** A tree object's body, its entries in git's order (a folder sorts as if its name ended in "/"). */
export function treeBody(entries: TreeEntry[]): Buffer {
  const key = (e: TreeEntry) => Buffer.from(e.mode === "40000" ? `${e.name}/` : e.name, "utf8");
  const sorted = entries.map((e) => ({ e, k: key(e) })).sort((a, b) => Buffer.compare(a.k, b.k));
  return Buffer.concat(sorted.flatMap(({ e }) => [Buffer.from(`${e.mode} ${e.name}\0`, "utf8"), e.oid]));
}

interface BatchObject {
  oid: string;
  type: string;
  body: Buffer;
}

/** How a git process ended: its exit code (null when a signal stopped it), output and stderr. */
export interface GitExit {
  code: number;
  /** The signal that stopped it (SIGKILL, SIGXFSZ...), or null when it exited. */
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** A git process started ahead of need: `end` gives it its input and waits for it. */
export interface StartedGit {
  end(input: string): Promise<GitExit>;
  /** When it was started (ms since the epoch): a lock file it left when killed is no older. */
  startedAt: number;
}

/**
 * Start `git args` now and feed it later. A write starts `cat-file --batch` and `update-index
 * --index-info` when it takes the lock, so that their start-up (for update-index: reading git's
 * index of every file, ~50 ms at 200,000 records) overlaps the command's own work. The promise
 * `end` returns rejects only when git cannot be started at all, and is observed from the start: a
 * process nobody feeds cannot cause an unhandled rejection.
 */
export function startGit(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  /** Stop git (SIGTERM, SIGKILL 2 s later) after this many ms: talking to a remote that hangs. */
  timeoutMs?: number,
): StartedGit {
  const startedAt = Date.now();
  const child = childProcess().spawn("git", args, {
    cwd: dir,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (timeoutMs !== undefined) {
    const term = setTimeout(() => {
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 2000).unref();
    }, timeoutMs);
    term.unref();
    child.on("close", () => clearTimeout(term));
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (b: Buffer) => out.push(b));
  child.stderr.on("data", (b: Buffer) => err.push(b));
  const done = new Promise<GitExit>((resolve, reject) => {
    child.on("error", (e) => reject(failed("git.not-found", { message: e.message })));
    child.on("close", (code, signal) =>
      resolve({
        code: code ?? 1,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString().trim(),
      }),
    );
  });
  done.catch(() => undefined);
  child.stdin.on("error", () => undefined);
  let ended = false;
  return {
    startedAt,
    end(input: string) {
      if (!ended) child.stdin.end(input);
      ended = true;
      return done;
    },
  };
}

/** Ask `git cat-file --batch` for several objects (`HEAD`, `HEAD:records/x`) in one process. */
export async function catFileBatch(
  dir: string,
  names: string[],
  started?: StartedGit,
): Promise<(BatchObject | undefined)[]> {
  const r = await (started ?? startGit(dir, ["cat-file", "--batch"])).end(
    names.map((n) => `${n}\n`).join(""),
  );
  if (r.code !== 0 || r.signal) throw gitFailure(dir, "git cat-file --batch", r);
  const buf = r.stdout;
  const objects: (BatchObject | undefined)[] = [];
  let i = 0;
  for (let n = 0; n < names.length; n++) {
    const eol = buf.indexOf(0x0a, i);
    // `<oid> <type> <size>`, or `<name> missing` (a name may hold spaces).
    const header = /^([0-9a-f]{40}) ([a-z]+) (\d+)$/.exec(buf.toString("utf8", i, eol));
    i = eol + 1;
    if (!header) {
      objects.push(undefined);
      continue;
    }
    const size = Number(header[3]);
    objects.push({ oid: header[1] ?? "", type: header[2] ?? "", body: buf.subarray(i, i + size) });
    i += size + 1;
  }
  return objects;
}

/** `Name <email> <seconds> <+hhmm>`, the way git writes an identity line. */
export function identLine(name: string, email: string, iso: string | undefined, nowMs: number): string {
  const clean = (s: string) => s.replace(/[<>\n]/g, "").trim();
  // git refuses a commit without a name; so do we, rather than write one it would not.
  if (clean(name) === "")
    throw failed("git.failed", { command: "commit", message: "empty ident name not allowed" });
  let ms = nowMs;
  let offsetMin = -new Date(nowMs).getTimezoneOffset();
  if (iso) {
    const parsed = Date.parse(iso);
    if (Number.isNaN(parsed)) throw failed("git.failed", { command: "commit", message: `bad date ${iso}` });
    ms = parsed;
    const m = /([+-])(\d{2}):?(\d{2})$/.exec(iso);
    offsetMin = m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  }
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const tz = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
  return `${clean(name)} <${clean(email)}> ${Math.floor(ms / 1000)} ${tz}`;
}

export interface TreeChange {
  /** Path relative to the repository's top, `/`-separated. */
  path: string;
  /** The new content, or undefined to delete the file. */
  content: Buffer | undefined;
}

/** What a commit changes reads of its parent: the folders on its paths (and any others asked for). */
export interface HeadSnapshot {
  parent: string | undefined;
  /** Entries of each folder read, by path ("" the root); a folder HEAD does not have maps to none. */
  folders: Map<string, Map<string, TreeEntry>>;
}

/** Every folder on the paths, the root ("") included. */
export function foldersOf(paths: string[]): Set<string> {
  const folders = new Set<string>([""]);
  for (const p of paths) {
    const parts = p.split("/");
    for (let k = 1; k < parts.length; k++) folders.add(parts.slice(0, k).join("/"));
  }
  return folders;
}

/**
 * Read the commit `parent` (a commit id, or undefined for none) and the folders `folders` of its
 * tree through one `git cat-file --batch` (started ahead in `catFile`). Throws when `parent` is not
 * a commit or a named folder is a file.
 */
export async function readSnapshot(
  dir: string,
  parent: string | undefined,
  folders: Set<string>,
  catFile?: StartedGit,
): Promise<HeadSnapshot> {
  const list = [...folders];
  const out = new Map<string, Map<string, TreeEntry>>();
  if (!parent) {
    void catFile?.end("");
    for (const f of list) out.set(f, new Map());
    return { parent, folders: out };
  }
  const objects = await catFileBatch(
    dir,
    [parent, ...list.map((f) => (f === "" ? `${parent}^{tree}` : `${parent}:${f}`))],
    catFile,
  );
  const head = objects[0];
  if (head?.type !== "commit") throw new Error(`${parent} is not a commit`);
  list.forEach((f, k) => {
    const o = objects[k + 1];
    if (o && o.type !== "tree") throw new Error(`${f} is not a folder in ${parent}`);
    out.set(f, new Map((o ? parseTree(o.body) : []).map((e) => [e.name, e])));
  });
  return { parent: head.oid, folders: out };
}

/** The entry of `path` in the snapshot (its folder must have been read), if it has one. */
export function entryAt(snap: HeadSnapshot, path: string): TreeEntry | undefined {
  const cut = path.lastIndexOf("/");
  return snap.folders.get(cut < 0 ? "" : path.slice(0, cut))?.get(path.slice(cut + 1));
}

/**
 * The commit that applies `changes` to the snapshot's tree, as objects not yet written: the new
 * blobs, every folder on a changed path (deepest first, so each parent holds its children's new
 * ids), the root tree and the commit. `blobs` gives each path's new entry.
 */
export function planCommit(
  snap: HeadSnapshot,
  changes: TreeChange[],
  c: { author: string; committer: string; message: string },
): CommitPlan {
  const entries = new Map([...snap.folders].map(([f, m]) => [f, new Map(m)]));
  const objects: GitObject[] = [];
  const blobs = new Map<string, BlobRef>();
  for (const ch of changes) {
    const cut = ch.path.lastIndexOf("/");
    const folder = entries.get(cut < 0 ? "" : ch.path.slice(0, cut));
    const name = ch.path.slice(cut + 1);
    if (!folder) throw new Error(`the folder of ${ch.path} was not read`);
    if (ch.content === undefined) {
      folder.delete(name);
      blobs.set(ch.path, null);
    } else {
      const old = folder.get(name);
      const mode = old && old.mode !== "40000" ? old.mode : "100644";
      const blob = gitObject("blob", ch.content);
      objects.push(blob);
      folder.set(name, { mode, name, oid: blob.oid });
      blobs.set(ch.path, { mode, oid: blob.oid.toString("hex") });
    }
  }
  const byDepth = [...entries.keys()]
    .filter((f) => f !== "")
    .sort((a, b) => b.split("/").length - a.split("/").length);
  for (const f of byDepth) {
    const cut = f.lastIndexOf("/");
    const parent = entries.get(cut < 0 ? "" : f.slice(0, cut));
    const name = f.slice(cut + 1);
    const own = entries.get(f);
    if (!parent || !own) continue;
    if (own.size === 0) parent.delete(name);
    else {
      const tree = gitObject("tree", treeBody([...own.values()]));
      objects.push(tree);
      parent.set(name, { mode: "40000", name, oid: tree.oid });
    }
  }
  const root = gitObject("tree", treeBody([...(entries.get("")?.values() ?? [])]));
  objects.push(root);
  const text =
    `tree ${root.oid.toString("hex")}\n${snap.parent ? `parent ${snap.parent}\n` : ""}` +
    `author ${c.author}\ncommitter ${c.committer}\n\n${c.message}`;
  const commit = gitObject("commit", Buffer.from(text, "utf8"));
  objects.push(commit);
  return { objects, commit: commit.oid.toString("hex"), blobs, text };
}

/** A commit planned by planCommit: its objects (the commit last), its id, its blobs and its text. */
export interface CommitPlan {
  objects: GitObject[];
  commit: string;
  blobs: Map<string, BlobRef>;
  /** The commit object's text (what a signature is made over). */
  text: string;
}

/** The plan with its commit object replaced by `text` (the same commit, signed: see signing.ts). */
export function replaceCommit(plan: CommitPlan, text: string): CommitPlan {
  const commit = gitObject("commit", Buffer.from(text, "utf8"));
  return {
    ...plan,
    objects: [...plan.objects.slice(0, -1), commit],
    commit: commit.oid.toString("hex"),
    text,
  };
}
