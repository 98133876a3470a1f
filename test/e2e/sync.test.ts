import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
  it("`remote add` and a first sync fill an empty remote; two clerks' clones exchange records", () => {
    const a = templateRegistry().template;
    const env = testEnv(a.sandbox);
    const remote = join(a.sandbox, "remote.git");
    git(a.sandbox, ["init", "-q", "--bare", "-b", "main", remote], env);
    const added = a.run(["remote", "add", remote]);
    expect(added.code, added.stderr).toBe(0);
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

    // Both register at once: each id comes from the remote, so they differ.
    expect(receive(a, "甲机的第二件")).toBe("IN-2026-0002");
    expect(receive(b, "乙机的第二件")).toBe("IN-2026-0003");
    expect(a.run(["sync"]).code).toBe(0);
    expect(ids(a)).toEqual(ids(b));
    expect(gitStatus(b.dir)).toBe("");
  });

  it("without a remote, sync says how to add one (exit 1)", () => {
    const a = templateRegistry().template;
    const r = a.run(["sync"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("office-doc remote add URL");
  });
});
