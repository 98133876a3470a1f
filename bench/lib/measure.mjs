// Whole-process timings: spawn, wait, wall time with process.hrtime.

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Variables of the shell that change how long node takes to start but nothing office-doc does.
 * NODE_EXTRA_CA_CERTS makes Node 20 read and parse that certificate file at every start, before any
 * script runs: set to the system bundle (as this sandbox's shell does, for its TLS proxy) it adds
 * ~85 ms to each process. office-doc opens no TLS connection (git does its own), and a clerk's shell
 * does not set it, so the measured runs go without it; `BENCH_KEEP_ENV=1` measures with it.
 */
export const START_UP_VARS = ["NODE_EXTRA_CA_CERTS"];

/** The environment the measured commands run in: the shell's, without START_UP_VARS, plus `extra`. */
export function measuredEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  if (process.env.BENCH_KEEP_ENV !== "1") for (const v of START_UP_VARS) delete env[v];
  return env;
}

/** The START_UP_VARS the shell sets that the measured runs leave out (empty with BENCH_KEEP_ENV=1). */
export function droppedVars() {
  if (process.env.BENCH_KEEP_ENV === "1") return [];
  return START_UP_VARS.filter((v) => process.env[v] !== undefined);
}

/** Run a command once; returns { ms, status, stdout, stderr }. stdin is closed. */
export function runOnce(cmd, args, { env, cwd } = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    env,
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 1 << 28,
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.error) throw r.error;
  return { ms, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
  // The median of an even number of samples is the mean of the middle two.
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { n: s.length, median: mid, p90: at(0.9), min: s[0], max: s[s.length - 1] };
}

/**
 * Time `runs` runs (the first is a warm-up and is discarded). `argsFor(i)` gives the arguments of
 * run i (a different record each run); `after(i, result)` may check or undo what the run did.
 */
export function timeRuns(cmd, argsFor, { runs, env, cwd, okStatus = [0], after } = {}) {
  return timeRounds([{ name: "", cmd, args: argsFor, env, cwd, okStatus, after }], runs).get("");
}

/**
 * Time several commands in rounds: round i runs each job once, in turn, so that every job is
 * measured over the same stretch of time. On a shared VM the speed drifts by a third within minutes,
 * and commands timed one after another would be compared across different speeds. Each round starts
 * one job later than the one before. Round 0 is a warm-up and is discarded. A job is { name, cmd, args(i), env, cwd, okStatus, after(i, result) };
 * returns a Map from name to stats.
 */
export function timeRounds(jobs, runs) {
  const samples = new Map(jobs.map((j) => [j.name, []]));
  for (let i = 0; i < runs; i++)
    // Each round starts with the next job, so that no job always follows the same one.
    for (const j of [...jobs.slice(i % jobs.length), ...jobs.slice(0, i % jobs.length)]) {
      const args = j.args(i);
      const r = runOnce(j.cmd, args, { env: j.env, cwd: j.cwd });
      if (!(j.okStatus ?? [0]).includes(r.status))
        throw new Error(
          `${j.cmd} ${args.join(" ")} exited with ${r.status}:\n${(r.stderr || r.stdout).slice(0, 2000)}`,
        );
      j.after?.(i, r);
      if (i > 0) samples.get(j.name).push(r.ms);
    }
  return new Map([...samples].map(([name, xs]) => [name, stats(xs)]));
}

/** The functions with the most self time in a .cpuprofile (what `node --cpu-prof` writes). */
export function profileTop(dir, limit = 8) {
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  if (!files.length) return [];
  const p = JSON.parse(readFileSync(join(dir, files[0]), "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const n = byId.get(id);
    const f = n.callFrame;
    const where = f.url ? `${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}` : "";
    const key = `${f.functionName || "(anonymous)"}${where ? ` ${where}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, us]) => ({ fn, ms: us / 1000, share: us / total }));
}

/**
 * Functions of the tool (dist/, its vendor files) with the most total time (self and callees) in a
 * .cpuprofile: where a command's time goes, phase by phase.
 */
export function profileInclusive(dir, limit = 10, match = /\/dist\//) {
  const files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  if (!files.length) return [];
  const p = JSON.parse(readFileSync(join(dir, files[0]), "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const f = byId.get(x).callFrame;
      if (!match.test(f.url)) continue;
      const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + dt);
    }
  });
  return [...incl]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([fn, us]) => ({ fn, ms: us / 1000, share: us / total }));
}
