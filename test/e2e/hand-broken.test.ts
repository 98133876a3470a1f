/**
 * Registry files broken or edited by hand (hostile tester findings D3-D6, D8): every command that
 * reads them names the file, never skips it silently; a broken registry file is exit 1 (the
 * registry's problem), not exit 2 (the command line's); views agree on which version they show.
 */
import { cpSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitByHand,
  gitLog,
  json,
  makeTempDir,
  type Registry,
  receive,
  recordPath,
  registryHandle,
  repoState,
  templateRegistry,
} from "../helpers.js";

let tpl: ReturnType<typeof templateRegistry>;
/** Four incoming documents, the second from 区政府办公室 区政办发〔2026〕31号. */
let base: Registry;
let ids: string[] = [];

beforeAll(() => {
  tpl = templateRegistry();
  base = tpl.template;
  ids = [
    receive(base, "关于做好冬季安全生产工作的通知"),
    receive(base, "关于开展消防检查的通知", {
      extra: ["--from", "区政府办公室", "--doc-number", "区政办发〔2026〕31号"],
    }),
    receive(base, "关于防汛的通知"),
    receive(base, "关于春节值班的通知"),
  ];
}, 60_000);
afterAll(cleanupTempDirs);

/** A copy of the base registry (with its three documents): the whole sandbox, as templateRegistry copies. */
function copyOfBase(): Registry {
  const target = makeTempDir("office-doc-broken-");
  cpSync(base.sandbox, target, { recursive: true });
  return registryHandle(join(target, "registry"), target);
}

/** Break record `id`'s file (no longer YAML) and commit that by hand. */
function breakRecord(reg: Registry, id: string): string {
  const rel = recordPath(id);
  commitByHand(reg, { [rel]: `${reg.read(rel)}title: [unclosed\n` });
  return rel;
}

describe("a record file broken by hand (D5)", () => {
  it("report register exits 1 naming the file and line; log still lists the commits of that file", () => {
    const reg = copyOfBase();
    const rel = breakRecord(reg, ids[1] as string);
    const before = repoState(reg.dir);
    const r = reg.run(["report", "register", "--kind", "incoming"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${rel}:\\d+: invalid YAML`));
    const log = reg.run(["log", ids[1] as string, "--json"]);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stderr).toMatch(new RegExp(`warning: ${rel}:\\d+: the record cannot be read`));
    const commits = json<{ commit: string; action: string }[]>(log);
    const touched = gitLog(reg.dir, rel);
    expect(commits.map((c) => c.commit).sort()).toEqual(touched.map((c) => c.hash.slice(0, 10)).sort());
    expect(commits.map((c) => c.action).sort()).toEqual(["(git)", "receive"]);
    expect(repoState(reg.dir)).toEqual(before);
  });
});

/** Edit record `id`'s file line by line (`key: value` lines replaced), not committed. */
function editLines(reg: Registry, id: string, lines: Record<string, string>): Record<string, string> {
  const rel = recordPath(id);
  let text = reg.read(rel);
  for (const [key, value] of Object.entries(lines)) {
    // A key's line, and the items of a block list under it.
    const next = text.replace(new RegExp(`^${key}:.*\\n(?:  - .*\\n)*`, "m"), `${key}: ${value}\n`);
    expect(next, key).not.toBe(text);
    text = next;
  }
  return { [rel]: text };
}

describe("committed hand edits with invalid values (D6)", () => {
  it("every listing names each invalid record; one with an invalid status stays on the lists and in overdue --check", () => {
    const reg = copyOfBase();
    const [a, b, c, d] = ids as [string, string, string, string];
    const past = '"2026-02-10"';
    commitByHand(reg, {
      ...editLines(reg, a, { due: '"2026-02-30"' }),
      ...editLines(reg, b, { step: "no-such-step", due: past }),
      ...editLines(reg, c, { status: "bogus", due: past }),
      ...editLines(reg, d, { holders: "[ nobody-here ]", due: past }),
    });
    const named = [
      [a, "due: 2026-02-30"],
      [b, "step: no-such-step"],
      [c, "status: bogus"],
      [d, "holders: nobody-here"],
    ] as const;
    const now = "2026-02-13T10:00:00+08:00";
    for (const args of [
      ["list"],
      ["overdue", "--check"],
      ["report", "supervision"],
      ["report", "register", "--kind", "incoming"],
    ]) {
      const r = reg.run(args, { now });
      for (const [id, what] of named)
        expect(r.stderr, `${args.join(" ")}: ${id}`).toContain(
          `${recordPath(id)} holds a value office-doc cannot act on (${what})`,
        );
    }
    const check = reg.run(["overdue", "--check", "--json"], { now });
    expect(check.code).toBe(3);
    const overdue = json<{ id: string }[]>(check).map((x) => x.id);
    expect(overdue).toEqual(expect.arrayContaining([b, c, d]));
    const listed = json<{ id: string }[]>(reg.run(["list", "--json"], { now })).map((x) => x.id);
    expect(listed.sort()).toEqual([...ids].sort());
  });
});

describe("an uncommitted hand edit (D4)", () => {
  it("every view shows the record as last committed and names the edited file", () => {
    const reg = copyOfBase();
    const id = ids[0] as string;
    const rel = recordPath(id);
    const now = "2026-02-20T10:00:00+08:00";
    // Known clean first; then edited as `sed -i` does, through a new file and a rename.
    expect(reg.run(["list"], { now }).stderr).not.toContain("warning");
    writeFileSync(join(reg.dir, `${rel}.new`), reg.read(rel).replace(/^title: .*$/m, "title: 被手改的标题"));
    renameSync(join(reg.dir, `${rel}.new`), join(reg.dir, rel));
    const warned = (r: { stderr: string }, how: string) =>
      expect(r.stderr).toContain(`${rel} has changes that are not committed: ${how} as last committed`);
    const show = reg.run(["show", id], { now });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain("关于做好冬季安全生产工作的通知");
    expect(show.stdout).not.toContain("被手改的标题");
    warned(show, "shown");
    // `where` and `print` read the record as `show` does (loadRecord); `log` on its own.
    warned(reg.run(["log", id], { now }), "shown");
    for (const args of [["list"], ["overdue"]]) {
      const r = reg.run(args, { now });
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stdout).not.toContain("被手改的标题");
      warned(r, "listed");
    }
    const registerRun = reg.run(["report", "register", "--kind", "incoming", "--json"], { now });
    warned(registerRun, "listed");
    const register = json<{ id: string; title: string }[]>(registerRun);
    expect(register.find((x) => x.id === id)?.title).toBe("关于做好冬季安全生产工作的通知");
    expect(reg.read(rel)).toContain("被手改的标题");
  });
});

describe("a workflow file broken by hand (D8)", () => {
  it("every command that reads the workflows names the file and its line", () => {
    const reg = copyOfBase();
    const made = reg.run([
      "call",
      "--caller",
      "张建华",
      "--phone",
      "13812345678",
      "--matter",
      "路灯损坏",
      "--json",
    ]);
    expect(made.code, made.stderr).toBe(0);
    const callId = json<{ id: string }>(made).id;
    commitByHand(reg, { "workflows/call.yaml": `${reg.read("workflows/call.yaml")}steps: [\n` });
    const where = /workflows\/call\.yaml:\d+: invalid YAML/;
    for (const args of [["list"], []]) {
      const r = reg.run(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(where);
    }
    for (const args of [
      ["show", callId],
      ["note", callId, "--text", "x"],
    ]) {
      const before = repoState(reg.dir);
      const r = reg.run(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toContain("cannot be read");
      expect(r.stderr).toMatch(where);
      expect(r.stderr).not.toContain("no kind has the prefix");
      expect(repoState(reg.dir)).toEqual(before);
    }
    const check = reg.run(["check"]);
    expect(check.code).toBe(1);
    expect(check.stdout + check.stderr).toMatch(where);
    expect(check.stdout + check.stderr).toContain("the records of kind 'call' are not checked");
    expect(check.stdout + check.stderr).not.toContain("no workflow for kind 'call'");
  });
});

describe("the duplicate check and a broken record (D3)", () => {
  it("a registration names the record file its checks could not read", () => {
    const reg = copyOfBase();
    const rel = breakRecord(reg, ids[1] as string);
    const r = reg.run([
      "receive",
      "--title",
      "新",
      "--from",
      "区政府办公室",
      "--doc-number",
      "区政办发〔2026〕31号",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`warning: ${rel} could not be read \\(.*\\): the checks of this registration`),
    );
  });
});

describe("check after a killed write, or a record file deleted by hand (D2)", () => {
  it("says why the file cannot be read and what to do", () => {
    const reg = copyOfBase();
    const killed = reg.runBin(["receive", "--title", "被中断的登记", "--from", "区政府办公室"], {
      env: { OFFICE_DOC_FAILPOINT: "objects-durable" },
    });
    expect(killed.code).toBe(-1);
    rmSync(join(reg.dir, recordPath(ids[0] as string)));
    const check = reg.run(["check"]);
    const out = check.stdout + check.stderr;
    expect(check.code).toBe(1);
    expect(out).toMatch(
      /IN-2026-0005\.yaml is in git's index but not in the work tree: a write that was killed \(receive\) left it there; run any office-doc write/,
    );
    expect(out).not.toMatch(/cannot be read: *$/m);
    expect(out).toContain(
      `${recordPath(ids[0] as string)} is in git but missing from the work tree (deleted by hand?)`,
    );
  });
});
