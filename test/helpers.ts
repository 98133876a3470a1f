/**
 * Shared helpers for the store and end-to-end tests: temp folders, a clean environment for the
 * built CLI (no user git config, no colour, English, not CI), running `bin/office-doc.js`, a small
 * office set up through the real bin, and git inspection.
 */
import { type SpawnSyncOptions, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createSyncFn } from "synckit";
import { recordRel } from "../src/store/registry.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const BIN = join(ROOT, "bin", "office-doc.js");

/** The clock every test uses unless it sets its own: Friday before the 2026 Spring Festival. */
export const NOW = "2026-02-13T09:00:00+08:00";

/** The small office that initRegistry sets up (ids). */
export const UNIT = "urban";
export const CLERK = "chang-liqun";
export const CLERK_EMAIL = "chang-liqun@x-street.example";
export const OFFICE = "wang-shoujie";
export const SECRETARY = "li-jianguo";
export const LEADER = "zhou-qiang";
export const UNIT_HEAD = "zhao-lei";
export const STAFF = "qian-fang";
/** More leaders of the template office (for outgoing documents: who issues depends on the category). */
export const DIRECTOR = "sun-hongbin";
export const RESIDENT_SECRETARY = "he-min";
export const LEADER2 = "zheng-hua";

export const PEOPLE: { id: string; name: string; roles: string; unit?: string; email?: string }[] = [
  { id: CLERK, name: "常丽群", roles: "clerk", email: CLERK_EMAIL },
  { id: OFFICE, name: "王守杰", roles: "office" },
  { id: SECRETARY, name: "李建国", roles: "party-secretary" },
  { id: LEADER, name: "周强", roles: "leader" },
  { id: UNIT_HEAD, name: "赵磊", roles: "unit-head", unit: UNIT },
  // Added later; kept before STAFF so that the last commit of the template is still `person add qian-fang`.
  { id: DIRECTOR, name: "孙洪斌", roles: "director" },
  { id: RESIDENT_SECRETARY, name: "何敏", roles: "resident-secretary" },
  { id: LEADER2, name: "郑华", roles: "leader" },
  { id: STAFF, name: "钱芳", roles: "staff", unit: UNIT },
];

export type Env = Record<string, string | undefined>;

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: Env;
  /** Text piped to stdin; without it stdin is closed (never a TTY). */
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

const made: string[] = [];

/** A fresh temp folder, removed by cleanupTempDirs(). */
export function makeTempDir(prefix = "office-doc-test-"): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Remove every folder makeTempDir() made in this process (for afterAll). */
export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * An environment for the bin and for git: HOME in `sandbox`, GIT_CONFIG_GLOBAL an empty file there,
 * no system git config, LANG=C, NO_COLOR, CI unset. Only PATH (and TMPDIR) come from outside.
 * `extra` values that are undefined remove the variable.
 */
export function testEnv(sandbox: string, extra: Env = {}): Env {
  const home = join(sandbox, "home");
  mkdirSync(home, { recursive: true });
  const gitconfig = join(sandbox, "gitconfig-empty");
  if (!existsSync(gitconfig)) writeFileSync(gitconfig, "");
  const env: Env = {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_GLOBAL: gitconfig,
    GIT_CONFIG_NOSYSTEM: "1",
    LANG: "C",
    NO_COLOR: "1",
  };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  delete env.CI;
  return env;
}

function clean(env: Env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function spawnOpts(opts: RunOptions): SpawnSyncOptions {
  return {
    cwd: opts.cwd ?? ROOT,
    env: clean(opts.env),
    stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    timeout: opts.timeoutMs ?? 60_000,
  };
}

/**
 * Run a command line in this process, synchronously: the built CLI (dist/main.cjs) runs it in a
 * worker thread of this test file (test/cli-worker.mjs) with `opts.env` as its environment and its
 * output captured, through the same program and error mapper as the bin, without a process start.
 * What only a process shows (stdin, exit, signals, concurrency) goes through runBin.
 */
export function runInProcess(args: string[], opts: RunOptions): BinResult {
  if (opts.input !== undefined) return runBin(args, opts);
  cliWorker ??= createSyncFn(join(ROOT, "test", "cli-worker.mjs"), { timeout: opts.timeoutMs ?? 60_000 });
  return cliWorker(args, clean(opts.env), opts.cwd ?? ROOT);
}
let cliWorker: ((args: string[], env: NodeJS.ProcessEnv, cwd: string) => BinResult) | undefined;

/** Run `node bin/office-doc.js args` as a process and wait for it. */
export function runBin(args: string[], opts: RunOptions): BinResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    ...spawnOpts(opts),
    encoding: "utf8",
    ...(opts.input === undefined ? {} : { input: opts.input }),
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** The same, without blocking: for processes that must run at the same time. */
export function runBinAsync(args: string[], opts: RunOptions): Promise<BinResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: clean(opts.env),
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr?.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    if (child.stdin) child.stdin.end(opts.input);
  });
}

/** Run git in `dir` with the test environment; throws on a non-zero exit. */
export function git(dir: string, args: string[], env: Env = testEnv(dirname(dir))): string {
  const r = spawnSync("git", args, { cwd: dir, env: clean({ ...env, LC_ALL: "C" }), encoding: "utf8" });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`git ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export interface LogEntry {
  hash: string;
  authorName: string;
  authorEmail: string;
  committerName: string;
  committerEmail: string;
  subject: string;
  body: string;
  trailers: Record<string, string>;
}

/** The commits of HEAD, newest first, with their trailers. Empty for a repository without commits. */
export function gitLog(dir: string, ...paths: string[]): LogEntry[] {
  const head = spawnSync("git", ["rev-parse", "--verify", "-q", "HEAD"], {
    cwd: dir,
    env: clean(testEnv(dirname(dir))),
  });
  if (head.status !== 0) return [];
  const fmt = ["%H", "%an", "%ae", "%cn", "%ce", "%s", "%b", "%(trailers:only,unfold)"].join("%x1f");
  const out = git(dir, ["log", `--format=%x1e${fmt}`, ...(paths.length ? ["--", ...paths] : [])]);
  return out
    .split("\x1e")
    .filter((s) => s.trim() !== "")
    .map((block) => {
      const [hash = "", an = "", ae = "", cn = "", ce = "", subject = "", body = "", tr = ""] =
        block.split("\x1f");
      const trailers: Record<string, string> = {};
      for (const line of tr.split("\n")) {
        const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
        if (m) trailers[m[1] as string] = m[2] as string;
      }
      return {
        hash: hash.trim(),
        authorName: an,
        authorEmail: ae,
        committerName: cn,
        committerEmail: ce,
        subject,
        body,
        trailers,
      };
    });
}

/** Number of commits reachable from HEAD (0 without commits). */
export function commitCount(dir: string): number {
  return gitLog(dir).length;
}

/** `git status --porcelain` (untracked files included; ignored ones not). Empty means clean. */
export function gitStatus(dir: string): string {
  return git(dir, ["status", "--porcelain", "--untracked-files=all"]);
}

/** A handle on one registry: run the bin against it as some person at some time. */
export interface Registry {
  dir: string;
  sandbox: string;
  /** The environment of a run: OFFICE_DOC_REGISTRY, OFFICE_DOC_USER (clerk unless null), OFFICE_DOC_NOW. */
  env(opts?: { user?: string | null; now?: string; env?: Env }): Env;
  /** Run a command in-process (runInProcess); with `input`, the real bin with that stdin. */
  run(args: string[], opts?: { user?: string | null; now?: string; env?: Env; input?: string }): BinResult;
  /** Run the real bin as a process (exit codes of the process, stdin closed, signals). */
  runBin(args: string[], opts?: { user?: string | null; now?: string; env?: Env; input?: string }): BinResult;
  runAsync(
    args: string[],
    opts?: { user?: string | null; now?: string; env?: Env; input?: string },
  ): Promise<BinResult>;
  /** Read a file of the registry (relative path). */
  read(rel: string): string;
}

export function registryHandle(dir: string, sandbox = dirname(dir)): Registry {
  const env: Registry["env"] = (opts = {}) =>
    testEnv(sandbox, {
      OFFICE_DOC_REGISTRY: dir,
      OFFICE_DOC_USER: opts.user === null ? undefined : (opts.user ?? CLERK),
      OFFICE_DOC_NOW: opts.now ?? NOW,
      ...opts.env,
    });
  return {
    dir,
    sandbox,
    env,
    run: (args, opts = {}) =>
      runInProcess(args, { env: env(opts), ...(opts.input === undefined ? {} : { input: opts.input }) }),
    runBin: (args, opts = {}) =>
      runBin(args, { env: env(opts), ...(opts.input === undefined ? {} : { input: opts.input }) }),
    runAsync: (args, opts = {}) =>
      runBinAsync(args, { env: env(opts), ...(opts.input === undefined ? {} : { input: opts.input }) }),
    read: (rel) => readFileSync(join(dir, rel), "utf8"),
  };
}

function must(r: BinResult, what: string): BinResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return r;
}

/**
 * `init DIR` through the bin, then the small office (unit `urban`, a clerk, an office staff member,
 * the party secretary, a leader, the unit head and a staff member of `urban`), each through the bin.
 * DIR's parent is the sandbox holding HOME and the empty git config.
 */
export function initRegistry(dir: string): Registry {
  const sandbox = dirname(dir);
  const env = testEnv(sandbox, { OFFICE_DOC_NOW: NOW });
  must(runInProcess(["init", dir], { env }), "init");
  const withReg = { ...env, OFFICE_DOC_REGISTRY: dir };
  must(
    runInProcess(["unit", "add", UNIT, "--name", "城市管理科", "--code", "CGK"], { env: withReg }),
    "unit add",
  );
  for (const p of PEOPLE) {
    const args = ["person", "add", p.id, "--name", p.name, "--roles", p.roles];
    if (p.unit) args.push("--unit", p.unit);
    if (p.email) args.push("--email", p.email);
    must(runInProcess(args, { env: withReg }), `person add ${p.id}`);
  }
  return registryHandle(dir, sandbox);
}

function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    h.update(`${p}\0`);
    if (e.isDirectory()) hashTree(h, p);
    else h.update(readFileSync(p));
  }
}

/** What the template depends on: the built CLI, the templates it copies, and this office. */
function templateKey(): string {
  const h = createHash("sha256");
  hashTree(h, join(ROOT, "dist"));
  hashTree(h, join(ROOT, "templates"));
  h.update(JSON.stringify(PEOPLE));
  return h.digest("hex").slice(0, 16);
}

const CACHE_PREFIX = "office-doc-test-template-";

/**
 * The sandbox of an initialised office (see initRegistry), built through the bin once per build of
 * the CLI and shared by every test file (os.tmpdir()/office-doc-test-template-<hash>). Never written
 * to: tests work on copies. Stale ones (older than a day) are removed.
 */
function cachedTemplateSandbox(): string {
  const key = templateKey();
  const cached = join(tmpdir(), `${CACHE_PREFIX}${key}`);
  if (existsSync(join(cached, "registry", "office.yaml"))) return cached;
  const building = mkdtempSync(join(tmpdir(), `${CACHE_PREFIX}build-`));
  try {
    initRegistry(join(building, "registry"));
    try {
      renameSync(building, cached);
    } catch {
      // Another test process finished first: use theirs.
      if (!existsSync(join(cached, "registry", "office.yaml"))) throw new Error(`cannot create ${cached}`);
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(CACHE_PREFIX) || name === `${CACHE_PREFIX}${key}`) continue;
    try {
      if (statSync(join(tmpdir(), name)).mtimeMs < dayAgo)
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch {
      /* gone already */
    }
  }
  return cached;
}

/**
 * An initialised office for a test file, and cheap copies of it for each test: the whole sandbox
 * (registry, HOME, empty git config) is copied with fs.cpSync from a template built once.
 * `template` is itself a private copy, free to use.
 */
export function templateRegistry(): { template: Registry; copy(): Registry } {
  const source = cachedTemplateSandbox();
  const copy = (): Registry => {
    const target = makeTempDir("office-doc-reg-");
    cpSync(source, target, { recursive: true });
    return registryHandle(join(target, "registry"), target);
  };
  return { template: copy(), copy };
}

/** Receive a document (as the clerk, by default) and return its id. */
export function receive(reg: Registry, title: string, opts: { now?: string; extra?: string[] } = {}): string {
  const r = must(
    reg.run(["receive", "--title", title, "--from", "区应急管理局", "--json", ...(opts.extra ?? [])], {
      ...(opts.now ? { now: opts.now } : {}),
    }),
    "receive",
  );
  return (JSON.parse(r.stdout) as { id: string }).id;
}

/** Parse the whole stdout as one JSON document. */
export function json<T = unknown>(r: BinResult): T {
  return JSON.parse(r.stdout) as T;
}

export const recordPath = (id: string) => recordRel("incoming", id);

/** A second unit, not in the template (that keeps its commit count): see addSecondUnit. */
export const UNIT2 = "social";
export const UNIT2_HEAD = "ma-li";
export const UNIT2_STAFF = "sun-li";

/** Add the unit `social` (社会事务科) with its unit head and a staff member, through the bin. */
export function addSecondUnit(reg: Registry): void {
  must(reg.run(["unit", "add", UNIT2, "--name", "社会事务科", "--code", "SWK"]), "unit add");
  must(
    reg.run(["person", "add", UNIT2_HEAD, "--name", "马丽", "--roles", "unit-head", "--unit", UNIT2]),
    "person add",
  );
  must(
    reg.run(["person", "add", UNIT2_STAFF, "--name", "孙莉", "--roles", "staff", "--unit", UNIT2]),
    "person add",
  );
}

/** HEAD and `git status --porcelain` of a registry: equal before and after a refused command. */
export function repoState(dir: string): { head: string; status: string } {
  return { head: git(dir, ["rev-parse", "HEAD"]).trim(), status: gitStatus(dir) };
}

/** The record files (absolute paths) of a demo registry made with `init --demo` at NOW. */
export function demoRecordFiles(): string[] {
  const sandbox = makeTempDir("office-doc-demo-");
  const dir = join(sandbox, "reg");
  const r = runInProcess(["init", dir, "--demo"], {
    cwd: sandbox,
    env: testEnv(sandbox, { OFFICE_DOC_NOW: NOW }),
  });
  if (r.code !== 0) throw new Error(r.stderr);
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((name) => {
      const p = join(d, name);
      return statSync(p).isDirectory() ? walk(p) : name.endsWith(".yaml") ? [p] : [];
    });
  return walk(join(dir, "records"));
}

/**
 * Everything a failed write must leave as it was: HEAD, every file and folder of the work tree
 * (outside .git and .office-doc) byte for byte, git's index entries (`git ls-files -s`) and `git status`.
 */
export function registrySnapshot(dir: string): {
  head: string;
  files: Record<string, string>;
  index: string;
  status: string;
} {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === ".git" || r === ".office-doc") continue;
      if (e.isDirectory()) {
        files[`${r}/`] = "folder";
        walk(r);
      } else
        files[r] = createHash("sha1")
          .update(readFileSync(join(dir, r)))
          .digest("hex");
    }
  };
  walk("");
  // Looking must not write: git status refreshes git's index when it may (not on a full disk).
  const env = testEnv(dirname(dir), { GIT_OPTIONAL_LOCKS: "0" });
  return {
    head: git(dir, ["rev-parse", "HEAD"], env).trim(),
    files,
    index: git(dir, ["ls-files", "-s"], env),
    status: git(dir, ["status", "--porcelain", "--untracked-files=all"], env),
  };
}

/**
 * What a write must never leave in a registry, also after a failure: temp files, the write-ahead
 * journal, the lock, takeover markers (paths relative to the registry; .git not searched).
 */
export function leftovers(dir: string): string[] {
  const walk = (rel: string): string[] =>
    readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === ".git") return [];
      return e.isDirectory() ? walk(r) : [r];
    });
  return walk("").filter((f) => /\.tmp$|write-ahead\.json$|\/lock$|takeover/.test(f));
}

/**
 * Add a person `mallory` with `roles` to office.yaml by hand, without committing it (the flow-style
 * list the bin writes). Returns the edited text.
 */
export function addUncommittedPerson(reg: Registry, roles: string): string {
  const text = reg.read("office.yaml");
  const edited = text.replace(
    /^people: \[ /m,
    `people: [ { id: mallory, name: 冒充者, roles: [ ${roles} ] }, `,
  );
  if (edited === text) throw new Error("office.yaml has no flow-style people list");
  writeFileSync(join(reg.dir, "office.yaml"), edited);
  return edited;
}

/** Write files of the registry and commit them by hand with git, as an office administrator would. */
export function commitByHand(reg: Registry, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    writeFileSync(join(reg.dir, rel), text);
    git(reg.dir, ["add", rel]);
  }
  git(reg.dir, [
    "-c",
    "user.name=管理员",
    "-c",
    "user.email=admin@x.example",
    "commit",
    "-q",
    "-m",
    "edit by hand",
  ]);
}

/**
 * What is wrong with a registry after any sequence of writes, failures and kills (empty: nothing):
 * `git status` not clean, temp files, a journal or a lock left, `check` failing, `git fsck --strict`.
 */
export function registryProblems(reg: Registry): string[] {
  const problems: string[] = [];
  const status = gitStatus(reg.dir);
  if (status) problems.push(`git status: ${status}`);
  for (const f of leftovers(reg.dir)) problems.push(`left: ${f}`);
  const check = reg.run(["check"]);
  if (check.code !== 0) problems.push(`check: ${check.stdout}${check.stderr}`);
  const fsck = git(reg.dir, ["fsck", "--strict", "--no-dangling", "--no-progress"]);
  if (fsck) problems.push(`fsck: ${fsck}`);
  return problems;
}

/**
 * Edit a record's file by hand and commit it by hand (not through office-doc): each placeholder in
 * `values` is replaced by its value as a YAML double-quoted string (JSON's escapes), so a test can
 * put there what office-doc's input would refuse (control characters, line breaks).
 */
export function handEdit(reg: Registry, id: string, values: Record<string, string>): void {
  const rel = recordRel("incoming", id);
  const file = join(reg.dir, rel);
  let text = readFileSync(file, "utf8");
  for (const [placeholder, value] of Object.entries(values))
    text = text.replace(placeholder, JSON.stringify(value));
  writeFileSync(file, text);
  git(reg.dir, [
    "-c",
    "user.name=hand",
    "-c",
    "user.email=hand@example.org",
    "commit",
    "-qm",
    "hand edit",
    "--",
    rel,
  ]);
}
