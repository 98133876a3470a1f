// Taskwarrior as a yardstick: `task overdue` on a data dir with the same number of items as a
// registry, next to `office-doc overdue` on that registry. Skipped (with a note) without `task`.
//
//   node bench/taskwarrior.mjs            (10k and 50k; BENCH_TW_SIZES=10000 to choose)

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BIN, ensureRegistry, NOW, OUT } from "./generate.mjs";
import { measuredEnv, runOnce, timeRounds } from "./lib/measure.mjs";

export const TW_PENDING_SHARE = 0.05;
/** The Taskwarrior binary (BENCH_TASK to point elsewhere). */
const TASK = process.env.BENCH_TASK ?? "task";

export function taskwarriorVersion() {
  const r = spawnSync(TASK, ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const twTime = (ms) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");

/**
 * A Taskwarrior data dir with `n` tasks over ten years: 5% pending with due dates (about 40% of them
 * overdue), the rest completed. Built with `task import`; kept for the day (overdue is relative to
 * the real clock, which Taskwarrior cannot be told).
 */
export function taskwarriorData(n, log = console.error) {
  const day = new Date().toISOString().slice(0, 10);
  const base = join(OUT, "taskwarrior", `tw-${n}-${day}`);
  const rc = join(base, "taskrc");
  const data = join(base, "data");
  const env = measuredEnv({ TASKRC: rc, TASKDATA: data });
  if (existsSync(join(base, "ready"))) return { env, base };
  // Data of earlier days for this size is stale (overdue is relative to the real clock).
  const parent = join(OUT, "taskwarrior");
  if (existsSync(parent))
    for (const d of readdirSync(parent))
      if (d.startsWith(`tw-${n}-`)) rmSync(join(parent, d), { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  writeFileSync(
    rc,
    [
      `data.location=${data}`,
      "confirmation=off",
      "verbose=nothing",
      "hooks=off",
      "color=off",
      "detection=off",
      "defaultwidth=160",
      "news.version=9.9.9",
      "",
    ].join("\n"),
  );
  const now = Date.now();
  const pending = Math.round(n * TW_PENDING_SHARE);
  const tasks = [];
  let x = 12345;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const span = 3650 * 86_400_000;
  for (let i = 0; i < n; i++) {
    const isPending = i >= n - pending;
    const entry = now - span + Math.floor((i / n) * span);
    const t = {
      description: `关于做好第${i + 1}项重点工作的通知`,
      entry: twTime(entry),
      project: "incoming",
    };
    if (isPending) {
      t.status = "pending";
      // Some stuck for months, most recent; about 40% overdue.
      const overdue = rnd() < 0.4;
      t.due = twTime(
        overdue
          ? now - Math.floor(rnd() * 120 + 1) * 86_400_000
          : now + Math.floor(rnd() * 20 + 1) * 86_400_000,
      );
    } else {
      t.status = "completed";
      t.due = twTime(entry + 2 * 86_400_000);
      t.end = twTime(entry + Math.floor(rnd() * 6 + 1) * 86_400_000);
      t.modified = t.end;
    }
    tasks.push(t);
  }
  const file = join(base, "import.json");
  writeFileSync(file, JSON.stringify(tasks));
  const t0 = Date.now();
  const r = spawnSync(TASK, ["import", file], { env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`task import failed: ${r.stderr}`);
  // One report first: Taskwarrior's garbage collection rewrites pending.data on the first run.
  spawnSync(TASK, ["overdue"], { env, stdio: ["ignore", "ignore", "ignore"] });
  rmSync(join(data, "undo.data"), { force: true });
  rmSync(join(data, "backlog.data"), { force: true });
  writeFileSync(join(base, "ready"), "");
  log(
    `  taskwarrior: ${n} tasks (${pending} pending) imported in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { env, base };
}

/** Rows { n, twMs, oursMs, ratio, pending, open, twOverdue } for each size, or { skipped }. */
export async function compareTaskwarrior({ sizes = [10000, 50000], runs = 11, log = console.error } = {}) {
  const version = taskwarriorVersion();
  if (!version)
    return {
      skipped:
        "`task` (Taskwarrior) is not on PATH: comparison skipped (Debian: apt-get install taskwarrior)",
    };
  const rows = [];
  for (const n of sizes) {
    const { env } = taskwarriorData(n, log);
    const twRows = runOnce(TASK, ["overdue"], { env }).stdout.trim().split("\n").filter(Boolean).length;
    // The registry of the same size, with the same share open.
    const open = Math.round(n * TW_PENDING_SHARE);
    const { dir, meta } = await ensureRegistry({ n, open, log });
    const ours = measuredEnv({ OFFICE_DOC_REGISTRY: dir, OFFICE_DOC_NOW: NOW, NO_COLOR: "1" });
    runOnce(process.execPath, [BIN, "list", "--status", "open"], { env: ours }); // index built
    // In rounds, so that both tools are timed over the same stretch of the machine's speed.
    const t = timeRounds(
      [
        { name: "tw", cmd: TASK, args: () => ["overdue"], env },
        { name: "od", cmd: process.execPath, args: () => [BIN, "overdue"], env: ours },
        { name: "json", cmd: process.execPath, args: () => [BIN, "overdue", "--json"], env: ours },
      ],
      runs,
    );
    const [tw, od, odJson] = [t.get("tw"), t.get("od"), t.get("json")];
    const odRows = JSON.parse(runOnce(process.execPath, [BIN, "overdue", "--json"], { env: ours }).stdout);
    rows.push({
      n,
      pending: Math.round(n * TW_PENDING_SHARE),
      twOverdue: twRows,
      open: meta.open,
      oursOverdue: Array.isArray(odRows) ? odRows.length : (odRows.rows?.length ?? odRows.length),
      tw,
      ours: od,
      oursJson: odJson,
      ratio: od.median / tw.median,
    });
  }
  return { version, rows };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = (process.env.BENCH_TW_SIZES ?? "10000,50000").split(",").map(Number);
  const res = await compareTaskwarrior({ sizes, runs: Number(process.env.BENCH_RUNS ?? 11) });
  console.log(JSON.stringify(res, null, 1));
}
