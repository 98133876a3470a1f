import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordRel } from "../../src/store/registry.js";
import {
  cleanupTempDirs,
  git,
  gitStatus,
  json,
  OFFICE,
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

    // A person who pulls by hand with git: the merge driver sync set up merges a record by its
    // events (a note there, a reminder here), never by lines; two proposals stop git with no
    // conflict marker in the file.
    const rel = recordRel("incoming", first);
    expect(b.run(["sync"]).code).toBe(0);
    expect(a.run(["note", first, "--text", "甲机备注"], { now: "2026-02-13T10:00:00+08:00" }).code).toBe(0);
    expect(b.run(["urge", first, "--note", "乙机催办"], { now: "2026-02-13T09:30:00+08:00" }).code).toBe(0);
    expect(a.run(["sync"]).code).toBe(0);
    const who = {
      ...env,
      GIT_AUTHOR_NAME: "x",
      GIT_AUTHOR_EMAIL: "x@x",
      GIT_COMMITTER_NAME: "x",
      GIT_COMMITTER_EMAIL: "x@x",
    };
    git(b.dir, ["pull", "--rebase", "-q", "origin", "main"], who);
    const merged = json<{ history: { action: string }[] }>(b.run(["show", first, "--json"]));
    expect(merged.history.map((e) => e.action)).toEqual(["receive", "urge", "note"]);
    expect(b.run(["propose", first, "--as", OFFICE, "--opinion", "甲"]).code).toBe(0);
    expect(b.run(["sync"]).code).toBe(0);
    // The hand pulls above are audited on their own (a committer other than the recorder); what
    // follows is office-doc's alone.
    const shared = git(b.dir, ["rev-parse", "HEAD"], env).trim();
    expect(a.run(["propose", first, "--as", OFFICE, "--opinion", "乙"]).code).toBe(0);
    const file = a.read(rel);
    const pull = spawnSync("git", ["pull", "--rebase", "-q", "origin", "main"], {
      cwd: a.dir,
      env: who,
      encoding: "utf8",
    });
    expect(pull.status, pull.stderr).not.toBe(0);
    expect(a.read(rel)).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    expect(a.read(rel)).not.toBe("");
    git(a.dir, ["rebase", "--abort"], env);
    expect(a.read(rel)).toBe(file);

    // The same through office-doc: sync stops; the clerk keeps this clone's proposal, with a reason.
    expect(a.run(["sync"]).code).toBe(1);
    const kept = a.run(["resolve", first, "--keep", "local", "--reason", "书记电话改批"], { user: OFFICE });
    expect(kept.code, kept.stderr + kept.stdout).toBe(0);
    const rec = json<{ step: string; history: { action: string; opinion?: string; reason?: string }[] }>(
      a.run(["show", first, "--json"]),
    );
    expect(rec.history.map((e) => e.action).slice(-3)).toEqual(["sign", "resolve", "sign"]);
    expect(rec.history.at(-2)?.reason).toBe("书记电话改批");
    expect(rec.history.at(-1)?.opinion).toBe("乙");
    expect(b.run(["sync"]).code).toBe(0);
    expect(b.read(rel)).toBe(a.read(rel));
    for (const x of [a, b]) {
      const c = x.run(["check"]);
      expect(c.code, c.stdout + c.stderr).toBe(0);
      // The audit accepts the resolve: the record went back to its state before the set-aside proposal.
      const v = x.run(["verify", "--accept-before", shared]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }
  }, 120_000);

  it("without a remote, sync says how to add one (exit 1)", () => {
    const a = templateRegistry().template;
    const r = a.run(["sync"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("office-doc remote add URL");
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

describe("verify after sync merged two clerks' actions in time order", () => {
  it("a reminder made here before a note there stands before it; the audit accepts both clones", () => {
    const a = templateRegistry().template;
    const env = testEnv(a.sandbox);
    const remote = join(a.sandbox, "remote.git");
    git(a.sandbox, ["init", "-q", "--bare", "-b", "main", remote], env);
    git(a.dir, ["remote", "add", "origin", remote], env);
    const id = receive(a, "两台机器都办理的收文");
    expect(a.run(["sync"]).code).toBe(0);
    git(a.sandbox, ["clone", "-q", remote, join(a.sandbox, "b")], env);
    const b = registryHandle(join(a.sandbox, "b"), a.sandbox);
    expect(b.run(["sync"]).code).toBe(0);
    expect(a.run(["note", id, "--text", "甲机备注"], { now: "2026-02-13T10:00:00+08:00" }).code).toBe(0);
    expect(b.run(["urge", id, "--note", "乙机催办"], { now: "2026-02-13T09:30:00+08:00" }).code).toBe(0);
    expect(a.run(["sync"]).code).toBe(0);
    const s = b.run(["sync"]);
    expect(s.code, s.stderr).toBe(0);
    expect(a.run(["sync"]).code).toBe(0);
    const rec = json<{ history: { action: string }[] }>(b.run(["show", id, "--json"]));
    expect(rec.history.map((e) => e.action)).toEqual(["receive", "urge", "note"]);
    for (const x of [a, b]) {
      const v = x.run(["verify"]);
      expect(v.code, v.stdout + v.stderr).toBe(0);
    }
  }, 60_000);
});

describe("a record another clerk registered, not yet fetched here", () => {
  it("an action on it brings this clone up to date with the remote first, then acts", () => {
    const a = templateRegistry().template;
    const env = testEnv(a.sandbox);
    const remote = join(a.sandbox, "remote.git");
    git(a.sandbox, ["init", "-q", "--bare", "-b", "main", remote], env);
    git(a.dir, ["remote", "add", "origin", remote], env);
    expect(a.run(["sync"]).code).toBe(0);
    git(a.sandbox, ["clone", "-q", remote, join(a.sandbox, "b")], env);
    const b = registryHandle(join(a.sandbox, "b"), a.sandbox);
    const id = receive(a, "甲机刚登记的收文");
    expect(a.run(["sync"]).code).toBe(0);
    expect(b.run(["show", id]).code).toBe(1);
    const r = b.run(["note", id, "--text", "乙机备注"]);
    expect(r.code, r.stderr).toBe(0);
    const rec = json<{ history: { action: string }[] }>(b.run(["show", id, "--json"]));
    expect(rec.history.map((e) => e.action)).toEqual(["receive", "note"]);
    // A record that exists nowhere is still "no record", after one look at the remote.
    const none = b.run(["note", "IN-2026-0999", "--text", "x"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("IN-2026-0999");
  }, 60_000);
});
