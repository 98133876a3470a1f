import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { failed } from "../core/problems.js";
import { childProcess, nodeCrypto, nodeZlib } from "./lazy.js";

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
 * The commit HEAD points to, read from the ref files (`undefined` on an unborn branch), or null when
 * they are not plain enough to read here. Spawning `git rev-parse` costs ~10 ms, and loading
 * child_process another ~10 ms, of a listing that needs nothing else from git.
 */
export function readHeadFile(gitDir: string): string | undefined | null {
  try {
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref: (refs\/heads\/[^\s]+)$/.exec(head)?.[1];
    if (!ref) return null;
    try {
      const oid = readFileSync(join(gitDir, ref), "utf8").trim();
      return /^[0-9a-f]{40}$/.test(oid) ? oid : null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") return null;
    }
    let packed = "";
    try {
      packed = readFileSync(join(gitDir, "packed-refs"), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") return null;
    }
    for (const line of packed.split("\n")) if (line.endsWith(` ${ref}`)) return line.slice(0, 40);
    return undefined;
  } catch {
    return null;
  }
}

/** Git's name of an object: SHA-1 of `<type> <size>\0<body>`. */
export function objectId(type: string, body: Buffer): Buffer {
  return nodeCrypto().createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest();
}

let tmpCounter = 0;

/** Write a loose object (zlib of header + body) unless it is there already; returns its id. */
export function writeObject(gitDir: string, type: string, body: Buffer): Buffer {
  const oid = objectId(type, body);
  const hex = oid.toString("hex");
  const folder = join(gitDir, "objects", hex.slice(0, 2));
  const file = join(folder, hex.slice(2));
  if (existsSync(file)) return oid;
  mkdirSync(folder, { recursive: true });
  const tmp = join(folder, `tmp_obj_${process.pid}_${Date.now()}_${tmpCounter++}`);
  writeFileSync(
    tmp,
    nodeZlib().deflateSync(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]), { level: 1 }),
    {
      mode: 0o444,
    },
  );
  renameSync(tmp, file);
  return oid;
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

/** A git process started ahead of need: `end` gives it its input and waits for it. */
export interface StartedGit {
  end(input: string): Promise<{ code: number; stdout: Buffer; stderr: string }>;
}

/**
 * Start `git args` now and feed it later. A write starts `cat-file --batch` and `update-index
 * --stdin` when it takes the lock, so that their start-up (for update-index: reading git's index of
 * every file, ~50 ms at 200,000 records) overlaps the command's own work.
 */
export function startGit(dir: string, args: string[], env: Record<string, string> = {}): StartedGit {
  const child = childProcess().spawn("git", args, {
    cwd: dir,
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on("data", (b: Buffer) => out.push(b));
  child.stderr.on("data", (b: Buffer) => err.push(b));
  const done = new Promise<{ code: number; stdout: Buffer; stderr: string }>((resolve, reject) => {
    child.on("error", (e) => reject(failed("git.not-found", { message: e.message })));
    child.on("close", (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString().trim() }),
    );
  });
  // Awaited only when fed: a failure to start must not surface as an unhandled rejection before.
  done.catch(() => undefined);
  child.stdin.on("error", () => undefined);
  let ended = false;
  return {
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
  if (r.code !== 0) throw failed("git.failed", { command: "git cat-file --batch", message: r.stderr });
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

/**
 * The tree of `base` (a commit name such as HEAD, or undefined for none) with `changes` applied.
 * Writes the new blobs and folders; returns the new root tree and the parent commit's id.
 */
export async function buildTree(
  dir: string,
  gitDir: string,
  base: string | undefined,
  changes: TreeChange[],
  catFile?: StartedGit,
): Promise<{ tree: Buffer; parent: string | undefined }> {
  // Every folder on a changed path, the root first.
  const folders = new Set<string>([""]);
  for (const c of changes) {
    const parts = c.path.split("/");
    for (let k = 1; k < parts.length; k++) folders.add(parts.slice(0, k).join("/"));
  }
  const list = [...folders];
  if (!base) void catFile?.end("");
  const objects = base
    ? await catFileBatch(
        dir,
        [base, ...list.map((f) => (f === "" ? `${base}^{tree}` : `${base}:${f}`))],
        catFile,
      )
    : [];
  const head = objects[0];
  if (base && head && head.type !== "commit") throw new Error(`${base} is not a commit`);
  const entries = new Map<string, Map<string, TreeEntry>>();
  list.forEach((f, k) => {
    const o = objects[k + 1];
    if (o && o.type !== "tree") throw new Error(`${f} is not a folder in ${base}`);
    entries.set(f, new Map((o ? parseTree(o.body) : []).map((e) => [e.name, e])));
  });
  for (const c of changes) {
    const cut = c.path.lastIndexOf("/");
    const folder = entries.get(cut < 0 ? "" : c.path.slice(0, cut));
    const name = c.path.slice(cut + 1);
    if (!folder) continue;
    if (c.content === undefined) folder.delete(name);
    else {
      const old = folder.get(name);
      const mode = old && old.mode !== "40000" ? old.mode : "100644";
      folder.set(name, { mode, name, oid: writeObject(gitDir, "blob", c.content) });
    }
  }
  // Deepest folders first, so each parent sees its children's new ids.
  const byDepth = list.filter((f) => f !== "").sort((a, b) => b.split("/").length - a.split("/").length);
  for (const f of byDepth) {
    const cut = f.lastIndexOf("/");
    const parent = entries.get(cut < 0 ? "" : f.slice(0, cut));
    const name = f.slice(cut + 1);
    const own = entries.get(f);
    if (!parent || !own) continue;
    if (own.size === 0) parent.delete(name);
    else
      parent.set(name, {
        mode: "40000",
        name,
        oid: writeObject(gitDir, "tree", treeBody([...own.values()])),
      });
  }
  const tree = writeObject(gitDir, "tree", treeBody([...(entries.get("")?.values() ?? [])]));
  return { tree, parent: head?.oid };
}

/** Write a commit object; returns its id (hex). */
export function writeCommit(
  gitDir: string,
  c: { tree: Buffer; parent: string | undefined; author: string; committer: string; message: string },
): string {
  const text =
    `tree ${c.tree.toString("hex")}\n${c.parent ? `parent ${c.parent}\n` : ""}` +
    `author ${c.author}\ncommitter ${c.committer}\n\n${c.message}`;
  return writeObject(gitDir, "commit", Buffer.from(text, "utf8")).toString("hex");
}
