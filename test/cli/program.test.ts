import { describe, expect, it } from "vitest";
import { commandName } from "../../src/cli/command-name.js";
import { buildProgram, programOf, REGISTRARS } from "../../src/cli/program.js";

describe("the program", () => {
  it("REGISTRARS names exactly the commands each module registers", () => {
    for (const x of REGISTRARS)
      expect(
        programOf("en", [x]).commands.map((c) => c.name()),
        x.register.name,
      ).toEqual(x.commands);
    const all = buildProgram("en").commands.map((c) => c.name());
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

  it("a run builds the module of its command only; help or an unknown name gets them all", () => {
    expect(buildProgram("en", "show").commands.map((c) => c.name())).toEqual([
      "show",
      "where",
      "list",
      "log",
    ]);
    const n = REGISTRARS.flatMap((x) => x.commands).length;
    expect(buildProgram("en", "help").commands).toHaveLength(n);
    expect(buildProgram("en", "shwo").commands).toHaveLength(n);
    expect(buildProgram("en").commands).toHaveLength(n);
  });
});
