import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OfficeError } from "../../src/core/problems.js";
import { writeFileAtomic } from "../../src/store/atomic.js";
import { acquireLock, sweepDeadTemps, takeoverMarkerOf, UNREADABLE_GRACE_MS } from "../../src/store/lock.js";
import { hint, t } from "../../src/ui/i18n/index.js";
import { cleanupTempDirs, makeTempDir, ROOT } from "../helpers.js";

afterAll(cleanupTempDirs);

const FIXTURES = join(ROOT, "test", "fixtures");

function runNode(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The pid of a process that has exited (and so is not alive any more). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", ""]);
  if (typeof r.pid !== "number") throw new Error("no pid");
  return r.pid;
}

describe("writeFileAtomic", () => {
  it("writes the whole content and leaves no temp file", () => {
    const dir = makeTempDir();
    const path = join(dir, "a.yaml");
    writeFileAtomic(path, "one: 1\n");
    expect(readFileSync(path, "utf8")).toBe("one: 1\n");
    writeFileAtomic(path, "two: 2\n");
    expect(readFileSync(path, "utf8")).toBe("two: 2\n");
    expect(readdirSync(dir)).toEqual(["a.yaml"]);
  });

  it("creates missing folders and leaves nothing else in them", () => {
    const dir = makeTempDir();
    const path = join(dir, "records", "incoming", "2026", "IN-2026-0001.yaml");
    const text = "id: IN-2026-0001\ntitle: 关于春节期间安全生产的通知\n";
    writeFileAtomic(path, text);
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(readdirSync(join(dir, "records", "incoming", "2026"))).toEqual(["IN-2026-0001.yaml"]);
  });

  it("writes an empty file", () => {
    const dir = makeTempDir();
    writeFileAtomic(join(dir, "empty"), "");
    expect(readFileSync(join(dir, "empty"), "utf8")).toBe("");
    expect(readdirSync(dir)).toEqual(["empty"]);
  });

  it("on failure throws, keeps the target as it was and removes its temp file", () => {
    const dir = makeTempDir();
    // The target is a non-empty folder: the rename fails after the temp file was written.
    const target = join(dir, "target");
    writeFileAtomic(join(target, "inside.txt"), "keep\n");
    expect(() => writeFileAtomic(target, "new content")).toThrow();
    expect(readdirSync(dir)).toEqual(["target"]);
    expect(readFileSync(join(target, "inside.txt"), "utf8")).toBe("keep\n");
  });

  it("a reader in another process sees one whole version at every moment", async () => {
    const dir = makeTempDir();
    const file = join(dir, "record.yaml");
    const stop = join(dir, "stop");
    const aLen = 300_000;
    const bLen = 700_000;
    const A = "a".repeat(aLen);
    const B = "b".repeat(bLen);
    writeFileAtomic(file, A);
    const reader = runNode([join(FIXTURES, "read-loop.mjs"), file, stop, String(aLen), String(bLen)]);
    // Wait until the reader reads, then rewrite the file many times.
    for (let waited = 0; !existsSync(`${stop}.ready`) && waited < 20_000; waited += 20)
      await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 120; i++) {
      writeFileAtomic(file, i % 2 === 0 ? B : A);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    writeFileSync(stop, "");
    const r = await reader;
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { reads: number; bad: unknown[]; missing: number };
    expect(result.bad).toEqual([]);
    expect(result.missing).toBe(0);
    expect(result.reads).toBeGreaterThan(0);
    expect(readdirSync(dir).sort()).toEqual(["record.yaml", "stop", "stop.ready"]);
  });
});

describe("acquireLock", () => {
  it("takes a free lock and releases it", async () => {
    const dir = makeTempDir();
    const path = join(dir, ".office-doc", "lock");
    const release = await acquireLock(path, "test", 500);
    expect(existsSync(path)).toBe(true);
    const info = JSON.parse(readFileSync(path, "utf8")) as { pid: number; command: string };
    expect(info.pid).toBe(process.pid);
    expect(info.command).toBe("test");
    release();
    expect(existsSync(path)).toBe(false);
    // Releasing twice is harmless and does not remove someone else's lock.
    const again = await acquireLock(path, "second", 500);
    release();
    expect(existsSync(path)).toBe(true);
    again();
    expect(existsSync(path)).toBe(false);
  });

  it("a second acquire waits, then fails with lock.held naming the holder's pid", async () => {
    const dir = makeTempDir();
    const path = join(dir, "lock");
    const release = await acquireLock(path, "holder", 500);
    try {
      const started = Date.now();
      const err = await acquireLock(path, "contender", 300).then(
        () => undefined,
        (e: unknown) => e,
      );
      const waited = Date.now() - started;
      expect(err).toBeInstanceOf(OfficeError);
      const oe = err as OfficeError;
      expect(oe.code).toBe("lock.held");
      expect(oe.kind).not.toBe("usage"); // exit 1, not 2
      expect(oe.params.pid).toBe(process.pid);
      expect(oe.params.command).toBe("holder");
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5000);
      // The holder's lock is untouched.
      expect(JSON.parse(readFileSync(path, "utf8")).command).toBe("holder");
    } finally {
      release();
    }
  });

  it("the waiting acquire succeeds once the holder releases", async () => {
    const dir = makeTempDir();
    const path = join(dir, "lock");
    const release = await acquireLock(path, "holder", 500);
    setTimeout(release, 150);
    const second = await acquireLock(path, "waiter", 3000);
    expect(JSON.parse(readFileSync(path, "utf8")).command).toBe("waiter");
    second();
  });

  it("takes over a stale lock whose process is dead", async () => {
    const dir = makeTempDir();
    const path = join(dir, "lock");
    const pid = deadPid();
    writeFileSync(
      path,
      JSON.stringify({
        pid,
        start: "1",
        host: hostname(),
        command: "crashed",
        since: "2026-02-13T01:00:00Z",
      }),
    );
    const release = await acquireLock(path, "new", 1000);
    const info = JSON.parse(readFileSync(path, "utf8")) as { pid: number; command: string };
    expect(info.pid).toBe(process.pid);
    expect(info.command).toBe("new");
    release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("takes over a lock whose pid now belongs to another process (different start time)", async () => {
    const dir = makeTempDir();
    const path = join(dir, "lock");
    // Our own pid, but a start time that is not ours: the pid was reused after a crash.
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.pid,
        start: "1",
        host: hostname(),
        command: "old",
        since: "2026-02-13T01:00:00Z",
      }),
    );
    const hasProc = existsSync(`/proc/${process.pid}/stat`);
    if (!hasProc) return; // start times are only known where /proc is
    const release = await acquireLock(path, "new", 1000);
    expect(JSON.parse(readFileSync(path, "utf8")).command).toBe("new");
    release();
  });

  it("never steals a lock held on another host", async () => {
    const dir = makeTempDir();
    const path = join(dir, "lock");
    const lock = { pid: deadPid(), start: "", host: `not-${hostname()}`, command: "remote", since: "x" };
    writeFileSync(path, JSON.stringify(lock));
    const err = await acquireLock(path, "local", 200).then(
      () => undefined,
      (e: unknown) => e,
    );
    const e = err as OfficeError;
    expect(e.code).toBe("lock.held-elsewhere");
    expect(e.params.pid).toBe(lock.pid);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(lock);
    // What to do, since it is never taken over: not "taken over automatically" (D12).
    expect(t("en", e.code, e.params)).toContain(`on another computer, not-${hostname()}`);
    const h = hint("en", e.code, e.params) ?? "";
    expect(h).toContain(`make sure no office-doc runs there, then delete ${path}`);
    expect(h).not.toContain("automatically");
    expect(hint("zh-CN", e.code, e.params)).toContain(`删除 ${path}`);
  });

  it.each<[string, string]>([
    ["empty", ""],
    ["of garbage", "\u0000\u0000not json"],
    ["cut short", '{"pid":12'],
  ])(
    "a lock file %s is left alone while young (it may be being written), and taken over once old",
    async (_k, text) => {
      const dir = makeTempDir();
      const path = join(dir, "lock");
      writeFileSync(path, text);
      const err = await acquireLock(path, "new", 300).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as OfficeError).code).toBe("lock.held");
      expect(readFileSync(path, "utf8")).toBe(text);
      const old = (Date.now() - UNREADABLE_GRACE_MS - 1000) / 1000;
      utimesSync(path, old, old);
      const started = Date.now();
      let told = 0;
      const release = await acquireLock(path, "new", 10_000, () => told++);
      expect(Date.now() - started).toBeLessThan(2500);
      expect(told).toBe(1);
      expect(JSON.parse(readFileSync(path, "utf8")).command).toBe("new");
      release();
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it("a dead holder's lock is taken over at once, without waiting for a timeout", async () => {
    const dir = makeTempDir();
    const path = join(dir, "lock");
    const lock = { pid: deadPid(), start: "1", host: hostname(), command: "receive", since: "x", nonce: "n" };
    writeFileSync(path, JSON.stringify(lock));
    const started = Date.now();
    const stale: unknown[] = [];
    const release = await acquireLock(path, "next", 10_000, (h) => stale.push(h));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(stale).toEqual([{ pid: lock.pid, command: "receive", since: "x" }]);
    release();
  });

  it("the lock file is never seen empty or partial: it is linked into place whole", async () => {
    const dir = makeTempDir();
    const path = join(dir, "lock");
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const release = await acquireLock(path, `round ${i}`, 500);
      seen.add(
        Object.keys(JSON.parse(readFileSync(path, "utf8")))
          .sort()
          .join(","),
      );
      release();
    }
    expect([...seen]).toEqual(["command,host,nonce,pid,since,start"]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a takeover marker left by a taker that died does not block the takeover; the sweep removes dead temp files", async () => {
    const dir = makeTempDir();
    const path = join(dir, "lock");
    writeFileSync(
      path,
      JSON.stringify({ pid: deadPid(), start: "1", host: hostname(), command: "a", since: "x" }),
    );
    // The marker a taker of this very lock creates, left behind by a taker that was killed in it.
    const marker = takeoverMarkerOf(path) as string;
    const dead = { pid: deadPid(), start: "1", host: hostname(), command: "b", since: "y", nonce: "m" };
    writeFileSync(marker, JSON.stringify(dead));
    const started = Date.now();
    const release = await acquireLock(path, "next", 10_000);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(JSON.parse(readFileSync(path, "utf8")).command).toBe("next");
    release();
    writeFileSync(`${path}.takeover-abc`, JSON.stringify(dead));
    writeFileSync(join(dir, `lock.${dead.pid}.123.tmp`), "x");
    writeFileSync(join(dir, `.index-open.json.${dead.pid}.1700000000000.tmp`), "x");
    writeFileSync(join(dir, `lock.${process.pid}.123.tmp`), "mine");
    sweepDeadTemps(dir);
    expect(readdirSync(dir).sort()).toEqual([`lock.${process.pid}.123.tmp`]);
  });

  it("a live holder keeps the lock however long it holds it (a busy event loop included)", async () => {
    const dir = makeTempDir();
    const path = join(dir, "lock");
    const release = await acquireLock(path, "slow", 500);
    const until = Date.now() + 1200;
    while (Date.now() < until) {
      /* busy: no timer of the holder runs */
    }
    const err = await acquireLock(path, "eager", 300).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as OfficeError).code).toBe("lock.held");
    expect(JSON.parse(readFileSync(path, "utf8")).command).toBe("slow");
    release();
  });

  describe("between processes", () => {
    let lockModule = "";

    beforeAll(async () => {
      // Children cannot import .ts on Node 20: bundle the lock module to plain JavaScript.
      const out = makeTempDir("office-doc-lockmod-");
      lockModule = join(out, "lock.mjs");
      await build({
        entryPoints: [join(ROOT, "src", "store", "lock.ts")],
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        outfile: lockModule,
        logLevel: "silent",
      });
    });

    it("gives mutual exclusion to 12 processes with short waits, starting from a dead holder's lock", async () => {
      const dir = makeTempDir();
      const path = join(dir, ".office-doc", "lock");
      mkdirSync(join(dir, ".office-doc"));
      writeFileSync(
        path,
        JSON.stringify({ pid: deadPid(), start: "1", host: hostname(), command: "x", since: "x" }),
      );
      const shared = join(dir, "shared.log");
      writeFileSync(shared, "");
      const children = 12;
      const rounds = 6;
      // A wait of 40 ms: most attempts run into their deadline while another holds the lock, the
      // moment the old code removed a lock it could not read yet.
      const results = await Promise.all(
        Array.from({ length: children }, () =>
          runNode([join(FIXTURES, "lock-child.mjs"), lockModule, path, shared, String(rounds), "40"]),
        ),
      );
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const lines = readFileSync(shared, "utf8").trim().split("\n");
      expect(lines).toHaveLength(children * rounds * 2);
      for (let i = 0; i < lines.length; i += 2) {
        const begin = lines[i] as string;
        const end = lines[i + 1] as string;
        expect(begin.startsWith("begin ")).toBe(true);
        expect(end).toBe(begin.replace(/^begin /, "end "));
      }
      const pids = new Set(lines.map((l) => l.split(" ")[1]));
      expect(pids.size).toBe(children);
      expect(existsSync(path)).toBe(false);
      expect(readdirSync(join(dir, ".office-doc"))).toEqual([]);
    }, 60_000);

    it("after kill -9 of its holder the lock is taken at once", async () => {
      const dir = makeTempDir();
      const path = join(dir, "lock");
      const child = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { acquireLock } = await import(${JSON.stringify(pathToFileURL(lockModule).href)});
           await acquireLock(${JSON.stringify(path)}, "holder", 1000);
           console.log("held");
           setInterval(() => {}, 1000);`,
        ],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      await new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
      expect(JSON.parse(readFileSync(path, "utf8")).pid).toBe(child.pid);
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await gone;
      const started = Date.now();
      const release = await acquireLock(path, "next", 10_000);
      expect(Date.now() - started).toBeLessThan(2500);
      release();
    }, 30_000);
  });
});
