/**
 * Shell completion (issue 12): `completion bash|zsh` prints @pnpm/tabtab's script, and the hidden
 * `completion-server` it calls at each TAB answers from the program built with the registry's
 * workflows: commands, options, option values, the ids of open records — and what an office adds to
 * its workflows, at once. The server runs in-process; one test drives the real bash script.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanupTempDirs, git, type Registry, ROOT, receive, templateRegistry } from "../helpers.js";

let tpl: ReturnType<typeof templateRegistry>;
let reg: Registry;
let inId: string;

beforeAll(() => {
  tpl = templateRegistry();
  reg = tpl.template;
  inId = receive(reg, "关于做好防汛工作的通知");
}, 60_000);
afterAll(cleanupTempDirs);

/** What a TAB at the end of `line` offers (tabtab's protocol: COMP_* and the words after --). */
function complete(r: Registry, line: string, shell = "bash"): string[] {
  const words = line.split(" ");
  const env = {
    COMP_CWORD: String(words.length - 1),
    COMP_LINE: line,
    COMP_POINT: String(line.length),
    SHELL: shell,
  };
  const res = r.run(["completion-server", "--", ...words], { env });
  expect(res.code, res.stderr).toBe(0);
  return res.stdout.split("\n").filter(Boolean);
}

describe("the completion server", () => {
  it.each<[string, string[]]>([
    ["office-doc rec", ["receive", "recheck"]],
    ["office-doc report ", ["stats", "register"]],
    ["office-doc list --st", ["--status", "--step"]],
    ["office-doc list --kind ", ["call", "incoming", "outgoing"]],
    ["office-doc list --status ", ["open", "closed", "all"]],
    ["office-doc receive --urgency ", ["normal", "urgent", "extra-urgent"]],
    ["office-doc draft --unit ", ["urban"]],
    ["office-doc completion ", ["bash", "zsh"]],
    ["office-doc --lang ", ["en", "zh-CN"]],
  ])("%s", (line, wanted) => {
    expect(complete(reg, line)).toEqual(expect.arrayContaining(wanted));
  });

  it("ids of open records; a step command offers those at its step", () => {
    expect(complete(reg, "office-doc show ")).toContain(inId);
    expect(complete(reg, "office-doc propose ")).toContain(inId);
    expect(complete(reg, "office-doc instruct ")).not.toContain(inId);
  });

  it("zsh gets descriptions: titles of records, labels of values (':' escaped)", () => {
    expect(complete(reg, "office-doc show ", "zsh")).toContain(`${inId}:关于做好防汛工作的通知`);
    const r = tpl.copy();
    expect(complete(r, "office-doc --lang zh-CN call --category ", "zsh")).toContain(
      "ordinary:一般（2个工作日）",
    );
  });

  it("what an office adds to its workflows is completed at once: a kind, its options, a value", () => {
    const r = tpl.copy();
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const seal = /```yaml\n(# yaml-language-server[\s\S]*?kind: seal[\s\S]*?)```/.exec(readme)?.[1];
    expect(seal).toBeDefined();
    writeFileSync(join(r.dir, "workflows", "seal.yaml"), seal as string);
    const call = join(r.dir, "workflows", "call.yaml");
    writeFileSync(
      call,
      readFileSync(call, "utf8").replace(
        "      - { id: suggestion,",
        "      - hotline\n      - { id: suggestion,",
      ),
    );
    git(r.dir, ["add", "-A"]);
    git(r.dir, ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "用印申请"]);
    expect(complete(r, "office-doc se")).toContain("seal");
    expect(complete(r, "office-doc seal --se")).toContain("--seal");
    expect(complete(r, "office-doc seal --seal ")).toEqual(["office", "party-committee"]);
    expect(complete(r, "office-doc call --type ")).toContain("hotline");
    expect(complete(r, "office-doc list --kind ")).toContain("seal");
  });

  it("an unknown command, or no registry, offers nothing and never fails", () => {
    expect(complete(reg, "office-doc nosuchcommand ")).toEqual([]);
    const nowhere = {
      ...reg,
      run: (a: string[], o: Parameters<Registry["run"]>[1] = {}) =>
        reg.run(a, { ...o, env: { ...o.env, OFFICE_DOC_REGISTRY: join(reg.sandbox, "nowhere") } }),
    };
    expect(complete(nowhere, "office-doc show ")).toEqual([]);
    expect(complete(nowhere, "office-doc li")).toEqual(["list"]);
  });
});

describe("the scripts", () => {
  it("completion bash|zsh print tabtab's scripts calling the server; another shell is exit 2", () => {
    const bash = reg.run(["completion", "bash"]);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain("complete -o default -F _office-doc_completion office-doc");
    expect(bash.stdout).toContain("office-doc completion-server --");
    const zsh = reg.run(["completion", "zsh"]);
    expect(zsh.stdout).toContain("#compdef office-doc");
    expect(reg.run(["completion", "fish"]).code).toBe(2);
  });

  it("in bash, the script's function fills COMPREPLY from the real bin", () => {
    const dir = join(reg.sandbox, "bin");
    mkdirSync(dir, { recursive: true });
    const wrapper = join(dir, "office-doc");
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const script = reg.run(["completion", "bash"]).stdout;
    const r = spawnSync(
      "bash",
      [
        "-c",
        `${script}\nCOMP_WORDS=(office-doc list --kind inc); COMP_CWORD=3; COMP_LINE="office-doc list --kind inc"; COMP_POINT=\${#COMP_LINE}; _office-doc_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { env: { ...reg.env(), PATH: `${dir}:${process.env.PATH}` }, encoding: "utf8" },
    );
    expect(r.stdout.trim()).toBe("incoming");
  });
});
