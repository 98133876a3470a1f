import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLERK,
  CLERK_EMAIL,
  cleanupTempDirs,
  commitCount,
  git,
  gitLog,
  gitStatus,
  OFFICE,
  type Registry,
  receive,
  recordPath,
  SECRETARY,
  templateRegistry,
} from "../helpers.js";

/** Every action is one git commit: subject, trailers, author (actor) and committer (operator). */

let tpl: ReturnType<typeof templateRegistry>;

beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);

afterAll(cleanupTempDirs);

describe("commits", () => {
  let reg: Registry;
  let before = 0;
  const title = "关于春节期间安全生产的通知";

  beforeAll(() => {
    reg = tpl.copy();
    before = commitCount(reg.dir);
    const id = receive(reg, title);
    if (id !== "IN-2026-0001") throw new Error(id);
  });

  it("receive makes one commit `receive IN-2026-0001: <title>` with the office-doc trailers", () => {
    expect(commitCount(reg.dir)).toBe(before + 1);
    const [c] = gitLog(reg.dir);
    expect(c?.subject).toBe(`receive IN-2026-0001: ${title}`);
    expect(c?.trailers).toMatchObject({
      "Office-Doc-Action": "receive",
      "Office-Doc-Record": "IN-2026-0001",
      "Office-Doc-Actor": CLERK,
      "Office-Doc-Recorded-By": CLERK,
    });
    expect(c?.authorName).toBe("常丽群");
    expect(c?.authorEmail).toBe(CLERK_EMAIL);
    expect(c?.committerName).toBe("常丽群");
    // Exactly the record file, and the work tree is clean.
    expect(git(reg.dir, ["show", "--name-only", "--format=", "HEAD"]).trim()).toBe(
      recordPath("IN-2026-0001"),
    );
    expect(gitStatus(reg.dir)).toBe("");
  });

  it("with --as, the author is the actor and the committer the operator", () => {
    const p = reg.run(["propose", "IN-2026-0001", "--as", OFFICE, "--opinion", "拟请书记阅示"]);
    expect(p.code, p.stderr).toBe(0);
    const r = reg.run(["instruct", "IN-1", "--as", SECRETARY, "--opinion", "请城管科办理", "--to", "urban"], {
      now: "2026-02-13T15:00:00+08:00",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(git(reg.dir, ["log", "-2", "--format=%an|%cn"]).trim().split("\n")).toEqual([
      "李建国|常丽群",
      "王守杰|常丽群",
    ]);
    const [c] = gitLog(reg.dir);
    expect(c?.trailers).toMatchObject({
      "Office-Doc-Record": "IN-2026-0001",
      "Office-Doc-Actor": SECRETARY,
      "Office-Doc-Recorded-By": CLERK,
    });
    expect(c?.subject).toMatch(/ IN-2026-0001: 关于春节期间安全生产的通知$/);
    expect(c?.trailers["Office-Doc-Action"]).toBeTruthy();
    // The event in the record names both people as well.
    const text = reg.read(recordPath("IN-2026-0001"));
    expect(text).toMatch(/actor: li-jianguo\n\s+recorded_by: chang-liqun/);
  });

  it("without --as, author and committer are both the operator", () => {
    const r = reg.run(["note", "IN-2026-0001", "--text", "已电话通知城管科"], { user: OFFICE });
    expect(r.code, r.stderr).toBe(0);
    expect(git(reg.dir, ["log", "-1", "--format=%an|%cn"]).trim()).toBe("王守杰|王守杰");
    const [c] = gitLog(reg.dir);
    expect(c?.trailers).toMatchObject({
      "Office-Doc-Action": "note",
      "Office-Doc-Actor": OFFICE,
      "Office-Doc-Recorded-By": OFFICE,
    });
  });

  it("one commit per action, each touching only the record's file", () => {
    const rel = recordPath("IN-2026-0001");
    const log = gitLog(reg.dir, rel);
    expect(log).toHaveLength(4);
    for (const c of log) {
      expect(git(reg.dir, ["show", "--name-only", "--format=", c.hash]).trim()).toBe(rel);
      expect(c.trailers["Office-Doc-Record"]).toBe("IN-2026-0001");
    }
    // The trailers' actions match the history in the file, oldest first.
    const actions = log.map((c) => c.trailers["Office-Doc-Action"]).reverse();
    const history = [...reg.read(rel).matchAll(/^\s+- action: (\S+)$/gm)].map((m) => m[1]);
    expect(actions).toEqual(history);
    expect(gitStatus(reg.dir)).toBe("");
  });
});
