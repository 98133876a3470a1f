import { describe, expect, it } from "vitest";
import { BUILTINS } from "../../src/cli/builtins.js";
import { commandName, registryFlag } from "../../src/cli/command-name.js";
import { kindSurface, shippedWorkflows, surfaceNames } from "../../src/cli/kinds.js";
import { programOf, REGISTRARS } from "../../src/cli/program.js";

describe("the program", () => {
  it("REGISTRARS names exactly the commands each module registers", () => {
    for (const x of REGISTRARS)
      expect(
        programOf("en", [x]).commands.map((c) => c.name()),
        x.register.name,
      ).toEqual(x.commands);
    const all = programOf("en", REGISTRARS).commands.map((c) => c.name());
    expect(all.sort()).toEqual(REGISTRARS.flatMap((x) => x.commands).sort());
  });

  it.each<[string[], string | undefined]>([
    [["show", "IN-1"], "show"],
    [["-r", "reg", "show", "IN-1"], "show"],
    [["--registry", "list", "list"], "list"],
    [["--as", "wang", "--lang", "zh-CN", "--format", "csv", "overdue"], "overdue"],
    [["--json", "--no-input", "receive"], "receive"],
    [["--registry=reg", "sign", "IN-1"], "sign"],
    [["--", "log"], "log"],
    [["--help"], undefined],
    [[], undefined],
  ])("commandName(%j) is %s", (args, name) => {
    expect(commandName(args)).toBe(name);
  });

  it.each<[string[], string | undefined]>([
    [["-r", "reg", "show", "IN-1"], "reg"],
    [["--registry", "list", "list"], "list"],
    [["--registry=a/b", "sign", "IN-1"], "a/b"],
    [["--as", "-r", "show"], undefined],
    [["show", "IN-1"], undefined],
  ])("registryFlag(%j) is %s", (args, dir) => {
    expect(registryFlag(args)).toBe(dir);
  });

  it("the shipped kinds' commands are derived from their workflows, none taking a built-in name", () => {
    const s = kindSurface(shippedWorkflows(), BUILTINS);
    expect([...s.creates.keys()].sort()).toEqual(["call", "draft", "indicator submit", "receive"]);
    expect([...s.steps.keys()].sort()).toEqual(
      [
        "analyse",
        "approve",
        "circulate",
        "distribute",
        "feedback",
        "handle",
        "instruct",
        "issue",
        "leader-sign",
        "number",
        "propose",
        "recheck",
        "reply",
        "review",
        "secretary-review",
        "undertake",
        "unit-sign",
      ].sort(),
    );
    // `file` and `print` are steps whose ids are built-in commands: reached through those.
    expect(s.steps.has("file")).toBe(false);
    expect(
      s.steps
        .get("instruct")
        ?.wfs.map((w) => w.kind)
        .sort(),
    ).toEqual(["call", "incoming"]);
    expect([...s.kindCommands.keys()].sort()).toEqual([
      "egov send",
      "indicator open",
      "indicator summary",
      "indicator trend",
    ]);
    // A step id two kinds share is one command that acts on the record's kind.
    expect(
      s.steps
        .get("leader-sign")
        ?.wfs.map((w) => w.kind)
        .sort(),
    ).toEqual(["indicator", "outgoing"]);
    for (const n of surfaceNames(s)) if (n !== "egov") expect(BUILTINS.has(n), n).toBe(false);
  });
});
