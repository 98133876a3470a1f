#!/usr/bin/env node
// The benchmark: whole-process runs of the real bin against generated registries of 50,000 and
// 200,000 records (BENCH_SIZES=50000 to choose), medians and p90 next to the targets, and
// Taskwarrior's `task overdue` as a yardstick. Results: stdout, bench/out/results.md, results.json.
//
//   npm run bench                      build, then both sizes (generation is cached in bench/out/)
//   BENCH_SIZES=50000 npm run bench
//   BENCH_RUNS=21                      runs per command (the first is a warm-up, discarded)
//   BENCH_PROFILE=1                    also `node --cpu-prof` each command once, print the top functions
//   BENCH_TW=0                         skip the Taskwarrior comparison; BENCH_TW_SIZES=10000,50000
//   BENCH_VERIFY=0                     skip `verify` (from the first commit: minutes at 200k records)
//   BENCH_SHARING=0                    skip the sharing figures (receive against a bare remote, sync)

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { BIN, ensureRegistry, NOW, OUT, ROOT, restoreRegistry } from "./generate.mjs";
import { recordId } from "./lib/layout.mjs";
import {
  droppedVars,
  measuredEnv,
  profileInclusive,
  profileTop,
  runOnce,
  stats,
  timeRounds,
  timeRuns,
} from "./lib/measure.mjs";
import { benchSharing } from "./sharing.mjs";
import { compareTaskwarrior } from "./taskwarrior.mjs";

const SIZES = (process.env.BENCH_SIZES ?? "50000,200000")
  .split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => n > 0);
const RUNS = Math.max(2, Number(process.env.BENCH_RUNS ?? 11));
const PROFILE = process.env.BENCH_PROFILE === "1";
const NODE = process.execPath;

/** Targets from the issues, in ms, per registry size. */
const TARGETS = {
  show: { 200000: 150 },
  "list --status open": { 200000: 200 },
  "list --status open --json": { 200000: 200 },
  overdue: { 50000: 150, 200000: 200 },
  "overdue --json": { 50000: 150, 200000: 200 },
  receive: { 200000: 250 },
  "propose (sign)": { 200000: 250 },
  "verify (one day's commits)": { 200000: 2000 },
};

const log = (s = "") => process.stdout.write(`${s}\n`);
const fmt = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const k = (n) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

function machine() {
  const git = execFileSync("git", ["--version"], { encoding: "utf8" }).trim();
  return {
    node: process.version,
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: os.cpus()[0]?.model ?? "?",
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    git,
    platform: `${os.platform()} ${os.release()}`,
    tool: toolRevision(),
    load: os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" "),
  };
}

/** The commit of the tool being measured, and whether its sources differ from it. */
function toolRevision() {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim();
    const dirty = execFileSync(
      "git",
      ["status", "--porcelain", "--", "src", "templates", "scripts", "package.json"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    ).trim();
    return `${head}${dirty ? " + uncommitted changes in src/" : ""}`;
  } catch {
    return "unknown";
  }
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

function pad(s, n) {
  const w = [...String(s)].reduce((a, c) => a + (/[\u3000-\u9fff\uff00-\uffef]/.test(c) ? 2 : 1), 0);
  return String(s) + " ".repeat(Math.max(0, n - w));
}

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  log(`  ${header.map((h, i) => pad(h, widths[i])).join("  ")}`);
  log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const r of rows) log(`  ${r.map((c, i) => pad(c, widths[i])).join("  ")}`);
}

function shuffle(xs, seed) {
  const a = [...xs];
  let s = seed;
  for (let i = a.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** A random existing record id of the registry (any year, any record). */
function randomIds(meta, count, seed) {
  const keys = Object.keys(meta.perYear);
  const total = keys.reduce((s, key) => s + meta.perYear[key], 0);
  const out = [];
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    let x = s % total;
    for (const key of keys) {
      if (x < meta.perYear[key]) {
        const year = key.split("/")[1];
        out.push(recordId("IN", year, x + 1));
        break;
      }
      x -= meta.perYear[key];
    }
  }
  return out;
}

const FLOOR = "node -e 0 (floor)";
const INDEX_FILES = ["index-open.json", "index-journal.jsonl", "index-closed.jsonl"];

async function benchSize(n) {
  log(`\n== ${k(n)} records ==`);
  const t0 = Date.now();
  const { dir, meta, cached } = await ensureRegistry({ n, log: (s) => log(s) });
  if (cached)
    log(
      `registry: ${dir}\n  cached (generated in ${fmt(meta.seconds * 1000)}; delete bench/out/registries to regenerate)`,
    );
  else log(`registry: ${dir}\n  generated now in ${fmt(Date.now() - t0)}`);
  log(`  ${n} records, ${meta.open} open, ${meta.commits} commits, clock ${meta.now}`);

  const env = measuredEnv({
    OFFICE_DOC_REGISTRY: dir,
    OFFICE_DOC_NOW: NOW,
    OFFICE_DOC_USER: "liu-qingzhu",
    NO_COLOR: "1",
  });
  delete env.OFFICE_DOC_LANG;
  const bin = (...args) => [BIN, ...args];

  // The first read builds the index under .office-doc/ (every record parsed once).
  const local = join(dir, ".office-doc");
  for (const f of [...INDEX_FILES, "config-cache.json"]) rmSync(join(local, f), { force: true });
  const first = runOnce(NODE, bin("list", "--status", "open"), { env });
  if (first.status !== 0) throw new Error(`first list failed: ${first.stderr}`);
  log(`  first index build (list --status open with no index): ${fmt(first.ms)}`);

  // Sanity: the registry is what the tool expects.
  const openJson = JSON.parse(runOnce(NODE, bin("list", "--status", "open", "--json"), { env }).stdout);
  const openCount = Array.isArray(openJson) ? openJson.length : -1;
  log(`  list --status open --json: ${openCount} records (generator: ${meta.open})`);
  if (openCount !== meta.open) throw new Error("open count differs from the generator's");
  for (const id of randomIds(meta, 3, 7)) {
    const r = runOnce(NODE, bin("show", id), { env });
    if (r.status !== 0) throw new Error(`show ${id} failed: ${r.stderr}`);
  }

  const ids = randomIds(meta, RUNS + 1, n); // the last one for the profiled run
  // Records of the last weeks: the newest ids of the newest year.
  const lastKey = Object.keys(meta.perYear).sort().pop();
  const lastCount = meta.perYear[lastKey];
  const recent = Array.from({ length: RUNS + 1 }, (_, i) =>
    recordId("IN", lastKey.split("/")[1], lastCount - 3 * i),
  );
  const reads = [
    ["show", (i) => bin("show", ids[i])],
    ["list --status open", () => bin("list", "--status", "open")],
    ["list --status open --json", () => bin("list", "--status", "open", "--json")],
    ["overdue", () => bin("overdue")],
    ["overdue --json", () => bin("overdue", "--json")],
    ["log", (i) => bin("log", ids[i])],
    ["log (this month's record)", (i) => bin("log", recent[i])],
  ];
  for (const [, args] of reads) runOnce(NODE, args(0), { env }); // warm the page cache
  // The index build just wrote tens of MB: let the kernel write them back before timing anything.
  execFileSync("sync");
  // In rounds (each command once per round), with node's own start among them, so that every
  // command and the floor are timed over the same stretch of the machine's drifting speed.
  const readStats = timeRounds(
    [
      { name: FLOOR, cmd: NODE, args: () => ["-e", "0"], env },
      ...reads.map(([name, args]) => ({ name, cmd: NODE, args, env })),
    ],
    RUNS,
  );
  const sizeFloor = readStats.get(FLOOR);
  log(
    `  ${pad(FLOOR, 28)} median ${fmt(sizeFloor.median).padStart(7)}   p90 ${fmt(sizeFloor.p90).padStart(7)}`,
  );
  const results = [];
  for (const [name] of reads) {
    const s = readStats.get(name);
    results.push({ name, ...s });
    log(`  ${pad(name, 28)} median ${fmt(s.median).padStart(7)}   p90 ${fmt(s.p90).padStart(7)}`);
  }

  // Writes: each run registers a new record or signs another one; the registry is put back after.
  const saved = join(OUT, "index-backup");
  mkdirSync(saved, { recursive: true });
  for (const f of INDEX_FILES) if (existsSync(join(local, f))) copyFileSync(join(local, f), join(saved, f));
  const proposeIds = shuffle(meta.openIds.propose, n);
  if (proposeIds.length < RUNS + 1) throw new Error(`only ${proposeIds.length} records at the proposal step`);
  const writes = [
    [
      "receive",
      (i) =>
        bin(
          "receive",
          "--title",
          `关于做好第${i + 1}批基准测试工作的通知`,
          "--from",
          "区政府办公室",
          "--doc-number",
          `区政办发〔2026〕${200 + i}号`,
        ),
      env,
    ],
    [
      "propose (sign)",
      (i) => bin("propose", proposeIds[i], "--opinion", "拟请李书记阅示。"),
      { ...env, OFFICE_DOC_USER: "wang-shoujie" },
    ],
  ];
  try {
    const writeStats = timeRounds(
      [
        { name: FLOOR, cmd: NODE, args: () => ["-e", "0"], env },
        ...writes.map(([name, args, wenv]) => ({ name, cmd: NODE, args, env: wenv })),
      ],
      RUNS,
    );
    const writesFloor = writeStats.get(FLOOR);
    for (const [name] of writes) {
      const s = writeStats.get(name);
      // "− floor" of a write subtracts the floor timed in the writes' own rounds.
      results.push({ name, ...s, floor: writesFloor.median });
      log(`  ${pad(name, 28)} median ${fmt(s.median).padStart(7)}   p90 ${fmt(s.p90).padStart(7)}`);
    }
  } finally {
    restoreRegistry(dir, meta);
    for (const f of INDEX_FILES) if (existsSync(join(saved, f))) copyFileSync(join(saved, f), join(local, f));
  }

  if (process.env.BENCH_VERIFY !== "0") results.push(...benchVerify(dir, env, bin));
  // Several clerks (issue 17): a registration against a local bare remote, and sync of 1,000
  // commits another clerk pushed (BENCH_SHARING=0 skips them).
  if (process.env.BENCH_SHARING !== "0")
    results.push(
      ...benchSharing({
        dir,
        meta,
        env,
        runs: RUNS,
        node: NODE,
        log,
        restoreIndex: () => {
          for (const f of INDEX_FILES)
            if (existsSync(join(saved, f))) copyFileSync(join(saved, f), join(local, f));
        },
      }),
    );

  if (PROFILE) {
    log("  profiles (node --cpu-prof, self time of the top functions):");
    const profiles = join(OUT, "profiles", k(n));
    rmSync(profiles, { recursive: true, force: true });
    const all = [...reads.map(([name, args]) => [name, args, env]), ...writes];
    for (const [name, args, wenv] of all) {
      const pdir = join(profiles, name.replace(/[^a-z0-9]+/gi, "-"));
      mkdirSync(pdir, { recursive: true });
      const r = runOnce(NODE, ["--cpu-prof", `--cpu-prof-dir=${pdir}`, ...args(RUNS)], { env: wenv });
      if (name === "receive" || name.startsWith("propose")) restoreRegistry(dir, meta);
      if (r.status !== 0) throw new Error(`profiled ${name} failed: ${r.stderr}`);
      log(`    ${name} (${fmt(r.ms)} under the profiler):`);
      const line = (t) =>
        `      ${`${t.ms.toFixed(0)} ms`.padStart(8)} ${(100 * t.share).toFixed(0).padStart(3)}%  ${t.fn}`;
      log("      self time:");
      for (const t of profileTop(pdir, 6)) log(line(t));
      log("      total time in the tool's functions:");
      for (const t of profileInclusive(pdir, 8)) log(line(t));
    }
    for (const f of INDEX_FILES) if (existsSync(join(saved, f))) copyFileSync(join(saved, f), join(local, f));
    log(`  profiles saved in ${profiles} (open them in Chrome DevTools)`);
  }
  return { n, meta, cached, firstIndexMs: first.ms, results, floor: sizeFloor };
}

/**
 * `office-doc verify` (issue 18): once from the first commit (refs/office-doc/verified removed; one
 * run, it walks every commit), then the incremental verify of the last day's commits (the ref set to
 * the last commit more than a day older than HEAD; RUNS runs). The ref is removed afterwards. The
 * from-scratch run's problem count is printed: the generator writes records with its own copy of the
 * engine, so problems there are differences between that copy and the engine, worth a look.
 */
function benchVerify(dir, env, bin) {
  const REF = "refs/office-doc/verified";
  const drop = () => execFileSync("git", ["update-ref", "-d", REF], { cwd: dir });
  const out = [];
  try {
    drop();
    const full = runOnce(NODE, bin("verify"), { env });
    const problems = full.stdout.split("\n").filter(Boolean).length;
    log(
      `  ${pad("verify (from the first commit)", 28)} ${fmt(full.ms).padStart(7)}   exit ${full.status}, ${problems} problems`,
    );
    out.push({ name: "verify (from the first commit)", median: full.ms, p90: full.ms, n: 1, problems });
    const headTime = Number(
      execFileSync("git", ["log", "-1", "--format=%ct", "HEAD"], { cwd: dir, encoding: "utf8" }).trim(),
    );
    const dayAgo = execFileSync("git", ["rev-list", "-1", `--before=${headTime - 86400}`, "HEAD"], {
      cwd: dir,
      encoding: "utf8",
    }).trim();
    const count = execFileSync("git", ["rev-list", "--count", `${dayAgo}..HEAD`], {
      cwd: dir,
      encoding: "utf8",
    }).trim();
    const samples = [];
    for (let i = 0; i < RUNS; i++) {
      execFileSync("git", ["update-ref", REF, dayAgo], { cwd: dir });
      const r = runOnce(NODE, bin("verify"), { env });
      if (i > 0) samples.push(r.ms);
    }
    const s = stats(samples);
    log(
      `  ${pad(`verify (one day: ${count} commits)`, 28)} median ${fmt(s.median).padStart(7)}   p90 ${fmt(s.p90).padStart(7)}`,
    );
    out.push({ name: "verify (one day's commits)", ...s });
  } finally {
    drop();
  }
  return out;
}

function verdict(name, n, median) {
  const t = TARGETS[name]?.[n];
  if (t === undefined) return { target: "", result: "" };
  return { target: `≤${t} ms`, result: median <= t ? "PASS" : "MISS" };
}

async function main() {
  const m = machine();
  const started = Date.now();
  log(`office-doc benchmark — ${new Date().toISOString()}`);
  log(`machine: node ${m.node}, nproc ${m.nproc}, ${m.cpu}, ${m.memGiB} GiB, ${m.git}, ${m.platform}`);
  log(
    `office-doc ${m.tool}; load average ${load()}${os.loadavg()[0] > 0.5 * m.nproc ? " (busy machine: timings will be noisy)" : ""}`,
  );
  log(`runs per command: ${RUNS} (first discarded); clock OFFICE_DOC_NOW=${NOW}`);
  if (SIZES.some((n) => n >= 100_000))
    log(
      "note: the first run generates the registries: ~2 min for 50k, ~9 min for 200k on 2 cores (cached afterwards).",
    );

  const first = timeRounds(
    [
      { name: FLOOR, cmd: NODE, args: () => ["-e", "0"], env: measuredEnv() },
      { name: "--help", cmd: NODE, args: () => [BIN, "--help"], env: measuredEnv({ NO_COLOR: "1" }) },
    ],
    RUNS,
  );
  const [floor, help] = [first.get(FLOOR), first.get("--help")];
  log(
    `floor: node -e 0 median ${fmt(floor.median)} (p90 ${fmt(floor.p90)});  office-doc --help median ${fmt(help.median)} (p90 ${fmt(help.p90)})`,
  );
  const dropped = droppedVars();
  let shellFloor;
  if (dropped.length) {
    shellFloor = timeRuns(NODE, () => ["-e", "0"], { runs: RUNS, env: process.env });
    log(
      `note: this shell sets ${dropped.join(", ")}, which makes every node process start slower (node -e 0 with it: ` +
        `median ${fmt(shellFloor.median)}). The measured runs go without it, as a clerk's shell does ` +
        "(office-doc opens no TLS connection); BENCH_KEEP_ENV=1 keeps it. See bench/lib/measure.mjs.",
    );
  }

  const sizes = [];
  for (const n of SIZES) sizes.push(await benchSize(n));

  let tw;
  if (process.env.BENCH_TW !== "0") {
    log("\n== Taskwarrior comparison: `task overdue` vs `office-doc overdue` ==");
    const twSizes = (process.env.BENCH_TW_SIZES ?? "10000,50000").split(",").map(Number);
    tw = await compareTaskwarrior({ sizes: twSizes, runs: RUNS, log: (s) => log(s) });
    if (tw.skipped) log(`  ${tw.skipped}`);
    else
      for (const r of tw.rows)
        log(
          `  ${k(r.n)}: task overdue ${fmt(r.tw.median)} (${r.pending} pending, ${r.twOverdue} rows)  ` +
            `office-doc overdue ${fmt(r.ours.median)} (${r.open} open, ${r.oursOverdue} overdue; --json ${fmt(r.oursJson.median)})  ` +
            `ratio ${r.ratio.toFixed(1)}× (--json ${(r.oursJson.median / r.tw.median).toFixed(1)}×)`,
        );
  }

  // Summary tables.
  const names = ["--help", ...(sizes[0]?.results.map((r) => r.name) ?? [])];
  const cell = (s) => `${fmt(s.median)} (${fmt(s.p90)})`;
  log("\n== Summary: median (p90) of whole-process runs ==");
  const header = [
    "command",
    ...sizes.map((s) => `${k(s.n)}`),
    ...sizes.map((s) => `${k(s.n)} − floor`),
    ...sizes.map((s) => `target ${k(s.n)}`),
  ];
  const rows = names.map((name) => {
    const cells = sizes.map((s) =>
      name === "--help" ? cell(help) : cell(s.results.find((r) => r.name === name)),
    );
    const verdicts = sizes.map((s) => {
      if (name === "--help") return "";
      const v = verdict(name, s.n, s.results.find((r) => r.name === name).median);
      return v.target ? `${v.target} ${v.result}` : "";
    });
    const over = sizes.map((s) => {
      if (name === "--help") return fmt(help.median - floor.median);
      const r = s.results.find((x) => x.name === name);
      return fmt(r.median - (r.floor ?? s.floor.median));
    });
    return [name, ...cells, ...over, ...verdicts];
  });
  rows.push([FLOOR, ...sizes.map((s) => cell(s.floor)), ...sizes.map(() => ""), ...sizes.map(() => "")]);
  printTable(header, rows);

  const md = [];
  md.push(`### office-doc benchmark (${new Date().toISOString().slice(0, 10)})`);
  md.push("");
  md.push(
    `Machine: ${m.cpu}, ${m.nproc} cores, ${m.memGiB} GiB, node ${m.node}, ${m.git}; office-doc ${m.tool}. ` +
      `Load average at the start ${m.load}. ` +
      `Whole-process wall time of \`node bin/office-doc.js …\`, median (p90) of ${RUNS - 1} runs after a warm-up; ` +
      `the floor \`node -e 0\`, timed in the same rounds, is ${sizes.map((s) => fmt(s.floor.median)).join(" / ")} here.` +
      (shellFloor
        ? ` The shell of this run sets ${dropped.join(", ")} (node -e 0 with it: ${fmt(shellFloor.median)}); ` +
          "the measured runs leave it out, as a clerk's shell does."
        : ""),
  );
  md.push("");
  md.push(
    `| command | ${sizes.map((s) => `${k(s.n)} records`).join(" | ")} | ${sizes.map((s) => `${k(s.n)} − floor`).join(" | ")} | target |`,
  );
  md.push(`|---|${sizes.map(() => "---:").join("|")}|${sizes.map(() => "---:").join("|")}|---|`);
  for (const r of rows) {
    const name = r[0];
    const tgt = sizes
      .map((s) => {
        const v =
          name === "--help" || name.startsWith("node")
            ? { target: "" }
            : verdict(name, s.n, s.results.find((x) => x.name === name).median);
        return v.target ? `${k(s.n)}: ${v.target} **${v.result}**` : "";
      })
      .filter(Boolean)
      .join(", ");
    md.push(
      `| \`${name}\` | ${r.slice(1, 1 + sizes.length).join(" | ")} | ${r.slice(1 + sizes.length, 1 + 2 * sizes.length).join(" | ")} | ${tgt} |`,
    );
  }
  md.push("");
  md.push(`| registry | ${sizes.map((s) => `${k(s.n)}`).join(" | ")} |`);
  md.push(`|---|${sizes.map(() => "---:").join("|")}|`);
  md.push(`| open records | ${sizes.map((s) => s.meta.open).join(" | ")} |`);
  md.push(`| commits | ${sizes.map((s) => s.meta.commits).join(" | ")} |`);
  md.push(
    `| first index build (all records parsed) | ${sizes.map((s) => fmt(s.firstIndexMs)).join(" | ")} |`,
  );
  md.push(`| generation (once, cached) | ${sizes.map((s) => fmt(s.meta.seconds * 1000)).join(" | ")} |`);
  if (tw && !tw.skipped) {
    md.push("");
    md.push(
      `Taskwarrior ${tw.version}, \`task overdue\` vs \`office-doc overdue\` (5% pending/open, ~40% of them overdue):`,
    );
    md.push("");
    md.push(
      "| items | task overdue | office-doc overdue | ratio (ours / taskwarrior) | office-doc overdue --json | ratio |",
    );
    md.push("|---:|---:|---:|---:|---:|---:|");
    for (const r of tw.rows)
      md.push(
        `| ${k(r.n)} | ${cell(r.tw)} | ${cell(r.ours)} | ${r.ratio.toFixed(1)}× | ${cell(r.oursJson)} | ${(r.oursJson.median / r.tw.median).toFixed(1)}× |`,
      );
  } else if (tw?.skipped) {
    md.push("");
    md.push(`Taskwarrior comparison: ${tw.skipped}.`);
  }
  md.push("");
  const text = md.join("\n");
  log("\n== Markdown (saved to bench/out/results.md) ==\n");
  log(text);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, "results.md"), `${text}\n`);
  writeFileSync(
    join(OUT, "results.json"),
    `${JSON.stringify({ date: new Date().toISOString(), machine: m, runs: RUNS, floor, shellFloor, dropped, help, sizes: sizes.map((s) => ({ n: s.n, open: s.meta.open, commits: s.meta.commits, generationSeconds: s.meta.seconds, firstIndexMs: s.firstIndexMs, floor: s.floor, results: s.results })), taskwarrior: tw }, null, 1)}\n`,
  );
  log(`\ntotal bench time ${fmt(Date.now() - started)}; load average now ${load()}`);
}

await main();
