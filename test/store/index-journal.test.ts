import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ListedSummary } from "../../src/core/model.js";
import { RecordIndex } from "../../src/store/index-cache.js";
import { Registry } from "../../src/store/registry.js";
import {
  cleanupTempDirs,
  git,
  type Registry as Handle,
  receive,
  recordPath,
  templateRegistry,
  testEnv,
} from "../helpers.js";

/**
 * A write's journal line applies only to the commit the index stood at. When a plain git commit
 * slipped in between (HEAD moved under the write), the line must not pretend to follow on: the next
 * load reads the difference from git, the commit that slipped in included.
 */

let reg: Handle;

beforeAll(() => {
  reg = templateRegistry().copy();
  receive(reg, "关于春节期间安全生产的通知");
  receive(reg, "关于做好寒潮天气防范应对工作的紧急通知");
  const env = testEnv(dirname(reg.dir));
  vi.stubEnv("HOME", env.HOME as string);
  vi.stubEnv("GIT_CONFIG_GLOBAL", env.GIT_CONFIG_GLOBAL as string);
  vi.stubEnv("GIT_CONFIG_NOSYSTEM", "1");
}, 60_000);

afterAll(() => {
  vi.unstubAllEnvs();
  cleanupTempDirs();
});

const hand = ["-c", "user.name=Hand", "-c", "user.email=hand@example.org"];

describe("the index journal", () => {
  it("a write made on another commit than the index's leaves no line; the next load catches up", async () => {
    expect(reg.run(["list"]).code).toBe(0);
    const idx = await RecordIndex.load(new Registry(reg.dir));
    const before = idx.head;
    // A plain git commit changes one record's title while "our" write is under way.
    const rel = recordPath("IN-2026-0001");
    writeFileSync(
      join(reg.dir, rel),
      reg.read(rel).replace(/^title: .*$/m, "title: 关于春节期间安全生产的通知（更正）"),
    );
    git(reg.dir, [...hand, "commit", "-q", "-am", "fix title"]);
    const slipped = git(reg.dir, ["rev-parse", "HEAD"]).trim();
    // Our write: IN-2026-0002 changed and committed on top of the commit that slipped in.
    const rel2 = recordPath("IN-2026-0002");
    const s2 = [...idx.open.values()].find((s) => s.id === "IN-2026-0002");
    if (!s2) throw new Error("IN-2026-0002 not in the index");
    writeFileSync(join(reg.dir, rel2), reg.read(rel2).replace(/^title: .*$/m, "title: 关于寒潮的紧急通知"));
    git(reg.dir, [...hand, "commit", "-q", "-am", "our write"]);
    const ours = git(reg.dir, ["rev-parse", "HEAD"]).trim();
    idx.apply({ ...s2, title: "关于寒潮的紧急通知" });
    idx.commitWrites(ours, slipped);
    expect(slipped).not.toBe(before);
    const again = await RecordIndex.load(new Registry(reg.dir));
    expect(again.head).toBe(ours);
    const titles = Object.fromEntries([...again.open.values()].map((s) => [s.id, s.title]));
    expect(titles["IN-2026-0001"]).toBe("关于春节期间安全生产的通知（更正）");
    expect(titles["IN-2026-0002"]).toBe("关于寒潮的紧急通知");
  });

  it("the listed part, read alone, follows the journal like the whole summaries", async () => {
    const r = templateRegistry().copy();
    const first = receive(r, "关于做好元旦期间值班工作的通知", { extra: ["--urgency", "urgent"] });
    // An open file with that record in it, then two writes as journal lines.
    rmSync(join(r.dir, ".office-doc"), { recursive: true, force: true });
    expect(r.run(["list"]).code).toBe(0);
    // Urgent, as the first: due the same day at every step, so both have a due date to read up to.
    const added = receive(r, "关于开展冬季消防安全检查的通知", { extra: ["--urgency", "urgent"] });
    expect(r.run(["propose", added, "--as", "wang-shoujie", "--opinion", "拟请主任阅示"]).code).toBe(0);
    const listed = (await RecordIndex.load(new Registry(r.dir))).openListed();
    const full = [...(await RecordIndex.load(new Registry(r.dir))).open.values()];
    // Read from the open file's second line alone: no key of the rest.
    expect((listed.find((s) => s.id === first) as { created?: string }).created).toBeUndefined();
    const part = (s: ListedSummary) => {
      const { id, kind, title, status, step, holders, due, unit, classification, urgency } = s;
      return JSON.parse(
        JSON.stringify({ id, kind, title, status, step, holders, due, unit, classification, urgency }),
      ) as ListedSummary;
    };
    const byId = (a: ListedSummary, b: ListedSummary) => a.id.localeCompare(b.id);
    expect(listed.map(part).sort(byId)).toEqual(full.map(part).sort(byId));
    expect(listed.find((s) => s.id === added)?.step).toBe("instruct");
    // Up to a due date: only the records due by then, the journal's among them.
    const due = full.find((s) => s.id === added)?.due;
    if (!due) throw new Error("the new record has no due date");
    const byDue = (await RecordIndex.load(new Registry(r.dir))).openListed(due).map((s) => s.id);
    expect(byDue).toContain(added);
    expect(byDue).toContain(first);
    expect(byDue.sort()).toEqual(
      full
        .filter((s) => s.due !== null && s.due <= due)
        .map((s) => s.id)
        .sort(),
    );
  });
});
