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
    expect([...s.creates.keys()].sort()).toEqual([
      "call",
      "draft",
      "indicator submit",
      "inspect plan",
      "meeting request",
      "receive",
      "request",
      "superior",
      "task",
    ]);
    expect([...s.steps.keys()].sort()).toEqual(
      [
        "analyse",
        "approve",
        "audit",
        "countersign",
        "implement",
        "inspect report",
        "investigate",
        "notice",
        "prepare",
        "secretary-sign",
        "sign-in",
        "submit",
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
    ).toEqual(["call", "incoming", "request", "superior"]);
    expect([...s.kindCommands.keys()].sort()).toEqual(
      [
        "egov send",
        "indicator open",
        "indicator summary",
        "indicator trend",
        "meeting reply",
        "meeting close-review",
        "meeting check",
        "meeting attend",
        "meeting wrap-up",
        "meeting calendar",
        "meeting ics",
        "report meetings",
      ].sort(),
    );
    // A step id two kinds share is one command that acts on the record's kind.
    expect(
      s.steps
        .get("leader-sign")
        ?.wfs.map((w) => w.kind)
        .sort(),
    ).toEqual(["indicator", "outgoing"]);
    expect(s.steps.get("issue")?.wfs.map((w) => w.kind)).toEqual(["inspection", "outgoing"]);
    expect(s.steps.get("submit")?.wfs.map((w) => w.kind)).toEqual(["inspection", "superior"]);
    // `report` is a built-in command: the inspection's report step is `inspect report`.
    expect(s.steps.get("inspect report")?.step).toBe("report");
    // A kind command named after a step is that step's command: no derived `wrap-up` beside it.
    expect(s.steps.has("wrap-up")).toBe(false);
    expect(s.steps.has("meeting wrap-up")).toBe(false);
    for (const n of surfaceNames(s))
      if (n !== "egov" && n !== "report") expect(BUILTINS.has(n), n).toBe(false);
  });
});
