import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { commitPaths, headCommit, logPath, resetIndexPaths, workTreeClean } from "../../src/store/git.js";
import { cleanupTempDirs, git, gitLog, gitStatus, makeTempDir, testEnv } from "../helpers.js";

const CLERK = { name: "常丽群", email: "chang-liqun@x-street.example" };
const SECRETARY = { name: "李建国", email: "li-jianguo@x-street.example" };

let sandbox = "";

beforeAll(() => {
  // src/store/git.ts runs git with process.env: give it the same clean git configuration as the bin.
  sandbox = makeTempDir("office-doc-git-");
  const env = testEnv(sandbox);
  vi.stubEnv("HOME", env.HOME as string);
  vi.stubEnv("GIT_CONFIG_GLOBAL", env.GIT_CONFIG_GLOBAL as string);
  vi.stubEnv("GIT_CONFIG_NOSYSTEM", "1");
});

afterAll(() => {
  vi.unstubAllEnvs();
  cleanupTempDirs();
});

let repo = "";
const env = () => testEnv(sandbox);

function write(rel: string, text: string): void {
  mkdirSync(join(repo, rel, ".."), { recursive: true });
  writeFileSync(join(repo, rel), text);
}

function tracked(): string[] {
  return git(repo, ["ls-files"], env()).trim().split("\n").filter(Boolean).sort();
}

function headFiles(): string[] {
  return git(repo, ["ls-tree", "-r", "--name-only", "HEAD"], env()).trim().split("\n").filter(Boolean).sort();
}

const message = (subject: string, trailers: Record<string, string>) =>
  `${subject}\n\n${Object.entries(trailers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\n")}\n`;

beforeEach(() => {
  repo = join(makeTempDir("office-doc-repo-"), "repo");
  mkdirSync(repo);
  git(repo, ["init", "-q", "-b", "main"], env());
});

describe("commitPaths", () => {
  it("makes the first commit of an empty repository", async () => {
    expect(await headCommit(repo)).toBeUndefined();
    write("office.yaml", "name: 街道办事处\n");
    const c = await commitPaths(repo, ["office.yaml"], {
      message: message("init: 街道办事处", { "Office-Doc-Action": "init" }),
      author: CLERK,
      committer: CLERK,
    });
    expect(c).toMatch(/^[0-9a-f]{40}$/);
    expect(await headCommit(repo)).toBe(c);
    expect(git(repo, ["rev-parse", "main"], env()).trim()).toBe(c);
    expect(headFiles()).toEqual(["office.yaml"]);
    expect(gitStatus(repo)).toBe("");
  });

  it("records author and committer as given, and keeps the trailers", async () => {
    write("a.yaml", "a: 1\n");
    await commitPaths(repo, ["a.yaml"], { message: "first\n", author: CLERK, committer: CLERK });
    write("a.yaml", "a: 2\n");
    const c = await commitPaths(repo, ["a.yaml"], {
      message: message("sign IN-2026-0001: 关于春节期间安全生产的通知", {
        "Office-Doc-Action": "sign",
        "Office-Doc-Record": "IN-2026-0001",
        "Office-Doc-Actor": "li-jianguo",
        "Office-Doc-Recorded-By": "chang-liqun",
      }),
      author: SECRETARY,
      committer: CLERK,
      authorDate: "2026-02-13T09:00:00+08:00",
      committerDate: "2026-02-13T09:05:00+08:00",
    });
    const [last] = gitLog(repo);
    expect(last?.hash).toBe(c);
    expect(last?.authorName).toBe(SECRETARY.name);
    expect(last?.authorEmail).toBe(SECRETARY.email);
    expect(last?.committerName).toBe(CLERK.name);
    expect(last?.committerEmail).toBe(CLERK.email);
    expect(last?.subject).toBe("sign IN-2026-0001: 关于春节期间安全生产的通知");
    expect(last?.trailers).toEqual({
      "Office-Doc-Action": "sign",
      "Office-Doc-Record": "IN-2026-0001",
      "Office-Doc-Actor": "li-jianguo",
      "Office-Doc-Recorded-By": "chang-liqun",
    });
    // The given dates: when the actor acted (author) and when it was recorded (committer).
    expect(git(repo, ["log", "-1", "--format=%aI|%cI"], env()).trim()).toBe(
      "2026-02-13T09:00:00+08:00|2026-02-13T09:05:00+08:00",
    );
    expect(git(repo, ["rev-list", "--count", "HEAD"], env()).trim()).toBe("2");
  });

  it("commits only the listed paths: other changes and untracked files stay out", async () => {
    write("a.yaml", "a: 1\n");
    write("b.yaml", "b: 1\n");
    await commitPaths(repo, ["a.yaml", "b.yaml"], { message: "first\n", author: CLERK, committer: CLERK });
    write("a.yaml", "a: 2\n");
    write("b.yaml", "b: 2\n");
    write("records/incoming/2026/IN-2026-0001.yaml", "id: IN-2026-0001\n");
    write("notes.txt", "private\n");
    await commitPaths(repo, ["a.yaml", "records/incoming/2026/IN-2026-0001.yaml"], {
      message: "second\n",
      author: CLERK,
      committer: CLERK,
    });
    expect(headFiles()).toEqual(["a.yaml", "b.yaml", "records/incoming/2026/IN-2026-0001.yaml"]);
    expect(git(repo, ["show", "HEAD:a.yaml"], env())).toBe("a: 2\n");
    expect(git(repo, ["show", "HEAD:b.yaml"], env())).toBe("b: 1\n");
    expect(tracked()).not.toContain("notes.txt");
    expect(gitStatus(repo).split("\n").filter(Boolean).sort()).toEqual([" M b.yaml", "?? notes.txt"]);
    // The second commit touched exactly the listed files.
    const changed = git(repo, ["show", "--name-only", "--format=", "HEAD"], env()).trim().split("\n").sort();
    expect(changed).toEqual(["a.yaml", "records/incoming/2026/IN-2026-0001.yaml"]);
  });

  it("a deleted file that is listed is removed by the commit", async () => {
    write("a.yaml", "a: 1\n");
    write("b.yaml", "b: 1\n");
    await commitPaths(repo, ["a.yaml", "b.yaml"], { message: "first\n", author: CLERK, committer: CLERK });
    rmSync(join(repo, "a.yaml"));
    await commitPaths(repo, ["a.yaml"], { message: "delete a\n", author: CLERK, committer: CLERK });
    expect(headFiles()).toEqual(["b.yaml"]);
    expect(tracked()).toEqual(["b.yaml"]);
    expect(gitStatus(repo)).toBe("");
    expect(await workTreeClean(repo)).toBe(true);
  });

  it("fails (exit-1 error) when git refuses, and moves HEAD not at all", async () => {
    write("a.yaml", "a: 1\n");
    const first = await commitPaths(repo, ["a.yaml"], {
      message: "first\n",
      author: CLERK,
      committer: CLERK,
    });
    write("a.yaml", "a: 2\n");
    const err = await commitPaths(repo, ["a.yaml"], {
      message: "bad\n",
      author: { name: "", email: "" },
      committer: { name: "", email: "" },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "git.failed", kind: "failed" });
    expect(await headCommit(repo)).toBe(first);
  });
});

describe("commitPaths writes what git itself would", () => {
  const spec = (subject: string) => ({
    message: message(subject, { "Office-Doc-Action": "sign", "Office-Doc-Record": "IN-2026-0001" }),
    author: SECRETARY,
    committer: CLERK,
    authorDate: "2026-02-13T09:00:00+08:00",
    committerDate: "2026-02-13T09:05:30+08:00",
  });

  it("the same commit id as git commit-tree, a tree equal to the index's, and fsck passes", async () => {
    write("office.yaml", "name: 街道办事处\n");
    write("workflows/incoming.yaml", "kind: incoming\n");
    await commitPaths(repo, ["office.yaml", "workflows/incoming.yaml"], spec("init"));
    // New folders at several depths, a changed file and names that sort around "/" (a-b, a.b, a/).
    const paths = [
      "records/incoming/2026/00/IN-2026-0001.yaml",
      "records/incoming/2026/00/IN-2026-0002.yaml",
      "records/incoming/2026/12/IN-2026-1234.yaml",
      "a-b",
      "a.b",
      "a/c.yaml",
      "office.yaml",
    ];
    for (const p of paths) write(p, `path: ${p}\n标题: 关于做好春节期间值班工作的通知\n`);
    const c = await commitPaths(repo, paths, spec("sign IN-2026-0001: 关于做好春节期间值班工作的通知"));
    const e = env();
    e.GIT_AUTHOR_NAME = SECRETARY.name;
    e.GIT_AUTHOR_EMAIL = SECRETARY.email;
    e.GIT_AUTHOR_DATE = "2026-02-13T09:00:00+08:00";
    e.GIT_COMMITTER_NAME = CLERK.name;
    e.GIT_COMMITTER_EMAIL = CLERK.email;
    e.GIT_COMMITTER_DATE = "2026-02-13T09:05:30+08:00";
    const msgFile = join(repo, "..", "msg");
    writeFileSync(msgFile, spec("sign IN-2026-0001: 关于做好春节期间值班工作的通知").message);
    const byGit = git(repo, ["commit-tree", `${c}^{tree}`, "-p", `${c}^`, "-F", msgFile], e).trim();
    expect(c).toBe(byGit);
    expect(git(repo, ["write-tree"], env()).trim()).toBe(
      git(repo, ["rev-parse", `${c}^{tree}`], env()).trim(),
    );
    expect(git(repo, ["fsck", "--strict", "--no-dangling"], env())).toBe("");
    expect(gitStatus(repo)).toBe("");
    expect(headFiles()).toEqual([...paths, "workflows/incoming.yaml"].sort());
  });

  it("deleting the last file of a folder removes the folder from the tree", async () => {
    write("records/incoming/2026/00/IN-2026-0001.yaml", "id: 1\n");
    write("records/incoming/2026/01/IN-2026-0100.yaml", "id: 100\n");
    await commitPaths(
      repo,
      ["records/incoming/2026/00/IN-2026-0001.yaml", "records/incoming/2026/01/IN-2026-0100.yaml"],
      spec("two"),
    );
    rmSync(join(repo, "records/incoming/2026/00/IN-2026-0001.yaml"));
    await commitPaths(repo, ["records/incoming/2026/00/IN-2026-0001.yaml"], spec("remove"));
    expect(git(repo, ["ls-tree", "--name-only", "HEAD:records/incoming/2026"], env()).trim()).toBe("01");
    expect(git(repo, ["fsck", "--strict", "--no-dangling"], env())).toBe("");
    expect(gitStatus(repo)).toBe("");
  });

  it("in a linked worktree (.git is a file) git's plumbing does the commit", async () => {
    write("a.yaml", "a: 1\n");
    await commitPaths(repo, ["a.yaml"], spec("first"));
    const wt = join(repo, "..", "wt");
    git(repo, ["worktree", "add", "-q", "-b", "side", wt], env());
    writeFileSync(join(wt, "a.yaml"), "a: 2\n");
    const c = await commitPaths(wt, ["a.yaml"], spec("in the worktree"));
    expect(git(wt, ["show", `${c}:a.yaml`], env())).toBe("a: 2\n");
    expect(git(repo, ["rev-parse", "side"], env()).trim()).toBe(c);
    expect(gitStatus(wt)).toBe("");
  });
});

describe("resetIndexPaths", () => {
  it("puts the index entries of paths back to HEAD's after they were staged by hand", async () => {
    write("a.yaml", "a: 1\n");
    await commitPaths(repo, ["a.yaml"], { message: "first\n", author: CLERK, committer: CLERK });
    const before = readFileSync(join(repo, "a.yaml"), "utf8");
    write("a.yaml", "a: 2\n");
    write("records/incoming/2026/IN-2026-0001.yaml", "id: IN-2026-0001\n");
    const paths = ["a.yaml", "records/incoming/2026/IN-2026-0001.yaml"];
    git(repo, ["add", "--", ...paths], env());
    expect(git(repo, ["diff", "--cached", "--name-only"], env()).trim()).not.toBe("");
    writeFileSync(join(repo, "a.yaml"), before);
    rmSync(join(repo, "records"), { recursive: true });
    await resetIndexPaths(repo, paths);
    expect(gitStatus(repo)).toBe("");
    expect(git(repo, ["diff", "--cached", "--name-only"], env())).toBe("");
  });

  it("a commit that fails leaves git's index as it was", async () => {
    write("a.yaml", "a: 1\n");
    await commitPaths(repo, ["a.yaml"], { message: "first\n", author: CLERK, committer: CLERK });
    const index = readFileSync(join(repo, ".git", "index"));
    write("a.yaml", "a: 2\n");
    await expect(
      commitPaths(repo, ["a.yaml"], { message: "bad\n", author: { name: "", email: "" }, committer: CLERK }),
    ).rejects.toMatchObject({ code: "git.failed" });
    expect(readFileSync(join(repo, ".git", "index"))).toEqual(index);
  });

  it("works in a repository without commits", async () => {
    write("office.yaml", "name: x\n");
    await expect(
      commitPaths(repo, ["office.yaml"], {
        message: "init\n",
        author: { name: "", email: "" },
        committer: CLERK,
      }),
    ).rejects.toMatchObject({ code: "git.failed" });
    rmSync(join(repo, "office.yaml"));
    await resetIndexPaths(repo, ["office.yaml"]);
    expect(gitStatus(repo)).toBe("");
    expect(git(repo, ["ls-files"], env())).toBe("");
  });

  it("does nothing for no paths", async () => {
    await resetIndexPaths(repo, []);
    expect(gitStatus(repo)).toBe("");
  });
});

describe("logPath", () => {
  it("lists the commits of one path oldest first, with parsed trailers", async () => {
    const rec = "records/incoming/2026/IN-2026-0001.yaml";
    const other = "records/incoming/2026/IN-2026-0002.yaml";
    const steps: [string, string, string][] = [
      ["receive", "chang-liqun", "chang-liqun"],
      ["sign", "wang-shoujie", "wang-shoujie"],
      ["sign", "li-jianguo", "chang-liqun"],
    ];
    let n = 0;
    for (const [action, actor, recorder] of steps) {
      n++;
      write(rec, `id: IN-2026-0001\nversion: ${n}\n`);
      await commitPaths(repo, [rec], {
        message: message(`${action} IN-2026-0001: 通知`, {
          "Office-Doc-Action": action,
          "Office-Doc-Record": "IN-2026-0001",
          "Office-Doc-Actor": actor,
          "Office-Doc-Recorded-By": recorder,
        }),
        author: actor === "li-jianguo" ? SECRETARY : CLERK,
        committer: CLERK,
      });
      // A commit on another record in between: not part of this record's log.
      write(other, `id: IN-2026-0002\nversion: ${n}\n`);
      await commitPaths(repo, [other], {
        message: message("receive IN-2026-0002: 其他", { "Office-Doc-Action": "receive" }),
        author: CLERK,
        committer: CLERK,
      });
    }
    const log = await logPath(repo, rec);
    expect(log.map((e) => e.trailers["Office-Doc-Action"])).toEqual(["receive", "sign", "sign"]);
    expect(log.map((e) => e.trailers["Office-Doc-Actor"])).toEqual([
      "chang-liqun",
      "wang-shoujie",
      "li-jianguo",
    ]);
    expect(log.map((e) => e.subject)).toEqual([
      "receive IN-2026-0001: 通知",
      "sign IN-2026-0001: 通知",
      "sign IN-2026-0001: 通知",
    ]);
    expect(log[2]).toMatchObject({
      authorName: SECRETARY.name,
      authorEmail: SECRETARY.email,
      committerName: CLERK.name,
      committerEmail: CLERK.email,
      trailers: {
        "Office-Doc-Action": "sign",
        "Office-Doc-Record": "IN-2026-0001",
        "Office-Doc-Actor": "li-jianguo",
        "Office-Doc-Recorded-By": "chang-liqun",
      },
    });
    for (const e of log) {
      expect(e.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(Number.isNaN(Date.parse(e.authorDate))).toBe(false);
    }
    // Oldest first: the same order as `git log --reverse`.
    const revs = git(repo, ["log", "--reverse", "--format=%H", "--", rec], env()).trim().split("\n");
    expect(log.map((e) => e.commit)).toEqual(revs);
  });

  it("is empty for a path no commit touched", async () => {
    write("a.yaml", "a: 1\n");
    await commitPaths(repo, ["a.yaml"], { message: "first\n", author: CLERK, committer: CLERK });
    expect(await logPath(repo, "records/none.yaml")).toEqual([]);
  });

  it("keeps a commit without trailers, with empty trailers", async () => {
    write("a.yaml", "a: 1\n");
    await commitPaths(repo, ["a.yaml"], { message: "edited by hand\n", author: CLERK, committer: CLERK });
    const log = await logPath(repo, "a.yaml");
    expect(log).toHaveLength(1);
    expect(log[0]?.subject).toBe("edited by hand");
    expect(log[0]?.trailers).toEqual({});
  });
});
