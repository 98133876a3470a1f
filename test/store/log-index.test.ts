import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { indexedLog, recordLog } from "../../src/store/log-index.js";
import {
  cleanupTempDirs,
  git,
  json,
  OFFICE,
  type Registry,
  receive,
  recordPath,
  templateRegistry,
  testEnv,
} from "../helpers.js";

/**
 * `log ID` answers from the lists of each record's commits (.office-doc/log) exactly what `git log --
 * <file>` answers, on a registry whose commit dates go backwards (OFFICE_DOC_NOW, --at, a clerk's
 * `git commit --date`); and when the lists are missing, stale, cut or wrong, still git's answer.
 */

let reg: Registry;
const ids: string[] = [];
const LOG = ".office-doc/log";

/** git's own answer: every commit that touched the file, oldest first. */
const gitAnswer = (rel: string) =>
  git(reg.dir, ["log", "--reverse", "--format=%H", "--", rel]).split("\n").filter(Boolean);
const files = () => git(reg.dir, ["ls-files", "records"]).split("\n").filter(Boolean);

async function expectGitsAnswerFromTheLists(): Promise<void> {
  for (const rel of files()) {
    const listed = await indexedLog(reg.dir, rel);
    expect(
      listed?.map((e) => e.commit),
      rel,
    ).toEqual(gitAnswer(rel));
  }
}

/** A clerk's own `git commit`, outside office-doc. */
const commitByHand = (args: string[]) =>
  git(reg.dir, [
    "-c",
    "user.name=常丽群",
    "-c",
    "user.email=chang-liqun@x-street.example",
    "commit",
    ...args,
  ]);

const ok = (args: string[], now: string, user?: string) => {
  const r = reg.run(args, { now, ...(user ? { user } : {}) });
  if (r.code !== 0) throw new Error(`${args.join(" ")}: ${r.stderr}`);
  return r;
};

beforeAll(() => {
  reg = templateRegistry().template;
  const env = testEnv(reg.sandbox);
  vi.stubEnv("HOME", env.HOME as string);
  vi.stubEnv("GIT_CONFIG_GLOBAL", env.GIT_CONFIG_GLOBAL as string);
  vi.stubEnv("GIT_CONFIG_NOSYSTEM", "1");
  // Commit dates that go back and forth: a record received on the 13th, another registered later
  // with a clock set to the 1st, then the first signed on the 14th; one received --at an earlier time.
  ids.push(receive(reg, "关于做好春节期间值班工作的通知", { now: "2026-02-13T09:00:00+08:00" }));
  ids.push(receive(reg, "关于开展安全生产大检查的通知", { now: "2026-02-01T09:00:00+08:00" }));
  ok(["propose", ids[0] as string, "--opinion", "拟请李书记阅示。"], "2026-02-14T10:00:00+08:00", OFFICE);
  ids.push(
    receive(reg, "关于寒潮天气防范的紧急通知", {
      now: "2026-02-15T09:00:00+08:00",
      extra: ["--at", "2026-02-14T08:00:00+08:00"],
    }),
  );
  ok(["propose", ids[1] as string, "--opinion", "拟请周主任阅示。"], "2026-01-20T10:00:00+08:00", OFFICE);
  // A clerk corrects a title by hand, with a commit dated years back.
  const rel = recordPath(ids[0] as string);
  const file = join(reg.dir, rel);
  writeFileSync(
    file,
    readFileSync(file, "utf8").replace(/^title: .*$/m, "title: 关于做好春节期间值班工作的通知（更正）"),
  );
  commitByHand(["-q", "--date=2019-05-01T08:00:00+08:00", "-m", "fix a title", "--", rel]);
}, 60_000);

afterAll(() => {
  vi.unstubAllEnvs();
  cleanupTempDirs();
});

describe("log's lists of each record's commits", () => {
  it("give git's own answer for every record, whatever the commit dates", async () => {
    rmSync(join(reg.dir, LOG), { recursive: true, force: true });
    const progress: [number, number][] = [];
    await recordLog(reg.dir, recordPath(ids[0] as string), (done, total) => progress.push([done, total]));
    expect(progress.at(-1)?.[0]).toBe(progress.at(-1)?.[1]);
    await expectGitsAnswerFromTheLists();
    // The registry is one where walking back from HEAD to the record's creation date loses commits:
    // the first record's receive lies behind a commit dated before it.
    const first = gitAnswer(recordPath(ids[0] as string));
    expect(first).toHaveLength(3);
    const since = git(reg.dir, [
      "log",
      "--since=2026-02-12",
      "--format=%H",
      "--",
      recordPath(ids[0] as string),
    ]);
    expect(since.split("\n").filter(Boolean).length).toBeLessThan(first.length);
  });

  it("are kept up to date by each write, without asking git", async () => {
    const head = () => git(reg.dir, ["rev-parse", "HEAD"]).trim();
    ok(["propose", ids[2] as string, "--opinion", "拟请李书记阅示。"], "2026-02-16T10:00:00+08:00", OFFICE);
    expect(readFileSync(join(reg.dir, LOG, "HEAD"), "utf8")).toContain(head());
    ids.push(receive(reg, "关于做好元宵节安全工作的通知", { now: "2026-02-03T09:00:00+08:00" }));
    expect(readFileSync(join(reg.dir, LOG, "HEAD"), "utf8")).toContain(head());
    await expectGitsAnswerFromTheLists();
    const json4 = json<{ action: string }[]>(
      ok(["log", ids[3] as string, "--json"], "2026-02-20T09:00:00+08:00"),
    );
    expect(json4.map((e) => e.action)).toEqual(["receive"]);
  });

  it("follow commits made by hand, and drop those a reset took away", async () => {
    const rel = recordPath(ids[1] as string);
    const file = join(reg.dir, rel);
    const before = git(reg.dir, ["rev-parse", "HEAD"]).trim();
    for (const n of [1, 2]) {
      writeFileSync(file, readFileSync(file, "utf8").replace(/^title: (.*)$/m, `title: $1${n}`));
      commitByHand(["-q", `--date=2018-0${n}-01T08:00:00+08:00`, "-m", `edit ${n}`, "--", rel]);
    }
    await expectGitsAnswerFromTheLists();
    expect(gitAnswer(rel)).toHaveLength(4);
    git(reg.dir, ["reset", "-q", "--hard", before]);
    await expectGitsAnswerFromTheLists();
    expect(gitAnswer(rel)).toHaveLength(2);
  });

  it("are rebuilt when missing, and not trusted when cut, edited or wrong", async () => {
    const rel = recordPath(ids[0] as string);
    const shard = join(reg.dir, LOG, `${rel.slice(0, rel.lastIndexOf("/"))}.log`);
    const answer = gitAnswer(rel);
    const lines = readFileSync(shard, "utf8");
    const name = rel.slice(rel.lastIndexOf("/") + 1);
    const damage: [string, string][] = [
      [
        "its last commit lost",
        lines
          .split("\n")
          .filter((l) => l !== `${answer.at(-1)} ${name}`)
          .join("\n"),
      ],
      ["a line of garbage", `${lines}zzz ${name}\n`],
      ["a commit that is not one", `${lines}${"0".repeat(40)} ${name}\n`],
      ["the whole file gone", ""],
    ];
    for (const [what, text] of damage) {
      if (text) writeFileSync(shard, text);
      else rmSync(shard);
      expect(await indexedLog(reg.dir, rel), what).toBeUndefined();
      expect(
        (await recordLog(reg.dir, rel)).map((e) => e.commit),
        what,
      ).toEqual(answer);
    }
    rmSync(join(reg.dir, LOG), { recursive: true, force: true });
    await expectGitsAnswerFromTheLists();
    writeFileSync(join(reg.dir, LOG, "HEAD"), "not a head\n");
    await expectGitsAnswerFromTheLists();
    // A long history is read in two halves side by side: the same lists.
    const whole = readFileSync(shard, "utf8");
    vi.stubEnv("OFFICE_DOC_LOG_SPLIT_MIN", "2");
    rmSync(join(reg.dir, LOG), { recursive: true, force: true });
    await expectGitsAnswerFromTheLists();
    expect(readFileSync(shard, "utf8")).toBe(whole);
    vi.stubEnv("OFFICE_DOC_LOG_SPLIT_MIN", "50000");
    // Two first `log`s at once: both answer git's answer, and no half-built folder is left.
    rmSync(join(reg.dir, LOG), { recursive: true, force: true });
    const both = await Promise.all([recordLog(reg.dir, rel), recordLog(reg.dir, rel)]);
    for (const entries of both) expect(entries.map((e) => e.commit)).toEqual(answer);
    expect(readdirSync(join(reg.dir, ".office-doc")).filter((n) => n.startsWith("log."))).toEqual([]);
    await expectGitsAnswerFromTheLists();
  });

  it("leave the files changed on either side of a merge to git", async () => {
    const main = git(reg.dir, ["rev-parse", "--abbrev-ref", "HEAD"]).trim();
    const [a, b] = [recordPath(ids[0] as string), recordPath(ids[1] as string)];
    const edit = (rel: string, n: string) => {
      const file = join(reg.dir, rel);
      writeFileSync(file, readFileSync(file, "utf8").replace(/^title: (.*)$/m, `title: $1${n}`));
      commitByHand(["-q", "-m", `edit ${n}`, "--", rel]);
    };
    git(reg.dir, ["checkout", "-q", "-b", "side"]);
    edit(a, "甲");
    git(reg.dir, ["checkout", "-q", main]);
    edit(b, "乙");
    git(reg.dir, ["-c", "user.name=常丽群", "-c", "user.email=c@x", "merge", "-q", "--no-edit", "side"]);
    for (const rel of files()) {
      const listed = await indexedLog(reg.dir, rel);
      if (rel === a || rel === b) expect(listed, rel).toBeUndefined();
      else
        expect(
          listed?.map((e) => e.commit),
          rel,
        ).toEqual(gitAnswer(rel));
      expect(
        (await recordLog(reg.dir, rel)).map((e) => e.commit),
        rel,
      ).toEqual(gitAnswer(rel));
    }
    expect(existsSync(join(reg.dir, LOG, "HEAD"))).toBe(true);
  });
});
