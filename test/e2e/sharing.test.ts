import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { recordRel } from "../../src/store/registry.js";
import {
  type BinResult,
  cleanupTempDirs,
  DIRECTOR,
  git,
  gitStatus,
  json,
  LEADER,
  OFFICE,
  type Registry,
  receive,
  registryHandle,
  SECRETARY,
  templateRegistry,
  testEnv,
  UNIT,
  UNIT_HEAD,
} from "../helpers.js";

/**
 * Several clerks, one registry (issue 17): a local bare repository and clones of it. Ids and
 * document numbers allocated against the remote; offline records with provisional ids renamed by
 * sync; concurrent actions on one record merged by their events, or left to `resolve`.
 */

afterAll(() => cleanupTempDirs());
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

/** A bare remote holding a copy of the template office, and `n` clones of it. */
function shared(n: number): { remote: string; clones: Registry[] } {
  const a = templateRegistry().template;
  const env = testEnv(a.sandbox);
  const remote = join(a.sandbox, "remote.git");
  git(a.sandbox, ["clone", "-q", "--bare", a.dir, remote], env);
  const clones: Registry[] = [];
  for (let i = 0; i < n; i++) {
    const dir = join(a.sandbox, `clerk${i}`);
    git(a.sandbox, ["clone", "-q", remote, dir], env);
    clones.push(registryHandle(dir, a.sandbox));
  }
  return { remote, clones };
}

const at = (day: string, hm: string) => `${day}T${hm}:00+08:00`;
const OFFLINE = { OFFICE_DOC_OFFLINE: "1" };

function ok(reg: Registry, args: string[], opts: Parameters<Registry["run"]>[1] = {}): BinResult {
  const r = reg.run(args, opts);
  expect(r.code, `${args.join(" ")} exited ${r.code}\n${r.stderr}`).toBe(0);
  return r;
}

const ids = (reg: Registry) =>
  json<{ id: string }[]>(ok(reg, ["list", "--json"]))
    .map((x) => x.id)
    .sort();

describe("ids allocated against the shared remote", () => {
  it("each clone's registration gets the next id of the remote, final at once", () => {
    const { remote, clones } = shared(3);
    const [a, b, c] = clones as [Registry, Registry, Registry];
    expect(receive(a, "甲机收文")).toBe("IN-2026-0001");
    expect(receive(b, "乙机收文")).toBe("IN-2026-0002");
    expect(receive(c, "丙机收文")).toBe("IN-2026-0003");
    expect(receive(a, "甲机第二件")).toBe("IN-2026-0004");
    expect(git(remote, ["log", "-1", "--format=%s"])).toContain("IN-2026-0004");
    for (const r of clones) {
      ok(r, ["sync"]);
      expect(ids(r)).toEqual(["IN-2026-0001", "IN-2026-0002", "IN-2026-0003", "IN-2026-0004"]);
      expect(r.run(["check"]).code).toBe(0);
      expect(gitStatus(r.dir)).toBe("");
    }
  });
});

describe("offline work", () => {
  it("an offline registration gets a provisional id; sync renames it everywhere; no document number offline", () => {
    const { clones } = shared(2);
    const [a, b] = clones as [Registry, Registry];
    const r = ok(a, ["receive", "--title", "离线收文", "--from", "区应急管理局", "--json"], { env: OFFLINE });
    expect(json<{ id: string }>(r).id).toBe("IN-2026-L0001");
    expect(r.stderr).toContain("provisional");
    ok(a, ["note", "IN-2026-L0001", "--text", "已电话联系"], { env: OFFLINE, user: OFFICE });
    expect(receive(b, "乙机收文")).toBe("IN-2026-0001");
    const s = ok(a, ["sync"]);
    expect(s.stderr).toContain("IN-2026-L0001 is now IN-2026-0002");
    expect(ids(a)).toEqual(["IN-2026-0001", "IN-2026-0002"]);
    expect(existsSync(join(a.dir, recordRel("incoming", "IN-2026-L0001")))).toBe(false);
    const shown = json<{ id: string; history: { action: string }[] }>(
      ok(a, ["show", "IN-2026-0002", "--json"]),
    );
    expect(shown.history.map((e) => e.action)).toEqual(["receive", "note"]);
    expect(
      git(a.dir, ["log", "--format=%B", "-1", "--", recordRel("incoming", "IN-2026-0002")]),
    ).not.toContain("L0001");
    const old = a.run(["show", "IN-2026-L0001"]);
    expect(old.code).toBe(1);
    expect(old.stderr).toContain("IN-2026-0002");
    ok(b, ["sync"]);
    expect(ids(b)).toEqual(ids(a));
    for (const x of clones) expect(x.run(["check"]).code).toBe(0);
  });
});

describe("two clerks on one record", () => {
  it("a note and a reminder both stay in time order; two instructions stop sync until resolve", () => {
    const { clones } = shared(2);
    const [a, b] = clones as [Registry, Registry];
    const id = receive(a, "共同办理的收文");
    ok(b, ["sync"]);
    ok(a, ["note", id, "--text", "甲机备注"], { now: at("2026-02-13", "10:00"), user: OFFICE });
    ok(b, ["urge", id, "--note", "乙机催办"], { now: at("2026-02-13", "09:30"), user: OFFICE });
    ok(a, ["sync"]);
    const s = ok(b, ["sync"]);
    expect(s.stderr).not.toContain("set aside");
    ok(a, ["sync"]);
    for (const x of clones) {
      const rec = json<{ history: { action: string }[] }>(ok(x, ["show", id, "--json"]));
      expect(rec.history.map((e) => e.action)).toEqual(["receive", "urge", "note"]);
    }
    expect(a.read(recordRel("incoming", id))).toBe(b.read(recordRel("incoming", id)));

    // Two different proposals at the same step do not commute.
    ok(a, ["propose", id, "--as", OFFICE, "--opinion", "拟请周强同志阅示"], {
      now: at("2026-02-13", "11:00"),
    });
    ok(b, ["propose", id, "--as", OFFICE, "--opinion", "拟请李建国同志阅示"], {
      now: at("2026-02-13", "11:05"),
    });
    ok(a, ["sync"]);
    const head = git(b.dir, ["rev-parse", "HEAD"]);
    const file = b.read(recordRel("incoming", id));
    const stop = b.run(["sync"]);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`resolve ${id}`);
    expect(git(b.dir, ["rev-parse", "HEAD"])).toBe(head);
    expect(b.read(recordRel("incoming", id))).toBe(file);
    expect(gitStatus(b.dir)).toBe("");
    const shown = b.run(["resolve", id]);
    expect(shown.code).toBe(2);
    expect(shown.stdout).toContain("拟请周强同志阅示");
    expect(shown.stdout).toContain("拟请李建国同志阅示");
    const kept = ok(b, ["resolve", id, "--keep", "remote"]);
    expect(kept.stderr).toContain("set aside");
    const rec = json<{ history: { opinion?: string }[] }>(ok(b, ["show", id, "--json"]));
    expect(rec.history.map((e) => e.opinion).filter(Boolean)).toEqual(["拟请周强同志阅示"]);
    ok(a, ["sync"]);
    expect(a.read(recordRel("incoming", id))).toBe(b.read(recordRel("incoming", id)));
    for (const x of clones) {
      const c = x.run(["check"]);
      expect(c.code, c.stderr + c.stdout).toBe(0);
      expect(x.read(recordRel("incoming", id))).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    }
  });
});
