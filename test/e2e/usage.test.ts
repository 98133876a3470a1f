import { rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLERK_EMAIL,
  cleanupTempDirs,
  commitCount,
  git,
  gitStatus,
  json,
  OFFICE,
  type Registry,
  receive,
  recordPath,
  SECRETARY,
  templateRegistry,
} from "../helpers.js";

/** Exit codes, usage errors, output formats, languages and colour, through the real bin. */

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
const ANSI = /\x1b\[/;
const CJK = /[\u4e00-\u9fff]/;

let tpl: ReturnType<typeof templateRegistry>;
let reg: Registry;
let id = "";

beforeAll(() => {
  tpl = templateRegistry();
  reg = tpl.copy();
  id = receive(reg, "关于春节期间安全生产的通知");
  const r = reg.run(["propose", id, "--as", OFFICE, "--opinion", "拟请书记阅示"]);
  if (r.code !== 0) throw new Error(r.stderr);
}, 60_000);

afterAll(cleanupTempDirs);

/**
 * Run, and check that the registry did not change at all. In-process, or with `bin` as a process:
 * what only a process shows (its exit code, stdin closed, stdout a pipe).
 */
function unchanged(args: string[], opts: Parameters<Registry["run"]>[1] & { bin?: boolean } = {}) {
  const n = commitCount(reg.dir);
  const before = reg.read(recordPath(id));
  const { bin, ...rest } = opts;
  const r = bin ? reg.runBin(args, rest) : reg.run(args, rest);
  expect(commitCount(reg.dir)).toBe(n);
  expect(gitStatus(reg.dir)).toBe("");
  expect(reg.read(recordPath(id))).toBe(before);
  return r;
}

describe("bad usage exits 2", () => {
  it("an unknown option (the process exits 2)", () => {
    const r = unchanged(["list", "--bogus"], { bin: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--bogus");
    expect(r.stdout).toBe("");
  });

  it("an unknown global option before the command", () => {
    expect(unchanged(["--bogus", "list"]).code).toBe(2);
  });

  it("an unknown command", () => {
    const r = unchanged(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("frobnicate");
  });

  it("receive without --title and --from, stdin not a TTY: at once, naming both", () => {
    const started = Date.now();
    // A process whose stdin is closed, as under cron.
    const r = unchanged(["receive"], { bin: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--title");
    expect(r.stderr).toContain("--from");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("receive with stdin a pipe (not a TTY) never prompts", () => {
    const r = unchanged(["receive"], { input: "关于…的通知\n区民政局\n" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--title");
    expect(r.stderr).toContain("--from");
  });

  it("receive with only --title names only --from", () => {
    const r = unchanged(["receive", "--title", "关于…的通知", "--no-input"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--from");
    expect(r.stderr).not.toContain("--title");
  });

  it("receive --urgency bogus", () => {
    const r = unchanged(["receive", "--title", "t", "--from", "f", "--urgency", "bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bogus");
    expect(r.stderr).toContain("--urgency");
  });

  it("receive --pages abc and a malformed --at", () => {
    expect(unchanged(["receive", "--title", "t", "--from", "f", "--pages", "abc"]).code).toBe(2);
    expect(unchanged(["receive", "--title", "t", "--from", "f", "--at", "yesterday"]).code).toBe(2);
  });

  it("a malformed record id", () => {
    expect(unchanged(["show", "not-an-id"]).code).toBe(2);
  });

  it("an unknown --lang or --format", () => {
    expect(unchanged(["list", "--lang", "fr"]).code).toBe(2);
    expect(unchanged(["list", "--format", "xml"]).code).toBe(2);
  });

  it("a malformed OFFICE_DOC_NOW", () => {
    expect(unchanged(["receive", "--title", "t", "--from", "f"], { now: "tomorrow" }).code).toBe(2);
  });
});

describe("the operator", () => {
  it("a workflow action with no operator exits 2 and says how to set one", () => {
    const r = unchanged(["receive", "--title", "t", "--from", "f"], { user: null });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("OFFICE_DOC_USER");
  });

  it("git's user.email that matches no person is no operator either", () => {
    git(reg.dir, ["config", "user.email", "stranger@example.org"]);
    try {
      const r = unchanged(["propose", id, "--as", OFFICE], { user: null });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("OFFICE_DOC_USER");
    } finally {
      git(reg.dir, ["config", "--unset", "user.email"]);
    }
  });

  it("an OFFICE_DOC_USER or --as person who is not in office.yaml exits 2", () => {
    expect(unchanged(["receive", "--title", "t", "--from", "f"], { user: "nobody" }).code).toBe(2);
    const r = unchanged(["receive", "--title", "t", "--from", "f", "--as", "nobody"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nobody");
  });

  it("git's user.email names the operator when OFFICE_DOC_USER is not set", () => {
    const copy = tpl.copy();
    git(copy.dir, ["config", "user.email", CLERK_EMAIL]);
    const r = copy.run(["receive", "--title", "关于…的通知", "--from", "区民政局", "--json"], { user: null });
    expect(r.code, r.stderr).toBe(0);
    const rec = json<{ history: { actor: string; recorded_by: string }[] }>(r);
    expect(rec.history[0]).toMatchObject({ actor: "chang-liqun", recorded_by: "chang-liqun" });
  });
});

describe("a refused action changes nothing", () => {
  it("instruct by someone who is not the party secretary: exit 1, says who may act", () => {
    const rel = recordPath(id);
    const before = reg.read(rel);
    const n = commitCount(reg.dir);
    const r = reg.run(["instruct", id, "--as", OFFICE, "--opinion", "同意", "--to", "urban"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("李建国");
    expect(commitCount(reg.dir)).toBe(n);
    expect(gitStatus(reg.dir)).toBe("");
    expect(reg.read(rel)).toBe(before);
    // The operator acting for themselves is refused the same way.
    const own = reg.run(["instruct", id, "--opinion", "同意"]);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain("李建国");
    expect(commitCount(reg.dir)).toBe(n);
    expect(reg.read(rel)).toBe(before);
    expect(gitStatus(reg.dir)).toBe("");
  });

  it("a step command on a record at another step: exit 1", () => {
    const r = unchanged(["feedback", id, "--as", OFFICE]);
    expect(r.code).toBe(1);
  });

  it("an unknown record: exit 1", () => {
    const r = unchanged(["show", "IN-2026-0099"], { bin: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("IN-2026-0099");
    expect(unchanged(["note", "IN-2026-0099", "--text", "x"]).code).toBe(1);
  });

  it("the lock held by a live process: exit 1 naming it, nothing written", () => {
    const lock = join(reg.dir, ".office-doc", "lock");
    writeFileSync(
      lock,
      JSON.stringify({ pid: process.pid, start: "", host: hostname(), command: "held-by-test", since: "x" }),
    );
    try {
      const r = unchanged(["note", id, "--text", "进展"], { env: { OFFICE_DOC_LOCK_WAIT: "1" } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(String(process.pid));
    } finally {
      rmSync(lock, { force: true });
    }
  }, 30_000);
});

describe("--json prints exactly one JSON document on stdout", () => {
  const cases: [string, () => string[]][] = [
    ["list", () => ["list", "--json"]],
    ["list --status all", () => ["list", "--status", "all", "--json"]],
    ["list --format json", () => ["list", "--format", "json"]],
    ["show", () => ["show", id, "--json"]],
    ["where", () => ["where", id, "--json"]],
    ["log", () => ["log", id, "--json"]],
    ["overdue", () => ["overdue", "--json"]],
    ["check", () => ["check", "--json"]],
    ["person list", () => ["person", "list", "--json"]],
    ["unit list", () => ["unit", "list", "--json"]],
    ["calendar show", () => ["calendar", "show", "2026-02", "--json"]],
    ["egov status", () => ["egov", "status", "--json"]],
  ];
  for (const [name, args] of cases)
    it(name, () => {
      const r = reg.run(args());
      expect(r.code, r.stderr).toBe(0);
      expect(() => JSON.parse(r.stdout)).not.toThrow();
      expect(r.stdout).not.toMatch(ANSI);
    });

  it("a write with --json prints the record", () => {
    const copy = tpl.copy();
    const r = copy.run(["receive", "--title", "关于…的通知", "--from", "区民政局", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(rec).toMatchObject({ id: "IN-2026-0001", kind: "incoming", status: "open", step: "propose" });
    for (const k of ["title", "holders", "due", "history"]) expect(rec).toHaveProperty(k);
  });

  it("show --json has the keys of the contract", () => {
    const rec = json<Record<string, unknown>>(reg.run(["show", id, "--json"]));
    expect(rec).toMatchObject({ id, kind: "incoming", status: "open", step: "instruct" });
    expect(rec.holders).toEqual([SECRETARY]);
    expect(rec).toHaveProperty("due");
    const history = rec.history as { action: string; actor: string; at: string }[];
    expect(history.map((e) => e.action)).toEqual(["receive", "sign"]);
    for (const e of history) {
      expect(typeof e.actor).toBe("string");
      expect(Number.isNaN(Date.parse(e.at))).toBe(false);
    }
  });
});

describe("language", () => {
  it("--lang zh-CN gives Chinese error messages", () => {
    const r = unchanged(["--lang", "zh-CN", "receive"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(CJK);
    expect(r.stderr).toContain("--title");
    // The message itself is translated, not only its prefix.
    expect(r.stderr).not.toMatch(/missing required option/i);
  });

  it("OFFICE_DOC_LANG=zh-CN and LANG=zh_CN.UTF-8 select Chinese too; --lang en wins", () => {
    const a = unchanged(["receive"], { env: { OFFICE_DOC_LANG: "zh-CN" } });
    expect(a.stderr).toMatch(CJK);
    const b = unchanged(["receive"], { env: { LANG: "zh_CN.UTF-8" } });
    expect(b.stderr).toMatch(CJK);
    const c = unchanged(["--lang", "en", "receive"], { env: { LANG: "zh_CN.UTF-8" } });
    expect(c.stderr).not.toMatch(CJK);
  });

  it("ids and JSON keys do not change with the language", () => {
    const en = json<Record<string, unknown>>(reg.run(["show", id, "--json"]));
    const zh = json<Record<string, unknown>>(reg.run(["show", id, "--json", "--lang", "zh-CN"]));
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    expect(zh).toMatchObject({ id, step: en.step, status: en.status, holders: en.holders });
  });
});

describe("colour", () => {
  it("NO_COLOR: no ANSI escapes anywhere, even with FORCE_COLOR", () => {
    for (const args of [["list"], ["show", id], ["overdue"], ["log", id], ["receive"], ["--help"]]) {
      const r = reg.run(args, { env: { FORCE_COLOR: "1" } });
      expect(r.stdout).not.toMatch(ANSI);
      expect(r.stderr).not.toMatch(ANSI);
    }
  });

  it("no colour when stdout is not a TTY, even without NO_COLOR", () => {
    for (const args of [["list"], ["show", id], ["receive"]]) {
      // The process's stdout and stderr are pipes.
      const r = reg.runBin(args, { env: { NO_COLOR: undefined } });
      expect(r.stdout).not.toMatch(ANSI);
      expect(r.stderr).not.toMatch(ANSI);
    }
  });
});
