import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitCount,
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

describe("concurrent writers", () => {
  // 30 receives at once, twice, are in write-path.test.ts (and ten times in scripts/attack-write-path.mjs).
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
