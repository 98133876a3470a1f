import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { palette, wantsColor } from "../../src/ui/color.js";
import { BIN, cleanupTempDirs, makeTempDir, testEnv } from "../helpers.js";

afterAll(cleanupTempDirs);

describe("colour", () => {
  it.each<[string, NodeJS.ProcessEnv, boolean | undefined, boolean, boolean]>([
    ["a terminal", {}, undefined, true, true],
    ["not a terminal", {}, undefined, false, false],
    ["NO_COLOR=1", { NO_COLOR: "1" }, undefined, true, false],
    ["NO_COLOR set empty (no-color.org: ignored)", { NO_COLOR: "" }, undefined, true, true],
    ["--no-color", {}, false, true, false],
    ["TERM=dumb", { TERM: "dumb" }, undefined, true, false],
  ])("%s", (_n, env, flag, terminal, expected) => {
    let asked = false;
    const on = wantsColor(env, flag, () => {
      asked = true;
      return terminal;
    });
    expect(on).toBe(expected);
    // The terminal is asked only when nothing else has decided (it may load node:tty).
    if (flag === false || env.TERM === "dumb" || env.NO_COLOR) expect(asked).toBe(false);
  });

  it("colours with ANSI codes when on, and leaves the text as it is when off", () => {
    expect(palette(true).error("error")).toBe("\u001b[1m\u001b[31merror\u001b[39m\u001b[22m");
    expect(palette(true).warning("warning")).toBe("\u001b[33mwarning\u001b[39m");
    expect(palette(false).error("error")).toBe("error");
    expect(palette(false).hint("hint")).toBe("hint");
  });

  const script = spawnSync("script", ["--version"]).status === 0;

  it.skipIf(!script)(
    `colours the error label at a terminal only, and never with NO_COLOR or --no-color${script ? "" : " (skipped: no `script` to make a terminal)"}`,
    () => {
      const sandbox = makeTempDir();
      // `script` runs the command with a pseudo-terminal as its stdout and stderr.
      const atTerminal = (args: string[], env: NodeJS.ProcessEnv) =>
        spawnSync("script", ["-qec", [process.execPath, BIN, ...args].join(" "), "/dev/null"], {
          cwd: sandbox,
          env,
          encoding: "utf8",
        }).stdout;
      const env = { ...testEnv(sandbox), OFFICE_DOC_REGISTRY: `${sandbox}/none` } as NodeJS.ProcessEnv;
      delete env.NO_COLOR;
      expect(atTerminal(["show", "IN-1"], env)).toContain("\u001b[31merror\u001b[39m");
      expect(atTerminal(["show", "IN-1"], { ...env, NO_COLOR: "1" })).not.toContain("\u001b[");
      expect(atTerminal(["--no-color", "show", "IN-1"], env)).not.toContain("\u001b[");
      expect(atTerminal(["--no-color", "show", "IN-1"], env)).toContain("error");
    },
    30_000,
  );
});
