import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLERK,
  cleanupTempDirs,
  commitCount,
  git,
  gitLog,
  gitStatus,
  json,
  makeTempDir,
  OFFICE,
  type Registry,
  receive,
  templateRegistry,
  testEnv,
} from "../helpers.js";

/** E-government receive checks with fixed clocks, and backups as git bundles. */

interface Status {
  date: string;
  windows: { time: string; checked_at: string | null; missed: boolean }[];
}

let tpl: ReturnType<typeof templateRegistry>;

beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);

afterAll(cleanupTempDirs);

const at = (date: string, time: string) => `${date}T${time}:00+08:00`;
const DAY = "2026-03-03"; // a Tuesday

describe("egov", () => {
  let reg: Registry;

  beforeAll(() => {
    reg = tpl.copy();
  });

  function status(now: string, extra: string[] = []): Status {
    const r = reg.run(["egov", "status", "--json", ...extra], { now });
    expect(r.code, r.stderr).toBe(0);
    return json<Status>(r);
  }

  it("before any check-in, nothing is missed while the first window is in its grace", () => {
    const s = status(at(DAY, "07:45"));
    expect(s.date).toBe(DAY);
    expect(s.windows.map((w) => w.time)).toEqual(["07:30", "10:00", "15:30", "18:00"]);
    expect(s.windows.every((w) => w.checked_at === null && w.missed === false)).toBe(true);
    expect(reg.run(["egov", "status", "--check"], { now: at(DAY, "07:45") }).code).toBe(0);
  });

  it("checkin at 07:35 is one commit and covers the 07:30 window", () => {
    const n = commitCount(reg.dir);
    const r = reg.run(["egov", "checkin"], { now: at(DAY, "07:35") });
    expect(r.code, r.stderr).toBe(0);
    expect(commitCount(reg.dir)).toBe(n + 1);
    expect(gitStatus(reg.dir)).toBe("");
    const [c] = gitLog(reg.dir);
    expect(c?.trailers).toMatchObject({ "Office-Doc-Action": "egov-checkin", "Office-Doc-Actor": CLERK });
    const s = status(at(DAY, "10:20"));
    expect(s).toMatchObject({ date: DAY });
    for (const w of s.windows) {
      expect(Object.keys(w)).toEqual(expect.arrayContaining(["time", "checked_at", "missed"]));
      expect(typeof w.missed).toBe("boolean");
    }
    const w0730 = s.windows.find((w) => w.time === "07:30");
    expect(w0730?.checked_at).not.toBeNull();
    expect(Date.parse(w0730?.checked_at as string)).toBe(Date.parse(at(DAY, "07:35")));
    expect(w0730?.missed).toBe(false);
    // 10:00 is still in its grace (until 10:30): not missed, and --check is quiet.
    expect(s.windows.find((w) => w.time === "10:00")).toMatchObject({ checked_at: null, missed: false });
    expect(reg.run(["egov", "status", "--check"], { now: at(DAY, "10:20") }).code).toBe(0);
  });

  it("the 10:00 window is missed once its grace ran out: --check exits 3", () => {
    const s = status(at(DAY, "10:45"));
    expect(s.windows.find((w) => w.time === "10:00")).toMatchObject({ checked_at: null, missed: true });
    expect(s.windows.find((w) => w.time === "15:30")).toMatchObject({ missed: false });
    expect(reg.runBin(["egov", "status", "--check"], { now: at(DAY, "10:45") }).code).toBe(3);
  });

  it("a late check-in covers the window but it stays missed; later windows are checked on time", () => {
    expect(reg.run(["egov", "checkin", "--as", OFFICE], { now: at(DAY, "10:50") }).code).toBe(0);
    expect(git(reg.dir, ["log", "-1", "--format=%an|%cn"]).trim()).toBe("王守杰|常丽群");
    expect(reg.run(["egov", "checkin"], { now: at(DAY, "15:40") }).code).toBe(0);
    expect(reg.run(["egov", "checkin"], { now: at(DAY, "18:05") }).code).toBe(0);
    const s = status(at(DAY, "20:00"));
    expect(s.windows.map((w) => [w.time, w.missed])).toEqual([
      ["07:30", false],
      ["10:00", true],
      ["15:30", false],
      ["18:00", false],
    ]);
    expect(s.windows.every((w) => w.checked_at !== null)).toBe(true);
    expect(reg.run(["egov", "status", "--check"], { now: at(DAY, "20:00") }).code).toBe(3);
  });

  it("--date looks at another day; a day without check-ins has every window missed", () => {
    const s = status(at(DAY, "20:00"), ["--date", "2026-03-02"]);
    expect(s.date).toBe("2026-03-02");
    expect(s.windows).toHaveLength(4);
    expect(s.windows.every((w) => w.missed && w.checked_at === null)).toBe(true);
    expect(
      reg.run(["egov", "status", "--date", "2026-03-02", "--check"], { now: at(DAY, "20:00") }).code,
    ).toBe(3);
  });

  it("a holiday has no windows and nothing missed", () => {
    const s = status(at("2026-02-17", "20:00"));
    expect(s.windows.filter((w) => w.missed)).toEqual([]);
    expect(reg.run(["egov", "status", "--check"], { now: at("2026-02-17", "20:00") }).code).toBe(0);
  });

  it("a malformed --date exits 2; checkin with no operator exits 2", () => {
    expect(reg.run(["egov", "status", "--date", "03/03/2026"]).code).toBe(2);
    const n = commitCount(reg.dir);
    expect(reg.run(["egov", "checkin"], { user: null, now: at(DAY, "21:00") }).code).toBe(2);
    expect(commitCount(reg.dir)).toBe(n);
  });
});

describe("backup", () => {
  it("--to DIR writes a .bundle that git bundle verify accepts and that clones to the same HEAD", () => {
    const reg = tpl.copy();
    receive(reg, "关于春节期间安全生产的通知");
    const checkBefore = reg.run(["check"]);
    expect(checkBefore.stdout + checkBefore.stderr).toMatch(/backup/i);
    const out = join(makeTempDir("office-doc-backup-"), "nested", "backups");
    const n = commitCount(reg.dir);
    const r = reg.run(["backup", "--to", out], { now: at("2026-02-13", "18:30") });
    expect(r.code, r.stderr).toBe(0);
    const bundles = readdirSync(out).filter((f) => f.endsWith(".bundle"));
    expect(bundles).toHaveLength(1);
    const file = join(out, bundles[0] as string);
    expect(r.stdout.trim()).toBe(file);
    const env = testEnv(reg.sandbox);
    const verify = spawnSync("git", ["bundle", "verify", file], {
      cwd: reg.dir,
      env: env as NodeJS.ProcessEnv,
    });
    expect(verify.status, String(verify.stderr)).toBe(0);
    // A backup is no commit and leaves the tree clean.
    expect(commitCount(reg.dir)).toBe(n);
    expect(gitStatus(reg.dir)).toBe("");
    // The bundle restores the registry.
    const restored = join(makeTempDir("office-doc-restore-"), "registry");
    git(out, ["clone", "-q", file, restored], env);
    expect(git(restored, ["rev-parse", "HEAD"], env)).toBe(git(reg.dir, ["rev-parse", "HEAD"], env));
    expect(existsSync(join(restored, "records", "incoming", "2026", "00", "IN-2026-0001.yaml"))).toBe(true);
    // check no longer warns that no backup was made.
    const after = reg.run(["check"], { now: at("2026-02-14", "09:00") });
    expect(after.code).toBe(0);
    expect(after.stdout).not.toMatch(/no backup/i);
  });

  it("without --to exits 2", () => {
    expect(tpl.copy().run(["backup"]).code).toBe(2);
  });
});
