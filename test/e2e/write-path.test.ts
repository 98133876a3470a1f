import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addUncommittedPerson,
  BIN,
  type BinResult,
  cleanupTempDirs,
  git,
  gitLog,
  gitStatus,
  json,
  LEADER,
  leftovers,
  makeTempDir,
  OFFICE,
  type Registry,
  receive,
  recordPath,
  registryProblems,
  registrySnapshot,
  templateRegistry,
  UNIT,
} from "../helpers.js";

/**
 * The write path through the real bin, where only a process shows it: kills at every step of a
 * commit and at random moments (merge included), 30 writers at once, a full disk, `ulimit -f`,
 * read-only objects, and the messages and exit codes of what a write refuses.
 */

let tpl: ReturnType<typeof templateRegistry>;

beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);

afterAll(cleanupTempDirs);

/** Everything a registry must be after any sequence of kills and the next write. */
function consistent(reg: Registry): void {
  expect(registryProblems(reg)).toEqual([]);
}

/** A process that reports no unhandled rejection or stack, only our one error line (and a hint). */
function oneError(r: BinResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |Unhandled|node:internal/);
}

/** Two calls from one phone, for merges: ids [duplicate, target]. */
function twoIncoming(reg: Registry): [string, string] {
  const a = receive(reg, "关于春节期间安全生产的通知");
  const b = receive(reg, "关于春节期间安全生产的通知（重复来文）");
  return [b, a];
}

const mergeArgs = (dup: string, into: string) => ["merge", dup, "--into", into, "--reason", "重复来文"];

describe("a write killed at each step of its commit", () => {
  const steps: [string, boolean][] = [
    ["journal-written", false],
    ["objects-durable", false],
    ["head-moved", true],
    ["file-renamed", true],
  ];

  it.each(steps)(
    "merge killed at %s: the next write makes it all or nothing (committed: %s)",
    (step, committed) => {
      const reg = tpl.copy();
      const [dup, into] = twoIncoming(reg);
      const other = receive(reg, "另一件收文");
      const before = registrySnapshot(reg.dir);
      const r = reg.runBin(mergeArgs(dup, into), { env: { OFFICE_DOC_FAILPOINT: step } });
      expect(r.code).toBe(-1); // killed
      expect(existsSync(join(reg.dir, ".office-doc", "write-ahead.json"))).toBe(true);
      const next = reg.run(["note", other, "--text", "继续办理"]);
      expect(next.code, next.stderr).toBe(0);
      const subjects = gitLog(reg.dir).map((c) => c.subject);
      expect(subjects[0]).toMatch(new RegExp(`^note ${other}`));
      const merges = subjects.filter((s) => s.startsWith(`merge ${dup}`));
      expect(merges).toHaveLength(committed ? 1 : 0);
      if (!committed) {
        for (const id of [dup, into])
          expect(reg.read(recordPath(id))).toBe(git(reg.dir, ["show", `${before.head}:${recordPath(id)}`]));
      } else {
        expect(reg.read(recordPath(dup))).toMatch(/^merged_into: /m);
        expect(reg.read(recordPath(into))).toContain(`${dup}: `);
      }
      expect(json<{ status: string }>(reg.run(["show", dup, "--json"])).status).toBe(
        committed ? "closed" : "open",
      );
      consistent(reg);
    },
    60_000,
  );

  it("merge killed with its change staged, then committed by hand with git: the next write makes the work tree say what HEAD says", () => {
    const reg = tpl.copy();
    const [dup, into] = twoIncoming(reg);
    const other = receive(reg, "另一件收文");
    const killed = reg.runBin(mergeArgs(dup, into), { env: { OFFICE_DOC_FAILPOINT: "objects-durable" } });
    expect(killed.code).toBe(-1);
    // `check` names the killed write, and says not to commit it by hand.
    const check = reg.run(["check"]);
    expect(check.stdout + check.stderr).toContain("merge");
    git(reg.dir, [
      "-c",
      "user.name=手工",
      "-c",
      "user.email=hand@example.org",
      "commit",
      "-q",
      "-m",
      "committed by hand",
    ]);
    const next = reg.run(["note", other, "--text", "继续办理"]);
    expect(next.code, next.stderr).toBe(0);
    expect(gitStatus(reg.dir)).toBe("");
    for (const id of [dup, into])
      expect(reg.read(recordPath(id))).toBe(git(reg.dir, ["show", `HEAD:${recordPath(id)}`]));
    expect(json<{ status: string }>(reg.run(["show", dup, "--json"])).status).toBe("closed");
  });

  it("a writer killed before its lock file was linked in: the temp file it left is removed by the next write", () => {
    const reg = tpl.copy();
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid as number;
    const left = join(reg.dir, ".office-doc", `lock.${gone}.1700000000000.tmp`);
    writeFileSync(left, "{}");
    receive(reg, "之后的登记");
    expect(existsSync(left)).toBe(false);
  });

  it("receive killed before its commit: the id it was about to take is taken by the next receive", () => {
    const reg = tpl.copy();
    const r = reg.runBin(["receive", "--title", "被中断的登记", "--from", "区政府办公室"], {
      env: { OFFICE_DOC_FAILPOINT: "objects-durable" },
    });
    expect(r.code).toBe(-1);
    const id = receive(reg, "重新登记");
    expect(id).toBe("IN-2026-0001");
    expect(reg.read(recordPath(id))).toContain("重新登记");
    expect(gitLog(reg.dir).filter((c) => c.subject.includes("被中断的登记"))).toEqual([]);
    consistent(reg);
  });
});

describe("writes killed at random moments", () => {
  it("6 kills of merge and receive at random delays: every action is all or nothing, nothing is committed later", async () => {
    const reg = tpl.copy();
    const pairs = Array.from({ length: 3 }, () => twoIncoming(reg));
    // Delays are fractions of a whole write timed on this machine: fixed milliseconds let a fast
    // machine finish every write before its kill, and then the test would prove nothing.
    const spawnWrite = (args: string[]) =>
      spawn(process.execPath, [BIN, ...args], { env: reg.env() as NodeJS.ProcessEnv, stdio: "ignore" });
    const exited = (child: ReturnType<typeof spawn>) =>
      new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const started = performance.now();
    expect(await exited(spawnWrite(["receive", "--title", "计时登记", "--from", "区政府办公室"]))).toBe(0);
    const whole = performance.now() - started;
    let kills = 0;
    for (let i = 0; i < 6; i++) {
      const args =
        i % 2 === 0
          ? mergeArgs(...(pairs[i / 2] as [string, string]))
          : ["receive", "--title", `随机中断 ${i}`, "--from", "区政府办公室"];
      const child = spawnWrite(args);
      const delay = Math.floor(whole * (0.15 + Math.random() * 0.8));
      const done = exited(child);
      setTimeout(() => child.kill("SIGKILL"), delay);
      if ((await done) === null) kills++;
      const head = git(reg.dir, ["rev-parse", "HEAD"]).trim();
      // The next write repairs; the action of the killed one is in HEAD whole or not at all.
      const r = reg.run(["note", pairs[0]?.[1] as string, "--text", `第 ${i} 次之后`]);
      expect(r.code, r.stderr).toBe(0);
      expect(git(reg.dir, ["rev-list", "--count", `${head}..HEAD`]).trim()).toBe("1");
      consistent(reg);
    }
    for (const [dup, into] of pairs) {
      const merged = gitLog(reg.dir).some((c) => c.subject.startsWith(`merge ${dup}`));
      expect(/^merged_into: /m.test(reg.read(recordPath(dup)))).toBe(merged);
      expect(reg.read(recordPath(into)).includes(`${dup}: `)).toBe(merged);
    }
    expect(kills).toBeGreaterThan(0);
  }, 120_000);
});

describe("a full disk, a file size limit, read-only objects", () => {
  it("ulimit -f: exit 1 naming the limit, every file as it was; without the limit the same write goes through", () => {
    const reg = tpl.copy();
    const id = receive(reg, "关于春节期间安全生产的通知");
    const before = registrySnapshot(reg.dir);
    const env = reg.env() as NodeJS.ProcessEnv;
    const limited = spawnSync(
      "sh",
      [
        "-c",
        `ulimit -f 1; exec "${process.execPath}" "${BIN}" note ${id} --text "一段足够长的办理进展说明，使记录文件超过一千字节。"`,
      ],
      { env, encoding: "utf8" },
    );
    oneError(
      { code: limited.status ?? -1, stdout: limited.stdout, stderr: limited.stderr },
      /size limit|stopped by signal SIGXFSZ/,
    );
    expect(registrySnapshot(reg.dir)).toEqual(before);
    expect(leftovers(reg.dir)).toEqual([]);
    const r = reg.run(["note", id, "--text", "一段足够长的办理进展说明，使记录文件超过一千字节。"]);
    expect(r.code, r.stderr).toBe(0);
    consistent(reg);
  });

  it("ulimit -f on a write of several records: the git process ended early leaves no index.lock behind", () => {
    const reg = tpl.copy();
    for (let i = 0; i < 8; i++) receive(reg, `让 git 的暂存区超过一千字节的收文 ${i}`);
    const before = registrySnapshot(reg.dir);
    // A weekly series: five meetings, a write-ahead journal over the limit.
    const args = `meeting request --title 系列例会 --start "2026-03-16 09:00" --place 外部 --scope ${LEADER} --content 议程 --unit ${UNIT} --repeat weekly --until 2026-04-13`;
    const limited = spawnSync("sh", ["-c", `ulimit -f 1; exec "${process.execPath}" "${BIN}" ${args}`], {
      env: reg.env() as NodeJS.ProcessEnv,
      encoding: "utf8",
    });
    expect(limited.status, limited.stderr).toBe(1);
    expect(limited.stderr).toMatch(/size limit|SIGXFSZ/);
    expect(existsSync(join(reg.dir, ".git", "index.lock"))).toBe(false);
    expect(registrySnapshot(reg.dir)).toEqual(before);
    const r = reg.run(["note", receive(reg, "之后的登记"), "--text", "继续办理"]);
    expect(r.code, r.stderr).toBe(0);
    consistent(reg);
  });

  const root = process.getuid?.() === 0;
  const canMount = root && spawnSync("mount", ["--version"]).status === 0;

  it.skipIf(!canMount)(
    "a full disk (a small tmpfs), at several fill levels: each write is whole or fails cleanly, then goes through",
    () => {
      const mnt = makeTempDir("office-doc-tmpfs-");
      const src = tpl.copy();
      const id = receive(src, "关于春节期间安全生产的通知");
      const size = Number(spawnSync("du", ["-sk", src.sandbox], { encoding: "utf8" }).stdout.split("\t")[0]);
      expect(spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size + 2048}k`, "tmpfs", mnt]).status).toBe(0);
      try {
        cpSync(src.sandbox, join(mnt, "s"), { recursive: true });
        const reg = { ...src, dir: join(mnt, "s", "registry"), sandbox: join(mnt, "s") };
        const env = {
          ...src.env(),
          OFFICE_DOC_REGISTRY: reg.dir,
          HOME: join(mnt, "s", "home"),
        } as NodeJS.ProcessEnv;
        const run = (args: string[]) => {
          const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: "utf8" });
          return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
        };
        let failedOnce = false;
        for (const freeKb of [0, 4, 8, 16, 32, 64, 256]) {
          rmSync(join(mnt, "filler"), { force: true });
          // Fill the disk, then give back `freeKb`.
          spawnSync("sh", ["-c", `dd if=/dev/zero of="${join(mnt, "filler")}" bs=4k 2>/dev/null; true`]);
          if (freeKb) spawnSync("truncate", ["-s", `-${freeKb}K`, join(mnt, "filler")]);
          const before = registrySnapshot(reg.dir);
          const r = run(["note", id, "--text", `磁盘剩余 ${freeKb} KB 时的进展`]);
          if (r.code === 0) {
            expect(readFileSync(join(reg.dir, recordPath(id)), "utf8")).toContain(
              `磁盘剩余 ${freeKb} KB 时的进展`,
            );
          } else {
            failedOnce = true;
            oneError(r, /disk is full/);
            expect(registrySnapshot(reg.dir)).toEqual(before);
          }
          expect(leftovers(reg.dir)).toEqual([]);
        }
        expect(failedOnce).toBe(true);
        rmSync(join(mnt, "filler"), { force: true });
        const after = run(["note", id, "--text", "空间恢复后"]);
        expect(after.code, after.stderr).toBe(0);
        expect(git(reg.dir, ["show", "--name-only", "--format=%s", "HEAD"]).trim().split("\n")).toEqual([
          `note ${id}: 关于春节期间安全生产的通知`,
          "",
          recordPath(id),
        ]);
        expect(gitStatus(reg.dir)).toBe("");
        expect(git(reg.dir, ["fsck", "--strict", "--no-dangling", "--no-progress"])).toBe("");
      } finally {
        spawnSync("umount", [mnt]);
      }
    },
    120_000,
  );

  it("read-only .git/objects: exit 1 naming the permission, every file as it was", () => {
    const reg = tpl.copy();
    const id = receive(reg, "关于春节期间安全生产的通知");
    const objects = join(reg.dir, ".git", "objects");
    const before = registrySnapshot(reg.dir);
    const dirs = [objects, ...readdirSync(objects).map((d) => join(objects, d))];
    // As root permissions do not stop a write: run the bin as nobody, the registry theirs.
    if (root) spawnSync("chown", ["-R", "65534:65534", reg.sandbox]);
    for (const d of dirs) chmodSync(d, 0o555);
    try {
      const env = reg.env() as NodeJS.ProcessEnv;
      const cmd = root
        ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath]
        : [process.execPath];
      const r = spawnSync(cmd[0] as string, [...cmd.slice(1), BIN, "note", id, "--text", "进展"], {
        env,
        encoding: "utf8",
      });
      oneError({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }, /permission denied/);
    } finally {
      for (const d of dirs) chmodSync(d, 0o755);
      if (root) spawnSync("chown", ["-R", "0:0", reg.sandbox]);
    }
    expect(registrySnapshot(reg.dir)).toEqual(before);
    expect(leftovers(reg.dir)).toEqual([]);
  });
});

describe("what a write refuses, in words", () => {
  it("a stale .git/index.lock: the sentence, exit 1, nothing changed; removed, the write goes through", () => {
    const reg = tpl.copy();
    const id = receive(reg, "关于春节期间安全生产的通知");
    writeFileSync(join(reg.dir, ".git", "index.lock"), "");
    const before = registrySnapshot(reg.dir);
    const r = reg.run(["note", id, "--text", "进展"]);
    oneError(
      r,
      /\.git\/index\.lock exists: another git command is running or crashed; remove it if none is running/,
    );
    expect(registrySnapshot(reg.dir)).toEqual(before);
    rmSync(join(reg.dir, ".git", "index.lock"));
    expect(reg.run(["note", id, "--text", "进展"]).code).toBe(0);
    consistent(reg);
  });

  it("a record edited by hand (sed -i): the note is refused naming the file and the two ways out", () => {
    const reg = tpl.copy();
    const id = receive(reg, "关于春节期间安全生产的通知");
    const rel = recordPath(id);
    const edited = reg.read(rel).replace(/^title: .*$/m, "title: 关于撤销安全生产检查的通知");
    writeFileSync(join(reg.dir, `${rel}.sed`), edited);
    renameSync(join(reg.dir, `${rel}.sed`), join(reg.dir, rel));
    const before = registrySnapshot(reg.dir);
    const r = reg.run(["note", id, "--text", "进展"]);
    oneError(r, new RegExp(`${rel.replace(/\./g, "\\.")} has changes that are not committed`));
    expect(r.stderr).toContain(`git diff -- ${rel}`);
    expect(r.stderr).toContain(`git checkout -- ${rel}`);
    expect(registrySnapshot(reg.dir)).toEqual(before);
    expect(reg.read(rel)).toBe(edited);
    // list says it too, and shows the committed title.
    const l = reg.run(["list"]);
    expect(l.stderr).toContain(`${rel} has changes that are not committed`);
    expect(l.stdout).toContain("关于春节期间安全生产的通知");
  });

  it("a person added to office.yaml by hand and not committed cannot act", () => {
    const reg = tpl.copy();
    const id = receive(reg, "关于春节期间安全生产的通知");
    addUncommittedPerson(reg, "office, clerk");
    const before = registrySnapshot(reg.dir);
    const r = reg.run(["note", id, "--text", "我来办"], { user: "mallory" });
    oneError(r, /office\.yaml has changes that are not committed/);
    expect(registrySnapshot(reg.dir)).toEqual(before);
  });

  it("a detached HEAD: refused (exit 1); back on the branch, the write goes through", () => {
    const reg = tpl.copy();
    const id = receive(reg, "关于春节期间安全生产的通知");
    git(reg.dir, ["checkout", "-q", "--detach"]);
    const before = registrySnapshot(reg.dir);
    oneError(reg.run(["note", id, "--text", "进展"], { user: OFFICE }), /not on a branch \(detached HEAD\)/);
    expect(registrySnapshot(reg.dir)).toEqual(before);
    git(reg.dir, ["checkout", "-q", "main"]);
    expect(reg.run(["note", id, "--text", "进展"], { user: OFFICE }).code).toBe(0);
  });

  it("a registry folder inside another repository, and one in none: refused by writes and listings", () => {
    const src = tpl.copy();
    receive(src, "关于春节期间安全生产的通知");
    const outer = join(makeTempDir("office-doc-outer-"), "outer");
    mkdirSync(outer);
    git(outer, ["init", "-q", "-b", "main"]);
    const inner = join(outer, "registry");
    cpSync(src.dir, inner, { recursive: true });
    rmSync(join(inner, ".git"), { recursive: true, force: true });
    const env = { ...src.env(), OFFICE_DOC_REGISTRY: inner };
    const run = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        env: env as NodeJS.ProcessEnv,
        encoding: "utf8",
      });
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
    };
    oneError(run(["receive", "--title", "x", "--from", "y"]), /inside another git repository at /);
    oneError(run(["list"]), /inside another git repository at /);
    expect(spawnSync("git", ["rev-parse", "-q", "--verify", "HEAD"], { cwd: outer }).status).not.toBe(0);
    rmSync(join(outer, ".git"), { recursive: true, force: true });
    const alone = run(["list"]);
    oneError(alone, /is not a git repository/);
    expect(alone.stderr).not.toMatch(/usage: git/);
  });

  it("what a crash of an older office-doc left (a dead lock, a written record not committed) is never committed", () => {
    const reg = tpl.copy();
    const first = receive(reg, "先登记的文件");
    const second = receive(reg, "崩溃时正在登记的文件");
    git(reg.dir, ["reset", "-q", "--soft", "HEAD~1"]);
    git(reg.dir, ["reset", "-q"]);
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid ?? 999999;
    writeFileSync(
      join(reg.dir, ".office-doc", "lock"),
      JSON.stringify({
        pid: dead,
        start: "1",
        host: hostname(),
        command: "receive",
        since: "2026-02-13T01:00:00Z",
      }),
    );
    const r = reg.run(["note", first, "--text", "继续办理"]);
    expect(r.code, r.stderr).toBe(0);
    expect(
      gitLog(reg.dir)
        .map((c) => c.subject)
        .filter((s) => s.includes(second)),
    ).toEqual([]);
    expect(gitStatus(reg.dir)).toContain(recordPath(second));
  });
});
