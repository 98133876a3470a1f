import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitCount,
  git,
  gitStatus,
  json,
  OFFICE,
  type Registry,
  recordPath,
  registryProblems,
  templateRegistry,
} from "../helpers.js";

/** Processes writing to one registry at the same time: the lock serialises them. */

let tpl: ReturnType<typeof templateRegistry>;

beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);

afterAll(cleanupTempDirs);

describe("concurrent writers", () => {
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

/**
 * The issue-10 case: 30 registrations started together, where the old lock let two writers hold it
 * (about one run in three); twice here, ten times in scripts/attack-write-path.mjs.
 */
describe("30 writers at once", () => {
  it("2 runs of 30 receives: 30 distinct ids, each committed with its own title, list and show agree", async () => {
    for (let run = 0; run < 2; run++) {
      const reg = tpl.copy();
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          reg.runAsync(["receive", "--title", `并发收文 ${run}-${i}`, "--from", "区政府办公室", "--json"]),
        ),
      );
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const ok = results.map((r, i) => ({ r, i }));
      const ids = ok.map(({ r }) => json<{ id: string }>(r).id);
      expect(new Set(ids).size).toBe(ids.length);
      // Each reported id's file holds its own writer's title (the work tree is HEAD: see consistent).
      for (const { r, i } of ok)
        expect(reg.read(recordPath(json<{ id: string }>(r).id))).toContain(`title: 并发收文 ${run}-${i}\n`);
      // 30 commits, each of one record file of its own.
      const commits = git(reg.dir, ["log", "-30", "--format=%x1e", "--name-only"])
        .split("\x1e")
        .map((c) => c.trim())
        .filter(Boolean);
      expect(commits.sort()).toEqual(ids.map(recordPath).sort());
      const listed = json<{ id: string; title: string }[]>(reg.run(["list", "--json"]));
      expect(listed.map((s) => s.id).sort()).toEqual([...ids].sort());
      for (const s of listed) expect(reg.read(recordPath(s.id))).toContain(`title: ${s.title}\n`);
      for (const s of listed.slice(0, 2))
        expect(json<{ title: string }>(reg.run(["show", s.id, "--json"])).title).toBe(s.title);
      expect(registryProblems(reg)).toEqual([]);
    }
  }, 240_000);
});
