import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  git,
  gitLog,
  gitStatus,
  json,
  receive,
  recordPath,
  templateRegistry,
} from "../helpers.js";

afterAll(() => cleanupTempDirs());

describe("a crash mid-command never loses a record", () => {
  it("the next write finds the dead writer's lock, commits its written record as its action, then does its own", () => {
    const reg = templateRegistry().template;
    const first = receive(reg, "先登记的文件");
    const second = receive(reg, "崩溃时正在登记的文件");
    // The state a crash between writing the file and committing leaves: the file is there, uncommitted,
    // and the lock of a process that no longer exists.
    git(reg.dir, ["reset", "-q", "--soft", "HEAD~1"]);
    git(reg.dir, ["reset", "-q"]);
    expect(gitStatus(reg.dir)).toContain(recordPath(second));
    const dead = spawnSync(process.execPath, ["-e", "process.pid"]).pid ?? 999999;
    writeFileSync(
      join(reg.dir, ".office-doc", "lock"),
      JSON.stringify({
        pid: dead,
        start: "1",
        host: hostname(),
        command: "receive",
        since: "2026-02-13T01:00:00Z",
      }),
    );

    const r = reg.run(["note", first, "--text", "继续办理"]);
    expect(r.code, r.stderr).toBe(0);
    expect(gitStatus(reg.dir)).toBe("");
    const log = gitLog(reg.dir);
    const subjects = log.map((e) => e.subject);
    expect(subjects.some((s) => s.startsWith(`receive ${second}`))).toBe(true);
    expect(subjects.some((s) => s.startsWith(`note ${first}`))).toBe(true);
    const shown = json<{ id: string; title: string }>(reg.run(["show", second, "--json"]));
    expect(shown.title).toBe("崩溃时正在登记的文件");
    const check = reg.run(["check"]);
    expect(check.stdout).not.toMatch(/history has/);
  });
});
