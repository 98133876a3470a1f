import { existsSync, renameSync } from "node:fs";
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

/** A bare remote holding a copy of the template office (after `prepare`), and `n` clones of it. */
function shared(n: number, prepare?: (reg: Registry) => void): { remote: string; clones: Registry[] } {
  const a = templateRegistry().template;
  prepare?.(a);
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

const ISSUERS = { office: DIRECTOR } as const;

/** Outgoing documents drafted and taken to the `number` step (in a registry without a remote). */
function outgoingToNumber(reg: Registry, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const day = "2026-02-13";
    const d = json<{ id: string }>(
      ok(reg, ["draft", "--title", `通知 ${i}`, "--category", "office", "--unit", UNIT, "--json"], {
        now: at(day, "09:00"),
        user: OFFICE,
      }),
    );
    const steps: [string[], string][] = [
      [["unit-sign", d.id, "--as", UNIT_HEAD, "--opinion", "同意"], "09:10"],
      [["review", d.id, "--opinion", "格式已核"], "09:20"],
      [["leader-sign", d.id, "--as", LEADER, "--opinion", "同意印发"], "09:30"],
      [["secretary-review", d.id, "--as", SECRETARY], "09:40"],
      [["issue", d.id, "--as", ISSUERS.office, "--opinion", "签发"], "10:00"],
    ];
    for (const [args, hm] of steps) ok(reg, args, { now: at(day, hm), user: OFFICE });
    out.push(d.id);
  }
  return out;
}

describe("three clerks at once", () => {
  it("registrations and document numbers from three clones at the same time: final, distinct, gapless", async () => {
    let docs: string[] = [];
    const { remote, clones } = shared(3, (reg) => {
      docs = outgoingToNumber(reg, 3);
    });
    // On each clone a registration and a document number, the six at once (real processes racing
    // to push): each id and number is the remote's next, and on the remote when it is printed.
    const receives = await Promise.all(
      clones.map((c, i) =>
        c.runAsync(["receive", "--title", `并发收文 ${i}`, "--from", "区政府办公室", "--json"]),
      ),
    );
    const numbered = await Promise.all(
      clones.map((c, i) =>
        c.runAsync(["number", docs[i] as string, "--json"], { user: OFFICE, now: at("2026-02-13", "10:30") }),
      ),
    );
    for (const r of [...receives, ...numbered]) expect(r.code, r.stderr).toBe(0);
    const got = receives.map((r) => json<{ id: string }>(r).id);
    expect([...got].sort()).toEqual(["IN-2026-0001", "IN-2026-0002", "IN-2026-0003"]);
    const numbers = numbered.map(
      (r) =>
        /〔2026〕(\d+)号/.exec(String(json<{ fields: { doc_number: string } }>(r).fields.doc_number))?.[1],
    );
    expect([...numbers].sort()).toEqual(["1", "2", "3"]);
    const log = git(remote, ["log", "--format=%s", "-6"]);
    for (const id of [...got, ...docs]) expect(log).toContain(id);
    for (const c of clones) {
      ok(c, ["sync"]);
      expect(ids(c)).toEqual([...docs, ...got].sort());
      const check = c.run(["check"]);
      expect(check.code, check.stdout + check.stderr).toBe(0);
    }
  }, 120_000);
});

describe("two clerks, one of them offline for a while", () => {
  it("provisional ids renamed by sync; no document number offline; commuting actions merged; others resolved; a remote too slow", () => {
    let docs: string[] = [];
    const { remote, clones } = shared(2, (reg) => {
      docs = outgoingToNumber(reg, 1);
    });
    const [a, b] = clones as [Registry, Registry];
    const shared0 = receive(a, "共同办理的收文");
    ok(b, ["sync"]);

    // The remote cannot be reached: a provisional id, said so; no document number.
    renameSync(remote, `${remote}.away`);
    const r = ok(a, ["receive", "--title", "离线收文", "--from", "区应急管理局", "--json"]);
    expect(json<{ id: string }>(r).id).toBe("IN-2026-L0001");
    expect(r.stderr).toContain("provisional");
    ok(a, ["note", "IN-2026-L0001", "--text", "已电话联系"], { user: OFFICE });
    const head = git(a.dir, ["rev-parse", "HEAD"]);
    const refusedNumber = a.run(["number", docs[0] as string], {
      user: OFFICE,
      now: at("2026-02-13", "10:30"),
    });
    expect(refusedNumber.code).toBe(1);
    expect(refusedNumber.stderr).toContain("office-doc sync");
    expect(git(a.dir, ["rev-parse", "HEAD"])).toBe(head);
    expect(gitStatus(a.dir)).toBe("");
    const away = a.run(["sync"]);
    expect(away.code).toBe(1);
    expect(away.stderr).toContain("origin");
    renameSync(`${remote}.away`, remote);
    // Offline on purpose: the same refusal, the remote not even tried.
    const forced = a.run(["number", docs[0] as string], { user: OFFICE, env: OFFLINE });
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain("no document number");

    // Meanwhile the other clerk registers, and both act on the shared record.
    expect(receive(b, "乙机收文")).toBe("IN-2026-0002");
    // A command refused after it reached the remote leaves this clone as it found it.
    const here = git(a.dir, ["rev-parse", "HEAD"]);
    const wrong = a.run(["number", docs[0] as string, "--as", LEADER], {
      user: OFFICE,
      now: at("2026-02-13", "10:30"),
    });
    expect(wrong.code, wrong.stderr).toBe(1);
    // (it had moved: the remote's work came in and the offline record was renamed, unannounced)
    expect(wrong.stderr).not.toContain("is now");
    expect(git(a.dir, ["reflog", "-1", "--format=%gs"])).toContain("back to where it was");
    expect(git(a.dir, ["rev-parse", "HEAD"])).toBe(here);
    expect(gitStatus(a.dir)).toBe("");
    expect(existsSync(join(a.dir, recordRel("incoming", "IN-2026-L0001")))).toBe(true);
    ok(a, ["note", shared0, "--text", "甲机备注"], { now: at("2026-02-13", "10:00"), user: OFFICE });
    ok(b, ["urge", shared0, "--note", "乙机催办"], { now: at("2026-02-13", "09:30"), user: OFFICE });
    ok(b, ["sync"]);
    const s = ok(a, ["sync"]);
    expect(s.stderr).toContain("IN-2026-L0001 is now IN-2026-0003");
    ok(b, ["sync"]);
    for (const x of clones) {
      expect(ids(x)).toEqual([docs[0], shared0, "IN-2026-0002", "IN-2026-0003"].sort());
      const rec = json<{ history: { action: string }[] }>(ok(x, ["show", shared0, "--json"]));
      expect(rec.history.map((e) => e.action)).toEqual(["receive", "urge", "note"]);
      const renamed = json<{ history: { action: string }[] }>(ok(x, ["show", "IN-2026-0003", "--json"]));
      expect(renamed.history.map((e) => e.action)).toEqual(["receive", "note"]);
    }
    expect(existsSync(join(a.dir, recordRel("incoming", "IN-2026-L0001")))).toBe(false);
    // The commit trail says what the record was called; the subjects use its final id.
    const trail = recordRel("incoming", "IN-2026-0003");
    expect(git(a.dir, ["log", "--format=%s", "--", trail])).not.toContain("L0001");
    expect(git(a.dir, ["log", "--format=%B", "--", trail])).toContain(
      "Office-Doc-Provisional: IN-2026-L0001",
    );
    const old = a.run(["show", "IN-2026-L0001"]);
    expect(old.code).toBe(1);
    expect(old.stderr).toContain("IN-2026-0003");

    // Two different proposals at the same step do not commute: sync stops, nothing changes.
    ok(a, ["propose", shared0, "--as", OFFICE, "--opinion", "拟请周强同志阅示"], {
      now: at("2026-02-13", "11:00"),
    });
    ok(b, ["propose", shared0, "--as", OFFICE, "--opinion", "拟请李建国同志阅示"], {
      now: at("2026-02-13", "11:05"),
    });
    ok(a, ["sync"]);
    const headB = git(b.dir, ["rev-parse", "HEAD"]);
    const file = b.read(recordRel("incoming", shared0));
    const stop = b.run(["sync"]);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`resolve ${shared0}`);
    expect(git(b.dir, ["rev-parse", "HEAD"])).toBe(headB);
    expect(b.read(recordRel("incoming", shared0))).toBe(file);
    expect(gitStatus(b.dir)).toBe("");
    // Without a terminal `resolve ID` shows both sides, says how to choose, and changes nothing.
    const shown = b.run(["resolve", shared0]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("拟请周强同志阅示");
    expect(shown.stdout).toContain("拟请李建国同志阅示");
    expect(shown.stderr).toContain("--keep");
    expect(git(b.dir, ["rev-parse", "HEAD"])).toBe(headB);
    const kept = ok(b, ["resolve", shared0, "--keep", "remote"]);
    expect(kept.stderr).toContain("set aside");
    const rec = json<{ history: { opinion?: string }[] }>(ok(b, ["show", shared0, "--json"]));
    expect(rec.history.map((e) => e.opinion).filter(Boolean)).toEqual(["拟请周强同志阅示"]);

    // sync --auto: a write that takes no number is shared at once.
    ok(b, ["sync", "--auto"]);
    ok(b, ["note", "IN-2026-0002", "--text", "自动同步"], { user: OFFICE });
    expect(git(remote, ["log", "-1", "--format=%s"])).toContain("note IN-2026-0002");
    ok(a, ["sync"]);
    expect(a.read(recordRel("incoming", shared0))).toBe(b.read(recordRel("incoming", shared0)));
    for (const x of clones) {
      const c = x.run(["check"]);
      expect(c.code, c.stderr + c.stdout).toBe(0);
      expect(x.read(recordRel("incoming", shared0))).not.toMatch(/^(<<<<<<<|=======|>>>>>>>)/m);
    }

    // A remote that does not answer in time: exit 1 naming it, nothing recorded.
    git(a.dir, ["remote", "set-url", "origin", "ssh://office-server.invalid/registry.git"]);
    const before = git(a.dir, ["rev-parse", "HEAD"]);
    const env = { GIT_SSH_COMMAND: "sleep 5 #", OFFICE_DOC_REMOTE_TIMEOUT: "0.5" };
    const started = Date.now();
    const slow = a.run(["receive", "--title", "超时", "--from", "区应急管理局"], { env });
    expect(slow.code).toBe(1);
    expect(slow.stderr).toContain("origin (ssh://office-server.invalid/registry.git) did not answer in time");
    expect(Date.now() - started).toBeLessThan(4000);
    expect(git(a.dir, ["rev-parse", "HEAD"])).toBe(before);
    expect(gitStatus(a.dir)).toBe("");
  }, 120_000);
});
