#!/usr/bin/env node
// Attack the write path of the built bin the way a hostile or unlucky office would, many more times
// than the test suite does, and count what breaks the registry's promise (issue 10):
//
//   node scripts/attack-write-path.mjs [--runs 10] [--kills 50] [--writers 30] [--kill-window 250]
//                                      [--only concurrency,kills,disk,ulimit,locks]
//
//   concurrency  `--writers` receives at once, `--runs` times: every one exits 0 (or says the lock is
//                held and writes nothing), distinct ids, each committed file holds its own title
//   kills        `--kills` writes (merge, receive, note, propose) killed with SIGKILL at a random
//                moment; the next write must add exactly one commit, every merge be whole or absent
//   disk         a small tmpfs filled to several levels (root only): each write succeeds whole or
//                fails with "disk is full" leaving every file, git's index and HEAD as they were
//   ulimit       the same under `ulimit -f` of 1 to 64 blocks
//   locks        a stale .git/index.lock and refs lock, and git processes killed through a PATH shim
//
// After every step: `git status` clean, no temp file, journal or lock left, `check` and
// `git fsck --strict` pass. Prints a table of runs and failures per attack; exits 1 on a failure.

import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "bin", "office-doc.js");
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt("runs", "10"));
const KILLS = Number(opt("kills", "50"));
const WRITERS = Number(opt("writers", "30"));
/** Kills land at a random moment within this many ms of a write's start (most writes take 100-300). */
const KILL_WINDOW = Number(opt("kill-window", "250"));
const ONLY = opt("only", "concurrency,kills,disk,ulimit,locks").split(",");

const work = mkdtempSync(join(tmpdir(), "office-doc-attack-"));
const results = [];
let failures = 0;

function record(attack, ok, what) {
  let r = results.find((x) => x.attack === attack);
  if (!r) {
    r = { attack, runs: 0, failed: 0, notes: [] };
    results.push(r);
  }
  r.runs++;
  if (!ok) {
    r.failed++;
    failures++;
    if (r.notes.length < 5) r.notes.push(what);
    console.error(`FAIL ${attack}: ${what}`);
  }
}

function baseEnv(sandbox, reg) {
  const env = {
    PATH: process.env.PATH,
    HOME: join(sandbox, "home"),
    GIT_CONFIG_GLOBAL: join(sandbox, "gitconfig"),
    GIT_CONFIG_NOSYSTEM: "1",
    LANG: "C",
    NO_COLOR: "1",
    OFFICE_DOC_NOW: "2026-02-13T09:00:00+08:00",
    OFFICE_DOC_USER: "liu-qingzhu",
    OFFICE_DOC_REGISTRY: reg,
  };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  return env;
}

function run(env, argv, extra = {}) {
  const r = spawnSync(process.execPath, [BIN, ...argv], { env: { ...env, ...extra }, encoding: "utf8" });
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function git(dir, argv, env) {
  const r = spawnSync("git", argv, {
    cwd: dir,
    env: { ...env, LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0" },
    encoding: "utf8",
  });
  return { code: r.status ?? -1, out: r.stdout ?? "", err: r.stderr ?? "" };
}

/** A demo registry made once; every attack works on copies. */
function makeBase() {
  const sandbox = join(work, "base");
  mkdirSync(join(sandbox, "home"), { recursive: true });
  writeFileSync(join(sandbox, "gitconfig"), "");
  const reg = join(sandbox, "registry");
  const r = run(baseEnv(sandbox, reg), ["init", reg, "--demo"]);
  if (r.code !== 0) throw new Error(`init --demo failed: ${r.stderr}`);
  return sandbox;
}

let copies = 0;
function copy(base, under = work) {
  const sandbox = join(under, `c${copies++}`);
  cpSync(base, sandbox, { recursive: true });
  const reg = join(sandbox, "registry");
  return { sandbox, reg, env: baseEnv(sandbox, reg) };
}

function snapshot(reg, env) {
  const files = {};
  const walk = (rel) => {
    for (const e of readdirSync(join(reg, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === ".git" || r === ".office-doc") continue;
      if (e.isDirectory()) {
        files[`${r}/`] = "";
        walk(r);
      } else
        files[r] = createHash("sha1")
          .update(readFileSync(join(reg, r)))
          .digest("hex");
    }
  };
  walk("");
  return JSON.stringify({
    head: git(reg, ["rev-parse", "HEAD"], env).out,
    index: git(reg, ["ls-files", "-s"], env).out,
    status: git(reg, ["status", "--porcelain", "--untracked-files=all"], env).out,
    files,
  });
}

function leftovers(reg) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(join(reg, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === ".git") continue;
      if (e.isDirectory()) walk(r);
      else if (/\.tmp$|write-ahead\.json$|\/lock$|takeover/.test(r)) out.push(r);
    }
  };
  walk("");
  for (const l of ["index.lock", "HEAD.lock", "refs/heads/main.lock"])
    if (existsSync(join(reg, ".git", l))) out.push(`.git/${l}`);
  return out;
}

/** The registry keeps its promise now: clean, nothing left, check and fsck pass. */
function sound(reg, env, deep = true) {
  const problems = [];
  const st = git(reg, ["status", "--porcelain", "--untracked-files=all"], env);
  if (st.out.trim()) problems.push(`status: ${st.out.trim().slice(0, 200)}`);
  const left = leftovers(reg);
  if (left.length) problems.push(`left: ${left.join(", ")}`);
  if (deep) {
    const c = run(env, ["check"]);
    if (c.code !== 0) problems.push(`check: ${c.stdout.slice(0, 300)}`);
    const f = git(reg, ["fsck", "--strict", "--no-dangling", "--no-progress"], env);
    if (f.code !== 0 || f.out.trim()) problems.push(`fsck: ${f.out}${f.err}`);
  }
  return problems;
}

const oneError = (r, re) =>
  r.code === 1 && re.test(r.stderr) && !/internal error|\n\s+at |Unhandled|node:internal/.test(r.stderr);

function receiveId(env, title) {
  const r = run(env, ["receive", "--title", title, "--from", "区政府办公室", "--json"]);
  if (r.code !== 0) throw new Error(`receive failed: ${r.stderr}`);
  return JSON.parse(r.stdout).id;
}

const recordRel = (id) => {
  const [, year, seq] = id.split("-");
  return `records/incoming/${year}/${seq.length > 2 ? seq.slice(0, -2) : "00"}/${id}.yaml`;
};

// ---------------------------------------------------------------------------------------------

async function concurrency(base) {
  for (let n = 0; n < RUNS; n++) {
    const c = copy(base);
    const t0 = Date.now();
    const out = await Promise.all(
      Array.from(
        { length: WRITERS },
        (_, i) =>
          new Promise((done) => {
            const child = spawn(
              process.execPath,
              [BIN, "receive", "--title", `并发收文 ${n}-${i}`, "--from", "区政府办公室", "--json"],
              { env: c.env },
            );
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (b) => {
              stdout += b;
            });
            child.stderr.on("data", (b) => {
              stderr += b;
            });
            child.on("close", (code) => done({ i, code, stdout, stderr }));
          }),
      ),
    );
    const problems = [];
    const ids = [];
    for (const r of out) {
      if (r.code !== 0) {
        if (!oneError(r, /locked by process/))
          problems.push(`#${r.i} exit ${r.code}: ${r.stderr.slice(0, 200)}`);
        continue;
      }
      const id = JSON.parse(r.stdout).id;
      ids.push(id);
      const committed = git(c.reg, ["show", `HEAD:${recordRel(id)}`], c.env).out;
      if (!committed.includes(`并发收文 ${n}-${r.i}`))
        problems.push(`#${r.i} reported ${id}, whose file holds another title`);
    }
    if (new Set(ids).size !== ids.length) problems.push("an id was given twice");
    const listed = JSON.parse(run(c.env, ["list", "--json", "--status", "all"]).stdout).filter((s) =>
      s.title.startsWith("并发收文"),
    );
    if (listed.length !== ids.length) problems.push(`list shows ${listed.length} of ${ids.length}`);
    problems.push(...sound(c.reg, c.env));
    record("concurrency", problems.length === 0, problems.join("; "));
    console.error(`concurrency run ${n + 1}: ${ids.length}/${WRITERS} written in ${Date.now() - t0} ms`);
    rmSync(c.sandbox, { recursive: true, force: true });
  }
}

async function kills(base) {
  const c = copy(base);
  const ids = Array.from({ length: 8 }, (_, i) => receiveId(c.env, `被中断的收文 ${i}`));
  const stats = { killed: 0, finished: 0 };
  for (let k = 0; k < KILLS; k++) {
    const kind = k % 4;
    let argv;
    let pair;
    if (kind === 0) {
      pair = [receiveId(c.env, `重复来文 ${k}`), receiveId(c.env, `原件 ${k}`)];
      argv = ["merge", pair[0], "--into", pair[1], "--reason", "重复来文"];
    } else if (kind === 1) argv = ["receive", "--title", `随机中断 ${k}`, "--from", "区政府办公室"];
    else if (kind === 2) argv = ["note", ids[k % ids.length], "--text", `进展 ${k}`];
    else argv = ["urge", ids[k % ids.length], "--note", `催办 ${k}`];
    const child = spawn(process.execPath, [BIN, ...argv], { env: c.env, stdio: "ignore" });
    const exited = new Promise((done) => child.on("exit", (code, signal) => done(signal ?? code)));
    setTimeout(() => child.kill("SIGKILL"), Math.floor(Math.random() * KILL_WINDOW));
    const how = await exited;
    if (how === "SIGKILL") stats.killed++;
    else stats.finished++;
    const head = git(c.reg, ["rev-parse", "HEAD"], c.env).out.trim();
    const next = run(c.env, ["note", ids[0], "--text", `第 ${k} 次之后`]);
    const problems = [];
    if (next.code !== 0) problems.push(`next write: ${next.stderr.slice(0, 200)}`);
    const added = git(c.reg, ["rev-list", "--count", `${head}..HEAD`], c.env).out.trim();
    if (added !== "1") problems.push(`the next write added ${added} commits`);
    if (pair) {
      const merged = git(c.reg, ["log", "--format=%s", "-n", "40"], c.env).out.includes(`merge ${pair[0]} `);
      const dupMerged = /^merged_into: /m.test(readFileSync(join(c.reg, recordRel(pair[0])), "utf8"));
      const intoNoted = readFileSync(join(c.reg, recordRel(pair[1])), "utf8").includes(`${pair[0]}: `);
      if (merged !== dupMerged || merged !== intoNoted) problems.push(`half a merge of ${pair[0]}`);
    }
    problems.push(...sound(c.reg, c.env, k % 10 === 9));
    record(`kills (${argv[0]})`, problems.length === 0, `kill ${k}: ${problems.join("; ")}`);
  }
  console.error(`kills: ${stats.killed} killed, ${stats.finished} had finished`);
}

function disk(base) {
  if (process.getuid?.() !== 0) return console.error("disk: not root, skipped");
  const mnt = mkdtempSync(join(tmpdir(), "office-doc-attack-tmpfs-"));
  const size = Number(spawnSync("du", ["-sk", base], { encoding: "utf8" }).stdout.split("\t")[0]);
  if (spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size + 3072}k`, "tmpfs", mnt]).status !== 0)
    return console.error("disk: cannot mount a tmpfs, skipped");
  try {
    const c = copy(base, mnt);
    const id = receiveId(c.env, "磁盘测试");
    let seq = 0;
    // Each write's arguments are made with the disk not full (a merge needs a fresh pair).
    const writes = [
      () => ["receive", "--title", "满盘时登记", "--from", "区政府办公室"],
      () => ["note", id, "--text", "满盘时的进展"],
      () => ["merge", receiveId(c.env, "重复来文"), "--into", receiveId(c.env, "原件"), "--reason", "重复"],
      () => ["calendar", "set", "2026-03-02", seq % 2 ? "--rest" : "--clear", "--name", "测试"],
      () => ["person", "add", `tester-${seq}`, "--name", "测试人员", "--roles", "staff"],
    ];
    for (const freeKb of [0, 4, 8, 12, 16, 24, 32, 48, 64, 128, 256]) {
      for (const w of writes) {
        seq++;
        rmSync(join(mnt, "filler"), { force: true });
        const argv = w();
        spawnSync("sh", ["-c", `dd if=/dev/zero of="${join(mnt, "filler")}" bs=4k 2>/dev/null; true`]);
        if (freeKb) spawnSync("truncate", ["-s", `-${freeKb}K`, join(mnt, "filler")]);
        const before = snapshot(c.reg, c.env);
        const r = run(c.env, argv);
        const problems = [];
        if (r.code !== 0) {
          if (!oneError(r, /disk is full/)) problems.push(`exit ${r.code}: ${r.stderr.slice(0, 300)}`);
          if (snapshot(c.reg, c.env) !== before) problems.push("changed although it failed");
        }
        rmSync(join(mnt, "filler"), { force: true });
        problems.push(...sound(c.reg, c.env, false));
        record("disk", problems.length === 0, `${argv[0]} at ${freeKb} KB free: ${problems.join("; ")}`);
      }
    }
    const problems = sound(c.reg, c.env);
    record("disk", problems.length === 0, `after: ${problems.join("; ")}`);
  } finally {
    spawnSync("umount", [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
}

function ulimit(base) {
  const c = copy(base);
  const ids = [receiveId(c.env, "限额测试 1"), receiveId(c.env, "限额测试 2")];
  for (const blocks of [1, 2, 4, 8, 16, 32, 64]) {
    for (const argv of [
      ["receive", "--title", "超限时登记", "--from", "区政府办公室"],
      ["note", ids[0], "--text", "超过文件大小限制时的一段较长的办理进展说明"],
      ["calendar", "set", "2026-03-03", "--rest", "--name", "测试"],
    ]) {
      const before = snapshot(c.reg, c.env);
      const quoted = argv.map((a) => `'${a}'`).join(" ");
      const r = spawnSync(
        "sh",
        ["-c", `ulimit -f ${blocks}; exec "${process.execPath}" "${BIN}" ${quoted}`],
        {
          env: c.env,
          encoding: "utf8",
        },
      );
      const res = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
      const problems = [];
      if (res.code !== 0) {
        if (!oneError(res, /size limit/))
          problems.push(`exit ${res.code} ${r.signal ?? ""}: ${res.stderr.slice(0, 300)}`);
        if (snapshot(c.reg, c.env) !== before) problems.push("changed although it failed");
      }
      problems.push(...sound(c.reg, c.env, false));
      record("ulimit -f", problems.length === 0, `${argv[0]} at ${blocks}: ${problems.join("; ")}`);
    }
  }
  const problems = sound(c.reg, c.env);
  record("ulimit -f", problems.length === 0, `after: ${problems.join("; ")}`);
}

function locks(base) {
  const c = copy(base);
  const ids = [receiveId(c.env, "锁测试 1"), receiveId(c.env, "锁测试 2")];
  const writes = [
    ["receive", "--title", "锁住时登记", "--from", "区政府办公室"],
    ["note", ids[0], "--text", "锁住时的进展"],
    ["calendar", "set", "2026-03-04", "--rest", "--name", "测试"],
  ];
  for (const lock of ["index.lock", "refs/heads/main.lock"]) {
    for (const argv of writes) {
      writeFileSync(join(c.reg, ".git", lock), "");
      const before = snapshot(c.reg, c.env);
      const r = run(c.env, argv);
      const problems = [];
      if (
        !oneError(
          r,
          new RegExp(
            `\\.git/${lock.replace(/\./g, "\\.")} exists: another git command is running or crashed`,
          ),
        )
      )
        problems.push(`exit ${r.code}: ${r.stderr.slice(0, 300)}`);
      if (snapshot(c.reg, c.env) !== before) problems.push("changed although it failed");
      rmSync(join(c.reg, ".git", lock));
      problems.push(...sound(c.reg, c.env, false));
      record("stale git locks", problems.length === 0, `${argv[0]} with ${lock}: ${problems.join("; ")}`);
    }
  }
  // git processes killed: a shim first on PATH kills one git subcommand, before or after its work.
  const real = spawnSync("sh", ["-c", "command -v git"], { encoding: "utf8", env: c.env }).stdout.trim();
  const shimDir = join(work, "shim");
  mkdirSync(shimDir, { recursive: true });
  for (const sub of ["cat-file", "update-index", "update-ref", "hash-object"]) {
    for (const when of ["before", "after"]) {
      const body =
        when === "before"
          ? `[ "$1" = ${sub} ] && kill -9 $$`
          : `[ "$1" = ${sub} ] && { "${real}" "$@"; kill -9 $$; }`;
      writeFileSync(join(shimDir, "git"), `#!/bin/sh\n${body}\nexec "${real}" "$@"\n`);
      chmodSync(join(shimDir, "git"), 0o755);
      for (const argv of writes) {
        const before = snapshot(c.reg, c.env);
        const r = run(c.env, argv, { PATH: `${shimDir}:${c.env.PATH}` });
        const problems = [];
        if (r.code !== 0) {
          if (!oneError(r, /stopped by signal|failed/))
            problems.push(`exit ${r.code}: ${r.stderr.slice(0, 300)}`);
          if (snapshot(c.reg, c.env) !== before) problems.push("changed although it failed");
        }
        problems.push(...sound(c.reg, c.env, false));
        record(
          "git killed",
          problems.length === 0,
          `${argv[0]}, ${sub} killed ${when}: ${problems.join("; ")}`,
        );
      }
    }
  }
  const problems = sound(c.reg, c.env);
  record("git killed", problems.length === 0, `after: ${problems.join("; ")}`);
}

// ---------------------------------------------------------------------------------------------

const t0 = Date.now();
try {
  const base = makeBase();
  if (ONLY.includes("concurrency")) await concurrency(base);
  if (ONLY.includes("kills")) await kills(base);
  if (ONLY.includes("disk")) disk(base);
  if (ONLY.includes("ulimit")) ulimit(base);
  if (ONLY.includes("locks")) locks(base);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`\n| attack | runs | failed |\n|---|---:|---:|`);
for (const r of results) console.log(`| ${r.attack} | ${r.runs} | ${r.failed} |`);
for (const r of results) for (const n of r.notes) console.log(`  ${r.attack}: ${n}`);
console.log(`\n${failures} failure(s) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
process.exit(failures ? 1 : 0);
