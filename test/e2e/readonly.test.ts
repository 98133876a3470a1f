/**
 * A registry one may only read (issue 12): listings work, their caches go to a folder of the user's
 * in the temp folder; a write says the registry cannot be written (exit 1) instead of an internal
 * EACCES. Permissions mean nothing to root, so the bin runs as `nobody` through setpriv when the
 * tests run as root (as in this sandbox), else as the user itself.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanupTempDirs, type Registry, receive, repoState, templateRegistry } from "../helpers.js";

const root = process.getuid?.() === 0;
const setpriv = spawnSync("setpriv", ["--version"]).status === 0;
const NOBODY_UID = 65534;

let reg: Registry;
/** The first record of the template office (it.each needs the id when the file is collected). */
const id = "IN-2026-0001";
let before: ReturnType<typeof repoState>;

/** Run the bin on `reg` as a user who may not write it. */
function runReadOnly(args: string[]): { code: number; stdout: string; stderr: string } {
  const gitconfig = join(reg.sandbox, "gitconfig-readonly");
  const env = {
    ...reg.env(),
    // Another user's repository: git asks to be told it is safe.
    GIT_CONFIG_GLOBAL: gitconfig,
    HOME: reg.sandbox,
  };
  const cmd = root ? "setpriv" : process.execPath;
  const argv = root
    ? ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, BIN, ...args]
    : [BIN, ...args];
  const r = spawnSync(cmd, argv, {
    env: env as NodeJS.ProcessEnv,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Make `dir` and everything in it read-only, and its parents passable. */
function readOnly(dir: string): void {
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      chmodSync(p, e.isDirectory() ? 0o555 : 0o444);
    }
  };
  walk(dir);
  chmodSync(dir, 0o555);
  // The folders between the temp folder and the registry must be enterable by `nobody`; the temp
  // folder itself keeps its mode (1777: changing it would lock every other user out of it).
  const top = tmpdir();
  for (let d = dirname(dir); d !== top && d.startsWith(`${top}/`); d = dirname(d)) chmodSync(d, 0o755);
}

beforeAll(() => {
  reg = templateRegistry().template;
  expect(receive(reg, "关于做好防汛工作的通知")).toBe(id);
  writeFileSync(join(reg.sandbox, "gitconfig-readonly"), "[safe]\n\tdirectory = *\n");
  chmodSync(join(reg.sandbox, "gitconfig-readonly"), 0o644);
  // No cache of the writer's: the reader builds its own.
  rmSync(join(reg.dir, ".office-doc"), { recursive: true, force: true });
  before = repoState(reg.dir);
  readOnly(reg.dir);
}, 60_000);

afterAll(() => {
  // Writable again, so that the temp folders can be removed.
  spawnSync("chmod", ["-R", "u+w", reg.dir]);
  cleanupTempDirs();
});

describe.skipIf(root && !setpriv)("a registry this user may only read", () => {
  it.each([
    [["list"], id],
    [["list", "--json"], id],
    [["show", id], "关于做好防汛工作的通知"],
    [["overdue", "--as-of", "2026-03-31"], id],
    [["log", id], "receive"],
    [["--lang", "zh-CN", "list", "--status", "all"], id],
  ])("%j works", (args, shown) => {
    const r = runReadOnly(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(shown);
    expect(existsSync(join(reg.dir, ".office-doc"))).toBe(false);
  });

  it("a write says the registry cannot be written (exit 1), nothing changes", () => {
    const r = runReadOnly(["note", id, "--text", "已催办"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("permission denied");
    expect(r.stderr).toContain("to write, run as a user who may write the registry folder");
    expect(r.stderr).not.toContain("internal error");
    expect(repoState(reg.dir)).toEqual(before);
  });

  it("the reader's caches are in its own temp folder", () => {
    const uid = root ? NOBODY_UID : process.getuid?.();
    expect(existsSync(join(tmpdir(), `office-doc-${uid}`))).toBe(true);
  });
});
