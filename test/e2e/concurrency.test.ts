import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordRel } from "../../src/store/registry.js";
import {
  cleanupTempDirs,
  commitCount,
  gitLog,
  gitStatus,
  json,
  OFFICE,
  type Registry,
  templateRegistry,
} from "../helpers.js";

/** Processes writing to one registry at the same time: the lock serialises them. */

let tpl: ReturnType<typeof templateRegistry>;

beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);

afterAll(cleanupTempDirs);

const N = 8;

describe("concurrent writers", () => {
  it(`${N} concurrent receive processes get ${N} distinct ids and ${N} commits`, async () => {
    const reg: Registry = tpl.copy();
    const before = commitCount(reg.dir);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        reg.runAsync(["receive", "--title", `并发收文 ${i + 1}`, "--from", "区政府办公室", "--json"]),
      ),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const ids = results.map((r) => json<{ id: string }>(r).id).sort();
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => `IN-2026-${String(i + 1).padStart(4, "0")}`));
    expect(commitCount(reg.dir)).toBe(before + N);
    expect(gitStatus(reg.dir)).toBe("");
    // Each commit holds one new record; each title is in exactly one record.
    const log = gitLog(reg.dir).slice(0, N);
    expect(log.map((c) => c.trailers["Office-Doc-Record"]).sort()).toEqual(ids);
    expect(log.every((c) => c.trailers["Office-Doc-Action"] === "receive")).toBe(true);
    expect(readdirSync(join(reg.dir, "records", "incoming", "2026", "00")).sort()).toEqual(
      ids.map((id) => `${id}.yaml`),
    );
    const titles = ids.map((id) => /^title: (.*)$/m.exec(reg.read(recordRel("incoming", id)))?.[1]);
    expect(new Set(titles).size).toBe(N);
    // No lock left behind; the index knows all of them.
    expect(readdirSync(join(reg.dir, ".office-doc"))).not.toContain("lock");
    const list = json<{ id: string }[]>(reg.run(["list", "--json"]));
    expect(list.map((s) => s.id).sort()).toEqual(ids);
    const check = reg.run(["check"]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  }, 120_000);

  it("concurrent actions on the same record are applied one after the other", async () => {
    const reg: Registry = tpl.copy();
    const created = reg.run(["receive", "--title", "关于…的通知", "--from", "区民政局", "--json"]);
    expect(created.code, created.stderr).toBe(0);
    const id = json<{ id: string }>(created).id;
    const before = commitCount(reg.dir);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        reg.runAsync(["note", id, "--text", `进展 ${i}`], { user: OFFICE }),
      ),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(commitCount(reg.dir)).toBe(before + 6);
    expect(gitStatus(reg.dir)).toBe("");
    const rec = json<{ history: { action: string; note?: string }[] }>(reg.run(["show", id, "--json"]));
    const notes = rec.history.filter((e) => e.action === "note").map((e) => e.note);
    expect(notes.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `进展 ${i}`));
    const check = reg.run(["check"]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
  }, 120_000);
});
