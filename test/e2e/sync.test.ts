import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordRel } from "../../src/store/registry.js";
import {
  cleanupTempDirs,
  git,
  gitStatus,
  json,
  receive,
  registryHandle,
  templateRegistry,
  testEnv,
} from "./../helpers.js";

afterAll(() => cleanupTempDirs());

describe("sync through an ordinary git remote", () => {
  it("two clerks' clones exchange records; a clash of ids made offline is refused and changes nothing", () => {
    const a = templateRegistry().template;
    const env = testEnv(a.sandbox);
    const remote = join(a.sandbox, "remote.git");
    git(a.sandbox, ["init", "-q", "--bare", "-b", "main", remote], env);
    git(a.dir, ["remote", "add", "origin", remote], env);
    expect(a.run(["sync"]).code).toBe(0);

    git(a.sandbox, ["clone", "-q", remote, join(a.sandbox, "b")], env);
    const b = registryHandle(join(a.sandbox, "b"), a.sandbox);

    const first = receive(a, "甲机的收文");
    const call = b.run(["call", "--caller", "王五", "--phone", "13800000000", "--matter", "噪音", "--json"]);
    expect(call.code, call.stderr).toBe(0);
    expect(a.run(["sync"]).code).toBe(0);
    const s = b.run(["sync"]);
    expect(s.code, s.stderr).toBe(0);
    expect(a.run(["sync"]).code).toBe(0);
    const ids = (r: typeof a) =>
      json<{ id: string }[]>(r.run(["list", "--json"]))
        .map((x) => x.id)
        .sort();
    expect(ids(a)).toEqual([first, "CALL-2026-0001"].sort());
    expect(ids(b)).toEqual(ids(a));
    // Authors survive the rebase: the call is still the clerk's on both sides.
    expect(git(a.dir, ["log", "-1", "--format=%s", "--", "records/call"])).toContain("call CALL-2026-0001");

    // Both create the next incoming id offline: the second to sync is refused, and its clone is as it was.
    receive(a, "甲机的第二件");
    receive(b, "乙机的第二件");
    expect(a.run(["sync"]).code).toBe(0);
    const head = git(b.dir, ["rev-parse", "HEAD"]);
    const clash = b.run(["sync"]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(recordRel("incoming", "IN-2026-0002"));
    expect(git(b.dir, ["rev-parse", "HEAD"])).toBe(head);
    expect(gitStatus(b.dir)).toBe("");
  });

  it("without a remote, sync says how to add one (exit 1)", () => {
    const a = templateRegistry().template;
    const r = a.run(["sync"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("remote add origin");
  });
});

describe("sync after a write that was killed midway", () => {
  it("finishes or undoes it first, then syncs: the killed action is never pushed", () => {
    const a = templateRegistry().template;
    const env = testEnv(a.sandbox);
    const remote = join(a.sandbox, "remote.git");
    git(a.sandbox, ["init", "-q", "--bare", "-b", "main", remote], env);
    git(a.dir, ["remote", "add", "origin", remote], env);
    const dup = receive(a, "重复来文");
    const into = receive(a, "原来文");
    const killed = a.runBin(["merge", dup, "--into", into, "--reason", "重复"], {
      env: { OFFICE_DOC_FAILPOINT: "objects-durable" },
    });
    expect(killed.code).toBe(-1);
    expect(gitStatus(a.dir)).not.toBe("");
    const s = a.run(["sync"]);
    expect(s.code, s.stderr).toBe(0);
    expect(gitStatus(a.dir)).toBe("");
    const pushed = git(a.dir, ["log", "--format=%s", "origin/main"], env);
    expect(pushed).not.toMatch(/^merge /m);
    expect(json<{ status: string }>(a.run(["show", dup, "--json"])).status).toBe("open");
  }, 60_000);
});
