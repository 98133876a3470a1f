import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitCount,
  OFFICE,
  type Registry,
  receive,
  recordPath,
  SECRETARY,
  templateRegistry,
} from "../helpers.js";

/**
 * `check`: exit 0 on a good registry (warnings allowed), exit 1 with `file:line:` on a broken one.
 * Warnings are the lines `FILE:LINE: warning: …` (src/store/check.ts marks them; they do not fail).
 */

let tpl: ReturnType<typeof templateRegistry>;
let good: Registry;

beforeAll(() => {
  tpl = templateRegistry();
  good = tpl.copy();
  receive(good, "关于春节期间安全生产的通知");
  receive(good, "关于做好寒潮天气防范应对工作的紧急通知", { extra: ["--urgency", "urgent"] });
  receive(good, "关于2026年度经济运行情况的通报");
  const steps = [
    ["propose", "IN-2026-0001", "--as", OFFICE, "--opinion", "拟请书记阅示"],
    ["instruct", "IN-2026-0001", "--as", SECRETARY, "--opinion", "请城管科办理", "--to", "urban"],
    ["note", "IN-2026-0002", "--text", "已电话联系"],
  ];
  for (const s of steps) {
    const r = good.run(s);
    if (r.code !== 0) throw new Error(`${s.join(" ")}: ${r.stderr}`);
  }
}, 90_000);

afterAll(cleanupTempDirs);

const lines = (s: string) => s.split("\n").filter((l) => l.trim() !== "");
const isWarning = (l: string) => /^\S*:\d+: (warning|警告)[:：]/.test(l);

describe("check", () => {
  it("a fresh registry with a few records: exit 0, nothing but warnings", () => {
    const r = good.run(["check"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(lines(r.stdout).filter((l) => !isWarning(l))).toEqual([]);
    expect(lines(r.stderr).filter((l) => !isWarning(l) && !/^(warning|警告)[:：]/.test(l))).toEqual([]);
  });

  it("check --json says ok and lists only warnings", () => {
    const r = good.run(["check", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { ok: boolean; problems: { warning?: boolean }[] };
    expect(j.ok).toBe(true);
    expect(j.problems.every((p) => p.warning === true)).toBe(true);
  });

  describe("a hand-broken record", () => {
    let reg: Registry;
    const rel = recordPath("IN-2026-0001");

    beforeAll(() => {
      reg = tpl.copy();
      receive(reg, "关于春节期间安全生产的通知");
      receive(reg, "关于2026年度经济运行情况的通报");
      const text = reg.read(rel);
      expect(text.split("\n")[2]).toMatch(/^title: /);
      writeFileSync(join(reg.dir, rel), text.replace(/^title: .*$/m, "title: [unclosed"));
    }, 60_000);

    it("makes check exit 1 and print the file with the line of the error", () => {
      const r = reg.run(["check"]);
      expect(r.code).toBe(1);
      const problem = lines(r.stdout).find((l) => l.startsWith(`${rel}:`) && !isWarning(l));
      expect(problem, r.stdout).toBeDefined();
      const m = /^records\/incoming\/2026\/00\/IN-2026-0001\.yaml:(\d+): /.exec(problem ?? "");
      expect(m).not.toBeNull();
      // `title: [unclosed` is on line 3; the parser notices the missing `]` there or on the next line.
      expect([3, 4]).toContain(Number(m?.[1]));
    });

    it("names the file once per problem line (no repeated `file:line:` prefix)", () => {
      const r = reg.run(["check"]);
      const problem = lines(r.stdout).find((l) => l.startsWith(`${rel}:`) && !isWarning(l)) ?? "";
      expect(problem.split(rel).length - 1).toBe(1);
    });

    it("check --json reports it as an error with file and line", () => {
      const r = reg.run(["check", "--json"]);
      expect(r.code).toBe(1);
      const j = JSON.parse(r.stdout) as {
        ok: boolean;
        problems: { file: string; line: number; warning?: boolean }[];
      };
      expect(j.ok).toBe(false);
      const p = j.problems.find((x) => x.file === rel && !x.warning);
      expect(p).toBeDefined();
      expect([3, 4]).toContain(p?.line);
    });

    it("show of that record fails with exit 1 naming the file; another record still shows", () => {
      const n = commitCount(reg.dir);
      const r = reg.run(["show", "IN-2026-0001"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(rel);
      const ok = reg.run(["show", "IN-2026-0002", "--json"]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).id).toBe("IN-2026-0002");
      expect(commitCount(reg.dir)).toBe(n);
    });

    it("an action on that record fails with exit 1 and leaves the broken file as it was", () => {
      const before = reg.read(rel);
      const n = commitCount(reg.dir);
      const r = reg.run(["propose", "IN-2026-0001", "--as", OFFICE]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(rel);
      expect(reg.read(rel)).toBe(before);
      expect(commitCount(reg.dir)).toBe(n);
    });
  });

  it("a record that breaks the schema (unknown step) is reported with its line", () => {
    const reg = tpl.copy();
    receive(reg, "关于春节期间安全生产的通知");
    const rel = recordPath("IN-2026-0001");
    const text = reg.read(rel);
    const stepLine = text.split("\n").findIndex((l) => l.startsWith("step: ")) + 1;
    writeFileSync(join(reg.dir, rel), text.replace(/^step: .*$/m, "step: no-such-step"));
    const r = reg.run(["check"]);
    expect(r.code).toBe(1);
    const problem = lines(r.stdout).find((l) => l.startsWith(`${rel}:`) && !isWarning(l));
    expect(problem, r.stdout).toBeDefined();
    expect(problem).toMatch(new RegExp(`^${rel.replace(/\./g, "\\.")}:${stepLine}: `));
  });

  it("a broken office.yaml makes check exit 1 naming it", () => {
    const reg = tpl.copy();
    writeFileSync(join(reg.dir, "office.yaml"), `${reg.read("office.yaml")}\npeople: [\n`);
    const r = reg.run(["check"]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/office\.yaml:\d+:/);
  });

  it("a record file in the wrong leaf folder, or in a year folder directly, is named with where it belongs", () => {
    const reg = tpl.copy();
    receive(reg, "关于春节期间安全生产的通知");
    const rel = recordPath("IN-2026-0001");
    expect(rel).toBe("records/incoming/2026/00/IN-2026-0001.yaml");
    const text = reg.read(rel);
    const moved = "records/incoming/2026/01/IN-2026-0001.yaml";
    const flat = "records/incoming/2026/IN-2026-0002.yaml";
    mkdirSync(join(reg.dir, "records/incoming/2026/01"));
    renameSync(join(reg.dir, rel), join(reg.dir, moved));
    writeFileSync(join(reg.dir, flat), text.replaceAll("IN-2026-0001", "IN-2026-0002"));
    const r = reg.run(["check"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${moved}:1: IN-2026-0001 is in the wrong folder: its file belongs at ${rel}`);
    expect(r.stdout).toContain(`${flat}:1: ${flat} is not a record file`);
  });
});
