import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { OfficeError } from "../../src/core/problems.js";
import { RecordIndex } from "../../src/store/index-cache.js";
import { Registry } from "../../src/store/registry.js";
import { transact } from "../../src/store/transact.js";
import {
  addUncommittedPerson,
  cleanupTempDirs,
  commitCount,
  git,
  gitStatus,
  type Registry as Handle,
  leftovers,
  makeTempDir,
  recordPath,
  registrySnapshot,
  templateRegistry,
  testEnv,
} from "../helpers.js";

/**
 * The write path in-process (store API on real registries and real git): what a write refuses,
 * and that every failure inside a commit ends in one error with the registry as it was.
 */

let tpl: ReturnType<typeof templateRegistry>;
let sandboxEnv: ReturnType<typeof testEnv>;

beforeAll(() => {
  tpl = templateRegistry();
  sandboxEnv = testEnv(makeTempDir("office-doc-wp-"));
  vi.stubEnv("HOME", sandboxEnv.HOME as string);
  vi.stubEnv("GIT_CONFIG_GLOBAL", sandboxEnv.GIT_CONFIG_GLOBAL as string);
  vi.stubEnv("GIT_CONFIG_NOSYSTEM", "1");
}, 60_000);

afterAll(() => {
  vi.unstubAllEnvs();
  cleanupTempDirs();
});

const who = { name: "常丽群", email: "chang-liqun@x-street.example" };

/** A write of one file through transact, the way every command writes. */
async function write(dir: string, rel: string, text: string): Promise<string> {
  return transact(new Registry(dir), "test", async (tx) => {
    tx.put(rel, text);
    return tx.commit({ action: "note", subject: `note ${rel}`, author: who, committer: who });
  });
}

async function failure(p: Promise<unknown>): Promise<OfficeError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(OfficeError);
  return e as OfficeError;
}

/** Nothing of a failed write anywhere: no temp file, no journal, no lock. */
function noLeftovers(dir: string): void {
  expect(leftovers(dir)).toEqual([]);
}

let reg: Handle;
let id = "";
let rel = "";

/** A registry of the template with one committed record file, written in-process (fast). */
async function fresh(): Promise<void> {
  reg = tpl.copy();
  id = "IN-2026-0001";
  rel = recordPath(id);
  await write(reg.dir, rel, `id: ${id}\ntitle: 关于春节期间安全生产的通知\n`);
}

describe("a write that succeeds", () => {
  it("commits exactly its files; the work tree, git's index and the index agree; nothing is left", async () => {
    await fresh();
    const before = commitCount(reg.dir);
    const text = `${reg.read(rel)}# a note\n`;
    const c = await write(reg.dir, rel, text);
    expect(commitCount(reg.dir)).toBe(before + 1);
    expect(git(reg.dir, ["rev-parse", "HEAD"]).trim()).toBe(c);
    expect(git(reg.dir, ["show", "--name-only", "--format=", "HEAD"]).trim()).toBe(rel);
    expect(reg.read(rel)).toBe(text);
    expect(gitStatus(reg.dir)).toBe("");
    expect(git(reg.dir, ["ls-files", "-s", rel]).split(/\s/)[1]).toBe(
      git(reg.dir, ["rev-parse", `HEAD:${rel}`]).trim(),
    );
    expect(git(reg.dir, ["fsck", "--strict", "--no-dangling"])).toBe("");
    noLeftovers(reg.dir);
  });

  it("a new file in a new folder", async () => {
    await fresh();
    const newRel = "records/incoming/2026/07/IN-2026-0700.yaml";
    await write(reg.dir, newRel, "id: IN-2026-0700\n");
    expect(reg.read(newRel)).toBe("id: IN-2026-0700\n");
    expect(gitStatus(reg.dir)).toBe("");
    noLeftovers(reg.dir);
  });
});

describe("a write refuses to sweep in an uncommitted hand edit", () => {
  it.each<[string, (h: Handle) => string, string]>([
    [
      "the file it writes, edited by hand",
      (h) => {
        writeFileSync(join(h.dir, rel), h.read(rel).replace(/^title: .*$/m, "title: 改过的标题"));
        return rel;
      },
      "store.uncommitted-edit",
    ],
    [
      "the file it writes, edited and staged (git add)",
      (h) => {
        writeFileSync(join(h.dir, rel), `${h.read(rel)}classification: none\n`);
        git(h.dir, ["add", rel]);
        return rel;
      },
      "store.uncommitted-edit",
    ],
    [
      "the file it writes, deleted by hand",
      (h) => {
        rmSync(join(h.dir, rel));
        return rel;
      },
      "store.uncommitted-edit",
    ],
    [
      "office.yaml with a person added by hand",
      (h) => {
        addUncommittedPerson(h, "party-secretary");
        return "office.yaml";
      },
      "store.uncommitted-edit",
    ],
    [
      "a workflow with a time limit changed by hand",
      (h) => {
        writeFileSync(
          join(h.dir, "workflows/incoming.yaml"),
          `${h.read("workflows/incoming.yaml")}\n# edited\n`,
        );
        return "workflows/incoming.yaml";
      },
      "store.uncommitted-edit",
    ],
    [
      "a calendar year added by hand and not committed",
      (h) => {
        writeFileSync(join(h.dir, "calendar/2031.yaml"), "year: 2031\nrest: {}\nwork: {}\n");
        return "calendar/2031.yaml";
      },
      "store.untracked-file",
    ],
    [
      "a calendar year deleted by hand",
      (h) => {
        rmSync(join(h.dir, "calendar/2026.yaml"));
        return "calendar/2026.yaml";
      },
      "store.uncommitted-edit",
    ],
  ])("%s: refused (exit 1) naming the file; nothing changes", async (_name, edit, code) => {
    await fresh();
    const file = edit(reg);
    const before = registrySnapshot(reg.dir);
    const e = await failure(write(reg.dir, rel, "id: replaced\n"));
    expect(e.code).toBe(code);
    expect(e.kind).toBe("refused");
    expect(e.params.file).toBe(file);
    expect(registrySnapshot(reg.dir)).toEqual(before);
    noLeftovers(reg.dir);
  });

  it("a relied-on file whose blob id was cached is still seen when changed to the same size with its time put back", async () => {
    await fresh();
    const wf = join(reg.dir, "workflows/incoming.yaml");
    // Cached only once older than 2 s (a change within the clock's tick would keep the signature).
    const old = new Date(Date.now() - 60_000);
    utimesSync(wf, old, old);
    await new Promise((r) => setTimeout(r, 2100));
    await write(reg.dir, rel, `${reg.read(rel)}# one\n`);
    expect(
      JSON.parse(readFileSync(join(reg.dir, ".office-doc", "hashes.json"), "utf8")).entries,
    ).toHaveProperty("workflows/incoming.yaml");
    const text = readFileSync(wf, "utf8");
    const edited = text.replace(/working_days: 2\b/, "working_days: 9");
    expect(edited).not.toBe(text);
    expect(Buffer.byteLength(edited)).toBe(Buffer.byteLength(text));
    writeFileSync(wf, edited);
    utimesSync(wf, old, old);
    const e = await failure(write(reg.dir, rel, `${reg.read(rel)}# two\n`));
    expect(e.code).toBe("store.uncommitted-edit");
    expect(e.params.file).toBe("workflows/incoming.yaml");
  });

  it("an edit of a file the write neither writes nor relies on is left alone and not committed", async () => {
    await fresh();
    const other = recordPath("IN-2026-0002");
    await write(reg.dir, other, "id: IN-2026-0002\ntitle: 另一件收文\n");
    const edited = reg.read(other).replace(/^title: .*$/m, "title: 手工改的");
    expect(edited).not.toBe(reg.read(other));
    writeFileSync(join(reg.dir, other), edited);
    await write(reg.dir, rel, `${reg.read(rel)}# a note\n`);
    expect(git(reg.dir, ["show", "--name-only", "--format=", "HEAD"]).trim()).toBe(rel);
    expect(reg.read(other)).toBe(edited);
    expect(gitStatus(reg.dir).trim()).toBe(`M ${other}`);
  });
});

describe("where the commit goes", () => {
  it("refuses a detached HEAD (exit 1), for writes only", async () => {
    await fresh();
    git(reg.dir, ["checkout", "-q", "--detach"]);
    const before = registrySnapshot(reg.dir);
    const e = await failure(write(reg.dir, rel, "x\n"));
    expect(e.code).toBe("store.detached-head");
    expect(e.kind).toBe("refused");
    expect(registrySnapshot(reg.dir)).toEqual(before);
    await expect(RecordIndex.load(new Registry(reg.dir))).resolves.toBeDefined();
  });

  it("refuses a registry folder inside another repository, and one in no repository at all", async () => {
    await fresh();
    const outer = join(makeTempDir("office-doc-outer-"), "outer");
    mkdirSync(outer);
    git(outer, ["init", "-q", "-b", "main"]);
    const inner = join(outer, "registry");
    cpSync(reg.dir, inner, { recursive: true });
    rmSync(join(inner, ".git"), { recursive: true, force: true });
    const nested = await failure(write(inner, "office.yaml", "name: x\n"));
    expect(nested.code).toBe("store.nested-repository");
    expect(nested.params.outer).toBe(outer);
    expect((await failure(RecordIndex.load(new Registry(inner)))).code).toBe("store.nested-repository");
    expect(git(outer, ["rev-list", "--all"])).toBe("");
    const alone = join(makeTempDir("office-doc-alone-"), "registry");
    mkdirSync(alone);
    writeFileSync(join(alone, "office.yaml"), reg.read("office.yaml"));
    expect((await failure(write(alone, "office.yaml", "name: x\n"))).code).toBe("store.not-a-repository");
    expect((await failure(RecordIndex.load(new Registry(alone)))).code).toBe("store.not-a-repository");
  });
});

/** A `git` first on PATH that stops some git commands the way a crash or a kill would. */
function gitShim(script: string): string {
  const bin = makeTempDir("office-doc-shim-");
  const realGit =
    (process.env.PATH ?? "")
      .split(":")
      .filter((d) => d && !d.includes("office-doc-shim-"))
      .map((d) => join(d, "git"))
      .find((f) => existsSync(f) && statSync(f).isFile()) ?? "git";
  writeFileSync(join(bin, "git"), `#!/bin/sh\nREAL=${realGit}\n${script}\nexec "$REAL" "$@"\n`);
  chmodSync(join(bin, "git"), 0o755);
  return bin;
}

describe("every failure inside a commit ends in one error, with the registry as it was", () => {
  afterEach(() => {
    vi.stubEnv(
      "PATH",
      process.env.PATH?.split(":")
        .filter((p) => !p.includes("office-doc-shim-"))
        .join(":") ?? "",
    );
  });

  const cases: [string, (h: Handle) => void, string, string | undefined][] = [
    [
      "a stale .git/index.lock",
      (h) => writeFileSync(join(h.dir, ".git", "index.lock"), ""),
      "git.lock-exists",
      ".git/index.lock",
    ],
    [
      "a stale branch lock (.git/refs/heads/main.lock)",
      (h) => writeFileSync(join(h.dir, ".git", "refs", "heads", "main.lock"), ""),
      "git.lock-exists",
      ".git/refs/heads/main.lock",
    ],
    [
      "update-index killed while it held git's index lock",
      () =>
        vi.stubEnv(
          "PATH",
          `${gitShim('[ "$1" = update-index ] && [ ! -e .git/shim-done ] && { : > .git/shim-done; : > .git/index.lock; kill -9 $$; }')}:${process.env.PATH}`,
        ),
      "git.killed",
      undefined,
    ],
    [
      "update-ref killed before it moved HEAD",
      () => vi.stubEnv("PATH", `${gitShim('[ "$1" = update-ref ] && kill -9 $$')}:${process.env.PATH}`),
      "git.killed",
      undefined,
    ],
    [
      "cat-file killed",
      () => vi.stubEnv("PATH", `${gitShim('[ "$1" = cat-file ] && kill -9 $$')}:${process.env.PATH}`),
      "git.killed",
      undefined,
    ],
  ];

  it.each(cases)("%s", async (_name, arrange, code, file) => {
    await fresh();
    const text = `${reg.read(rel)}# a note\n`;
    arrange(reg);
    const before = registrySnapshot(reg.dir);
    const e = await failure(write(reg.dir, rel, text));
    expect(e.code).toBe(code);
    expect(e.kind).toBe("failed");
    if (file) expect(e.params.file).toBe(file);
    expect(registrySnapshot(reg.dir)).toEqual(before);
    rmSync(join(reg.dir, ".git", "shim-done"), { force: true });
    noLeftovers(reg.dir);
    // The killed update-index's lock was its own: removed, so the next write goes through.
    if (code === "git.killed") {
      expect(existsSync(join(reg.dir, ".git", "index.lock"))).toBe(false);
      vi.stubEnv(
        "PATH",
        process.env.PATH?.split(":")
          .filter((p) => !p.includes("office-doc-shim-"))
          .join(":") ?? "",
      );
      await write(reg.dir, rel, text);
      expect(reg.read(rel)).toBe(text);
      expect(gitStatus(reg.dir)).toBe("");
    }
  });

  it("update-index failing after HEAD moved: HEAD is moved back, nothing changed", async () => {
    await fresh();
    // It reads its input, and fails only once the write has moved HEAD (its slow index write).
    vi.stubEnv(
      "PATH",
      `${gitShim('[ "$1" = update-index ] && [ ! -e .git/shim-done ] && { : > .git/shim-done; cat > /dev/null; sleep 0.5; echo "fatal: unable to write new index file" >&2; exit 128; }')}:${process.env.PATH}`,
    );
    const before = registrySnapshot(reg.dir);
    const e = await failure(write(reg.dir, rel, `${reg.read(rel)}# a note\n`));
    expect(e.code).toBe("git.failed");
    rmSync(join(reg.dir, ".git", "shim-done"), { force: true });
    expect(registrySnapshot(reg.dir)).toEqual(before);
    const moves = git(reg.dir, ["reflog", "-3", "--format=%gs"]).trim().split("\n");
    expect(moves[0]).toMatch(/^undo: /);
    noLeftovers(reg.dir);
  });

  it("update-ref killed after it moved HEAD: the commit is in, and the write completes", async () => {
    await fresh();
    vi.stubEnv(
      "PATH",
      `${gitShim('[ "$1" = update-ref ] && { "$REAL" "$@"; kill -9 $$; }')}:${process.env.PATH}`,
    );
    const text = `${reg.read(rel)}# a note\n`;
    const c = await write(reg.dir, rel, text);
    expect(git(reg.dir, ["rev-parse", "HEAD"]).trim()).toBe(c);
    expect(reg.read(rel)).toBe(text);
    expect(gitStatus(reg.dir)).toBe("");
    noLeftovers(reg.dir);
  });

  it("read-only object folders (a permission error writing an object)", async () => {
    if (process.getuid?.() === 0) return; // root writes anyway: the process-level test runs it as nobody
    await fresh();
    const objects = join(reg.dir, ".git", "objects");
    const dirs = readdirSync(objects).filter((d) => /^[0-9a-f]{2}$/.test(d));
    for (const d of [objects, ...dirs.map((d) => join(objects, d))]) chmodSync(d, 0o555);
    try {
      const before = registrySnapshot(reg.dir);
      const e = await failure(write(reg.dir, rel, `${reg.read(rel)}# a note\n`));
      expect(e.code).toBe("write.denied");
      expect(registrySnapshot(reg.dir)).toEqual(before);
    } finally {
      for (const d of [objects, ...dirs.map((d) => join(objects, d))]) chmodSync(d, 0o755);
    }
  });
});

describe("in a linked worktree (git's plumbing makes the objects)", () => {
  it("commits, refuses a hand edit, and fails cleanly on a stale index.lock", async () => {
    await fresh();
    const wt = join(makeTempDir("office-doc-wt-"), "registry");
    git(reg.dir, ["worktree", "add", "-q", "-b", "side", wt]);
    const text = `${readFileSync(join(wt, rel), "utf8")}# in the worktree\n`;
    const c = await write(wt, rel, text);
    expect(git(wt, ["rev-parse", "HEAD"]).trim()).toBe(c);
    expect(readFileSync(join(wt, rel), "utf8")).toBe(text);
    expect(git(wt, ["status", "--porcelain"])).toBe("");
    noLeftovers(wt);
    writeFileSync(join(wt, "office.yaml"), `${readFileSync(join(wt, "office.yaml"), "utf8")}# edited\n`);
    const refused = await failure(write(wt, rel, "id: x\n"));
    expect(refused.code).toBe("store.uncommitted-edit");
    expect(refused.params.file).toBe("office.yaml");
    git(wt, ["checkout", "--", "office.yaml"]);
    const gitDir = git(wt, ["rev-parse", "--absolute-git-dir"]).trim();
    writeFileSync(join(gitDir, "index.lock"), "");
    const before = registrySnapshot(wt);
    const locked = await failure(write(wt, rel, "id: y\n"));
    expect(locked.code).toBe("git.lock-exists");
    expect(registrySnapshot(wt)).toEqual(before);
    rmSync(join(gitDir, "index.lock"));
    noLeftovers(wt);
  });
});

describe("the registry lock around a write", () => {
  it("is released after a failure, and a later write goes through", async () => {
    await fresh();
    writeFileSync(join(reg.dir, ".git", "index.lock"), "");
    await failure(write(reg.dir, rel, "x\n"));
    expect(existsSync(join(reg.dir, ".office-doc", "lock"))).toBe(false);
    rmSync(join(reg.dir, ".git", "index.lock"));
    const text = `${reg.read(rel)}# after\n`;
    await write(reg.dir, rel, text);
    expect(reg.read(rel)).toBe(text);
  });

  it("a write that puts files and never commits leaves nothing", async () => {
    await fresh();
    const before = registrySnapshot(reg.dir);
    await transact(new Registry(reg.dir), "test", async (tx) => {
      tx.put(rel, "id: nothing\n");
      tx.put("records/incoming/2026/09/IN-2026-0900.yaml", "id: IN-2026-0900\n");
    });
    expect(registrySnapshot(reg.dir)).toEqual(before);
    expect(readFileSync(join(reg.dir, rel), "utf8")).not.toBe("id: nothing\n");
  });
});
