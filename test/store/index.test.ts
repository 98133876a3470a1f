import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitByHand,
  commitCount,
  git,
  gitStatus,
  json,
  LEADER,
  OFFICE,
  type Registry,
  receive,
  recordPath,
  templateRegistry,
} from "../helpers.js";

/**
 * The derived index under .office-doc/, exercised through the real bin. The tests run in order on one
 * registry: each builds on the records the previous ones left.
 */

interface Summary {
  id: string;
  title: string;
  step: string | null;
}

let base: Registry;
let ids: string[] = [];

beforeAll(() => {
  const { copy } = templateRegistry();
  base = copy();
  ids = [
    receive(base, "关于春节期间安全生产的通知"),
    receive(base, "关于做好寒潮天气防范应对工作的紧急通知"),
    receive(base, "关于2026年度经济运行情况的通报"),
  ];
  const r = base.run(["propose", ids[0] as string, "--as", OFFICE, "--opinion", "拟请书记阅示"]);
  if (r.code !== 0) throw new Error(r.stderr);
}, 60_000);

afterAll(cleanupTempDirs);

function listJson(reg: Registry, extra: string[] = []): Summary[] {
  const r = reg.run(["list", "--json", ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return json<Summary[]>(r);
}

const byId = (list: Summary[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));

describe("the record index", () => {
  it("knows every record written through the bin", () => {
    expect(ids).toEqual(["IN-2026-0001", "IN-2026-0002", "IN-2026-0003"]);
    const list = listJson(base);
    expect(list.map((s) => s.id).sort()).toEqual(ids);
    expect(list.find((s) => s.id === "IN-2026-0001")?.step).toBe("instruct");
    expect(existsSync(join(base.dir, ".office-doc", "index-open.json"))).toBe(true);
  });

  it("is rebuilt when .office-doc/ is deleted, with the same listing", () => {
    const before = listJson(base, ["--status", "all"]);
    const beforeOpen = listJson(base);
    rmSync(join(base.dir, ".office-doc"), { recursive: true, force: true });
    const after = listJson(base, ["--status", "all"]);
    expect(byId(after)).toEqual(byId(before));
    expect(byId(listJson(base))).toEqual(byId(beforeOpen));
    expect(existsSync(join(base.dir, ".office-doc", "index-open.json"))).toBe(true);
    // The index is local: never part of the registry's commits, never shown by git status.
    expect(gitStatus(base.dir)).toBe("");
    expect(git(base.dir, ["ls-files", ".office-doc"])).toBe("");
  });

  it("is rebuilt from a corrupt index file", () => {
    const before = listJson(base);
    writeFileSync(join(base.dir, ".office-doc", "index-open.json"), "{ not json");
    expect(byId(listJson(base))).toEqual(byId(before));
  });

  it.each<[string, (text: string) => string]>([
    ["cut after its second line", (t) => `${t.split("\n").slice(0, 2).join("\n")}\n`],
    ["cut inside its third line", (t) => `${t.slice(0, t.length - 20)}\n`],
    ["a title edited to a longer one", (t) => t.replace("关于", "关于进一步")],
  ])("is rebuilt from an open file %s", (_name, damage) => {
    const before = listJson(base);
    const file = join(base.dir, ".office-doc", "index-open.json");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, damage(text));
    expect(readFileSync(file, "utf8")).not.toBe(text);
    // The whole summaries (the third line), not only the listed part, and the overdue list's prefix.
    expect(byId(listJson(base))).toEqual(byId(before));
    expect(readFileSync(file, "utf8")).toBe(text);
    writeFileSync(file, damage(text));
    const r = base.run(["overdue", "--json"]);
    expect(r.code, r.stderr).toBe(0);
  });

  it("follows a commit made with plain git (title edited by hand)", () => {
    // Make sure an index exists and is tied to the current HEAD first.
    listJson(base);
    const rel = recordPath("IN-2026-0002");
    const text = base.read(rel);
    expect(text).toMatch(/^title: 关于做好寒潮天气防范应对工作的紧急通知$/m);
    writeFileSync(
      join(base.dir, rel),
      text.replace(/^title: .*$/m, "title: 关于做好寒潮天气防范应对工作的紧急通知（更正）"),
    );
    const n = commitCount(base.dir);
    git(base.dir, [
      "-c",
      "user.name=Hand",
      "-c",
      "user.email=hand@example.org",
      "commit",
      "-q",
      "-am",
      "fix title",
    ]);
    expect(commitCount(base.dir)).toBe(n + 1);
    const list = listJson(base);
    expect(list.find((s) => s.id === "IN-2026-0002")?.title).toBe(
      "关于做好寒潮天气防范应对工作的紧急通知（更正）",
    );
    // Incremental update and full rebuild agree.
    rmSync(join(base.dir, ".office-doc"), { recursive: true, force: true });
    expect(byId(listJson(base))).toEqual(byId(list));
  });

  it("a new receive after a plain-git commit still gets the next free number", () => {
    const id = receive(base, "关于开展春季植树活动的通知");
    expect(id).toBe("IN-2026-0004");
  });

  it("names a broken record committed with plain git on stderr and still lists the others", () => {
    const reg = base;
    listJson(reg);
    const rel = recordPath("IN-2026-0003");
    const original = reg.read(rel);
    writeFileSync(join(reg.dir, rel), original.replace(/^title: .*$/m, "title: [unclosed"));
    git(reg.dir, [
      "-c",
      "user.name=Hand",
      "-c",
      "user.email=hand@example.org",
      "commit",
      "-q",
      "-am",
      "oops",
    ]);
    const r = reg.run(["list"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(rel);
    expect(r.stdout).toContain("IN-2026-0001");
    expect(r.stdout).toContain("IN-2026-0002");
    const j = reg.run(["list", "--json"]);
    expect(j.code).toBe(0);
    expect(j.stderr).toContain(rel);
    const list = json<Summary[]>(j);
    expect(list.map((s) => s.id).sort()).toEqual(["IN-2026-0001", "IN-2026-0002", "IN-2026-0004"]);
    // Repaired and committed again: listed again, no longer named.
    writeFileSync(join(reg.dir, rel), original);
    git(reg.dir, ["-c", "user.name=Hand", "-c", "user.email=hand@example.org", "commit", "-q", "-am", "fix"]);
    const again = reg.run(["list", "--json"]);
    expect(again.stderr).not.toContain(rel);
    expect(
      json<Summary[]>(again)
        .map((s) => s.id)
        .sort(),
    ).toEqual(["IN-2026-0001", "IN-2026-0002", "IN-2026-0003", "IN-2026-0004"]);
  });

  // Listings show the committed registry (the index follows git HEAD, by design: statting every open
  // record on every listing would cost more than the listing); `check` names the uncommitted edit.
  it("lists the committed record while its uncommitted hand edit is broken; check names the file", () => {
    const reg = base;
    listJson(reg);
    const rel = recordPath("IN-2026-0003");
    const original = reg.read(rel);
    writeFileSync(join(reg.dir, rel), original.replace(/^title: .*$/m, "title: [unclosed"));
    try {
      const r = reg.run(["list", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { id: string }[]).map((s) => s.id)).toContain("IN-2026-0003");
      const c = reg.run(["check"]);
      expect(c.code).toBe(1);
      expect(c.stdout).toMatch(new RegExp(`${rel.replace(/[.]/g, "\\.")}:\\d+: `));
      expect(c.stdout).toContain("uncommitted");
    } finally {
      writeFileSync(join(reg.dir, rel), original);
    }
    expect(readFileSync(join(reg.dir, rel), "utf8")).toBe(original);
  });

  it("a write appends one journal line and leaves the open file as it was; a torn line is skipped", () => {
    const reg = base;
    listJson(reg);
    const openFile = join(reg.dir, ".office-doc", "index-open.json");
    const journal = join(reg.dir, ".office-doc", "index-journal.jsonl");
    const snapshot = readFileSync(openFile, "utf8");
    const before = existsSync(journal) ? readFileSync(journal, "utf8") : "";
    const id = receive(reg, "关于做好国庆节期间值班工作的通知");
    expect(readFileSync(openFile, "utf8")).toBe(snapshot);
    const added = readFileSync(journal, "utf8").slice(before.length);
    expect(added.trim().split("\n")).toHaveLength(1);
    // `<crc32 hex> <json>`
    const line = JSON.parse(added.slice(added.indexOf(" ") + 1)) as {
      from: string;
      head: string;
      put: { id: string }[];
    };
    expect(line.put.map((p) => p.id)).toEqual([id]);
    expect(line.head).toBe(git(reg.dir, ["rev-parse", "HEAD"]).trim());
    expect(listJson(reg).map((s) => s.id)).toContain(id);
    // A crash in the middle of an append leaves half a line: the index falls back on git's diff.
    const r = reg.run(["propose", id, "--as", OFFICE, "--opinion", "拟请主任阅示"]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(journal, "utf8");
    writeFileSync(journal, text.slice(0, text.length - 40));
    expect(listJson(reg).find((s) => s.id === id)?.step).toBe("instruct");
    rmSync(join(reg.dir, ".office-doc"), { recursive: true, force: true });
    expect(listJson(reg).find((s) => s.id === id)?.step).toBe("instruct");
  });

  it("overdue reads only the rows due by its horizon, with the journal's later writes, as a full read would", () => {
    const reg = base;
    const overdue = () => {
      const r = reg.run(["overdue", "--json", "--as-of", "2026-03-02", "--within", "3"]);
      expect(r.code, r.stderr).toBe(0);
      return json<{ id: string; step: string; due: string }[]>(r);
    };
    // Urgent documents are due the day they arrive: overdue by March.
    receive(reg, "关于立即开展燃气安全隐患排查的紧急通知", { extra: ["--urgency", "urgent"] });
    receive(reg, "关于做好强降雪天气应对工作的紧急通知", { extra: ["--urgency", "extra-urgent"] });
    rmSync(join(reg.dir, ".office-doc"), { recursive: true, force: true });
    const full = overdue(); // rebuilt in this run: filtered from the whole map
    expect(full.length).toBeGreaterThanOrEqual(2);
    expect(overdue()).toEqual(full); // read from the file: the due-sorted prefix only
    // A write after the open file was saved lives in the journal until the next rewrite.
    const id = full.find((x) => x.step === "propose")?.id as string;
    const w = reg.run(["propose", id, "--as", OFFICE, "--opinion", "拟请书记阅示"]);
    expect(w.code, w.stderr).toBe(0);
    const withJournal = overdue();
    expect(withJournal.find((x) => x.id === id)?.step).toBe("instruct");
    rmSync(join(reg.dir, ".office-doc"), { recursive: true, force: true });
    expect(overdue()).toEqual(withJournal);
  });

  it("a rebuild in worker threads (dist/index-worker.cjs) gives the index a single thread gives", () => {
    const reg = base;
    const rebuilt = (threadsMin: string) => {
      rmSync(join(reg.dir, ".office-doc"), { recursive: true, force: true });
      const r = reg.run(["list", "--status", "all", "--json"], {
        env: { OFFICE_DOC_INDEX_THREADS_MIN: threadsMin },
      });
      expect(r.code, r.stderr).toBe(0);
      return {
        list: r.stdout,
        stderr: r.stderr,
        open: readFileSync(join(reg.dir, ".office-doc", "index-open.json"), "utf8"),
      };
    };
    const single = rebuilt("1000000");
    const threaded = rebuilt("1");
    expect(JSON.parse(threaded.list).length).toBeGreaterThanOrEqual(5);
    expect(threaded.list).toBe(single.list);
    expect(threaded.open).toBe(single.open);
    expect(threaded.stderr).toBe(single.stderr);
  });
});

describe("the index validates itself and never drops what it cannot read", () => {
  let reg: Registry;
  let closedId = "";
  const closedFile = () => join(reg.dir, ".office-doc", "index-closed.jsonl");
  const openFile = () => join(reg.dir, ".office-doc", "index-open.json");
  const all = () => byId(listJson(reg, ["--status", "all"]));

  beforeAll(() => {
    reg = templateRegistry().copy();
    closedId = receive(reg, "关于撤回的文件");
    receive(reg, "关于春节期间安全生产的通知");
    const w = reg.run(["withdraw", closedId, "--as", LEADER, "--reason", "重复来文"]);
    if (w.code !== 0) throw new Error(w.stderr);
  }, 60_000);

  it.each<[string, (text: string) => string]>([
    ["emptied", () => ""],
    ["overwritten with garbage of the same length", (t) => "x".repeat(Buffer.byteLength(t))],
    ["a character changed in place", (t) => t.replace("关于撤回的文件", "关于撤销的文件")],
    ["cut in its last line", (t) => t.slice(0, t.length - 10)],
  ])("a closed file %s: the closed records are still listed (the index is rebuilt)", (_name, damage) => {
    const before = all();
    expect(before.map((s) => s.id)).toContain(closedId);
    const text = readFileSync(closedFile(), "utf8");
    writeFileSync(closedFile(), damage(text));
    expect(all()).toEqual(before);
    expect(reg.run(["report", "stats", "--json"]).code).toBe(0);
  });

  it("half a line appended by a write that was killed is ignored, and cut by the next write", () => {
    const before = all();
    const text = readFileSync(closedFile(), "utf8");
    writeFileSync(closedFile(), `${text}{"id":"IN-2026-0999","tit`);
    expect(all()).toEqual(before);
    const id = receive(reg, "关于下一件收文");
    const w = reg.run(["withdraw", id, "--as", LEADER, "--reason", "重复来文"]);
    expect(w.code, w.stderr).toBe(0);
    expect(readFileSync(closedFile(), "utf8")).not.toContain("IN-2026-0999");
    const after = all();
    expect(after.map((s) => s.id)).toEqual([...before.map((s) => s.id), id].sort());
  });

  it("a head line edited by hand (a number lowered, the same length) is rebuilt, numbers and all", () => {
    const highest = Math.max(...all().map((s) => Number(s.id.slice(-4))));
    const text = readFileSync(openFile(), "utf8");
    expect(text).toMatch(/"id:IN-2026":\d/);
    writeFileSync(openFile(), text.replace(/"id:IN-2026":\d/, '"id:IN-2026":0'));
    const next = receive(reg, "关于编号的测试");
    expect(next).toBe(`IN-2026-${String(highest + 1).padStart(4, "0")}`);
    // Not saved by the loop that skips existing files: the head itself was rebuilt.
    expect(readFileSync(openFile(), "utf8")).not.toMatch(/"id:IN-2026":0/);
  });

  it("a journal line edited by hand is not replayed by the next write: the difference comes from git", () => {
    const id = receive(reg, "关于日志校验的通知");
    const journal = join(reg.dir, ".office-doc", "index-journal.jsonl");
    const text = readFileSync(journal, "utf8");
    expect(text).toContain("关于日志校验的通知");
    writeFileSync(journal, text.replace("关于日志校验的通知", "关于日志篡改的通知"));
    // A listing checks lengths and shapes, not CRCs (see readOpenFile); a write checks them.
    expect(reg.run(["note", id, "--text", "进展"]).code).toBe(0);
    expect(readFileSync(journal, "utf8")).not.toContain("关于日志篡改的通知");
    expect(listJson(reg).find((s) => s.id === id)?.title).toBe("关于日志校验的通知");
  });

  it("open rows that do not parse although their lengths are right: one clear failure, then rebuilt", () => {
    const before = listJson(reg);
    const file = openFile();
    const lines = readFileSync(file, "utf8").split("\n");
    writeFileSync(
      file,
      [lines[0], "x".repeat(Buffer.byteLength(lines[1] as string)), ...lines.slice(2)].join("\n"),
    );
    const r = reg.run(["list"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the record index .office-doc/index-open.json was damaged");
    expect(r.stderr).not.toMatch(/internal error/);
    expect(byId(listJson(reg))).toEqual(byId(before));
  });

  it("open rows changed in place by hand (lengths and shapes kept): the next write sees their CRC and fails once, then it is rebuilt", () => {
    const before = listJson(reg);
    const file = openFile();
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    const changed = (lines[1] as string).replace("关于", "至于");
    expect(changed).not.toBe(lines[1]);
    writeFileSync(file, [lines[0], changed, ...lines.slice(2)].join("\n"));
    // calendar set reads every open summary: a write parsing the rows checks their CRC-32.
    const r = reg.run(["calendar", "set", "2026-03-02", "--rest", "--name", "测试"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("was damaged");
    expect(byId(listJson(reg))).toEqual(byId(before));
    expect(reg.run(["calendar", "set", "2026-03-02", "--rest", "--name", "测试"]).code).toBe(0);
  });

  it("list says when a record has changes that are not committed, and stops saying so once they are undone", () => {
    const id = receive(reg, "关于手工修改的通知");
    const rel = recordPath(id);
    expect(reg.run(["list"]).stderr).not.toContain(rel);
    // The way sed -i and most editors write: a new file renamed over the old one.
    writeFileSync(
      join(reg.dir, `${rel}.new`),
      reg.read(rel).replace("关于手工修改的通知", "关于手工改过的通知"),
    );
    renameSync(join(reg.dir, `${rel}.new`), join(reg.dir, rel));
    const r = reg.run(["list"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`${rel} has changes that are not committed`);
    expect(r.stdout).toContain("关于手工修改的通知");
    // Still said after writes by office-doc (one in the same folder) and a commit made with git.
    const other = receive(reg, "同一文件夹中的另一件收文");
    expect(reg.run(["note", other, "--text", "进展"]).code).toBe(0);
    commitByHand(reg, { "notes.txt": "x" });
    expect(reg.run(["list"]).stderr).toContain(`${rel} has changes that are not committed`);
    expect(reg.run(["list"]).stderr).toContain(`${rel} has changes that are not committed`);
    git(reg.dir, ["checkout", "--", rel]);
    expect(reg.run(["list"]).stderr).not.toContain(rel);
    // A temp file that came and went changes the folder, not the records: nothing to say.
    writeFileSync(join(reg.dir, `${rel}.swp`), "x");
    rmSync(join(reg.dir, `${rel}.swp`));
    expect(reg.run(["list"]).stderr).toBe(reg.run(["list"]).stderr);
    expect(reg.run(["list"]).stderr).not.toContain("not committed");
  });
});
