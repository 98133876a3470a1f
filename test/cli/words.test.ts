/**
 * Exit codes and words as CLI.md says (issue 12): unknown filter values are bad usage, each write
 * says what it recorded, help and a mistyped command behave as a newcomer expects, and Chinese has
 * no English left in it. Commands run in-process (the built CLI).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  DIRECTOR,
  json,
  LEADER,
  LEADER2,
  OFFICE,
  type Registry,
  receive,
  repoState,
  SECRETARY,
  templateRegistry,
  UNIT,
  UNIT_HEAD,
} from "../helpers.js";

let tpl: ReturnType<typeof templateRegistry>;
let reg: Registry;
beforeAll(() => {
  tpl = templateRegistry();
  reg = tpl.template;
}, 60_000);
afterAll(cleanupTempDirs);

const ok = (r: Registry, args: string[], opts: Parameters<Registry["run"]>[1] = {}) => {
  const res = r.run(args, opts);
  expect(res.code, `${args.join(" ")}: ${res.stderr}`).toBe(0);
  return res;
};

/** An incoming document through feedback, its circulation routed to two leaders. */
function toCirculation(r: Registry, id: string): void {
  ok(r, ["propose", id, "--as", OFFICE]);
  ok(r, ["instruct", id, "--as", SECRETARY, "--to", UNIT]);
  ok(r, ["undertake", id, "--as", UNIT_HEAD]);
  ok(r, ["feedback", id, "--as", OFFICE]);
  ok(r, ["circulate", id, "--to", `${LEADER},${LEADER2}`]);
}

describe("unknown filter values are bad usage (exit 2), naming what there is", () => {
  it.each([
    [["list", "--kind", "bogus"], "--kind", "call, incoming"],
    [["list", "--step", "bogus"], "--step", "propose"],
    [["list", "--kind", "call", "--step", "propose"], "--step", "handle, reply"],
    [["list", "--unit", "nowhere"], "--unit", "nowhere"],
    [["overdue", "--kind", "bogus"], "--kind", "incoming"],
    [["report", "stats", "--kind", "bogus"], "--kind", "incoming"],
    [["report", "register", "--kind", "bogus"], "--kind", "incoming"],
  ])("%j", (args, option, named) => {
    const r = reg.run(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(option);
    expect(r.stderr).toContain(named);
    expect(r.stdout).toBe("");
  });
});

describe("outside a registry", () => {
  it("a kind's create and step commands say there is no registry (exit 1)", () => {
    const env = { OFFICE_DOC_REGISTRY: `${reg.sandbox}/nowhere` };
    for (const args of [
      ["receive", "--title", "通知", "--from", "区政府办"],
      ["propose", "IN-1"],
    ]) {
      const r = reg.run(args, { env });
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toContain("no registry at");
    }
  });
});

describe("each write says what it recorded", () => {
  it("note and urge repeat what was taken down; withdraw says withdrawn", () => {
    const copy = tpl.copy();
    const id = receive(copy, "关于做好防汛工作的通知");
    expect(ok(copy, ["note", id, "--text", "已电话联系来文单位"]).stdout).toContain(
      `${id}: note recorded: 已电话联系来文单位`,
    );
    expect(ok(copy, ["urge", id]).stdout).toContain(`${id}: reminder recorded for 王守杰`);
    toCirculation(copy, id);
    expect(ok(copy, ["--lang", "zh-CN", "urge", id]).stdout).toContain(`${id}：已登记催办：周强、郑华`);
    const w = ok(copy, ["withdraw", id, "--reason", "重复登记", "--as", LEADER]);
    expect(w.stdout).toContain(`${id}: withdrawn (重复登记)`);
  });

  it("number prints the document number it gave", () => {
    const copy = tpl.copy();
    const d = json<{ id: string }>(
      ok(copy, ["draft", "--title", "关于冬季防火的通知", "--category", "office", "--unit", UNIT, "--json"]),
    ).id;
    ok(copy, ["unit-sign", d, "--as", UNIT_HEAD]);
    ok(copy, ["review", d, "--as", OFFICE]);
    ok(copy, ["leader-sign", d, "--as", LEADER]);
    ok(copy, ["secretary-review", d, "--as", SECRETARY]);
    ok(copy, ["issue", d, "--as", DIRECTOR]);
    const n = ok(copy, ["number", d, "--as", OFFICE]);
    const given = json<{ fields: { doc_number: string } }>(ok(copy, ["show", d, "--json"])).fields.doc_number;
    expect(given).toMatch(/〔2026〕1号$/);
    expect(n.stdout).toContain(`${d}: numbered ${given}`);
  });
});

describe("help, and a mistyped command", () => {
  it("bare office-doc prints help on stdout and exits 0; help X exits 0", () => {
    const bare = reg.run([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^Usage: office-doc \[options\] \[command\]/);
    expect(bare.stderr).toBe("");
    const h = reg.run(["help", "list"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("Usage: office-doc list [options]");
    expect(reg.run(["--bogus"]).code).toBe(2);
  });

  it.each([
    [["recieve"], "hint: did you mean receive?"],
    [["list", "--stauts", "all"], "hint: did you mean --status?"],
    [["report", "registr"], "hint: did you mean register?"],
    [["--lang", "zh-CN", "lsit"], "提示：是否要输入 list？"],
  ])("%j suggests the nearest", (args, hint) => {
    const r = reg.run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(hint);
  });
});

describe("Chinese without English left in it", () => {
  const zh = (args: string[]) => ok(reg, ["--lang", "zh-CN", ...args]);

  it("holiday names in the calendar", () => {
    const c = zh(["calendar", "show", "2026-02"]).stdout;
    expect(c).toContain("2026-02-14  工作日  春节（调休上班）");
    expect(c).toContain("2026-02-15  休息日  春节\n");
    expect(c).not.toMatch(/Spring Festival/);
    expect(ok(reg, ["calendar", "show", "2026-02"]).stdout).toContain(
      "2026-02-14  working day  Spring Festival (adjusted working day)",
    );
  });

  it("the usage line and commander's own words", () => {
    const h = zh(["list", "--help"]).stdout;
    expect(h).toContain("用法： office-doc list [选项]");
    expect(h).toContain('（默认："open"）');
    expect(h).not.toMatch(/\[options\]|\(default:/);
  });

  it("姓名 for a person's name; 、 between names, in errors too", () => {
    expect(zh(["person", "list"]).stdout).toMatch(/│ 姓名\s*│/);
    expect(zh(["person", "add", "--help"]).stdout).toMatch(/--name <name>\s+姓名/);
    const copy = tpl.copy();
    const id = receive(copy, "关于做好防汛工作的通知");
    toCirculation(copy, id);
    const before = repoState(copy.dir);
    const r = copy.run(["--lang", "zh-CN", "circulate", id, "--as", UNIT_HEAD]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("周强、郑华");
    expect(repoState(copy.dir)).toEqual(before);
  });

  it("the archive number's retention", () => {
    const copy = tpl.copy();
    const id = receive(copy, "关于做好防汛工作的通知");
    toCirculation(copy, id);
    ok(copy, ["skip", id, "--reason", "无需传阅", "--as", OFFICE]);
    ok(copy, ["file", id, "--retention", "10y"]);
    expect(ok(copy, ["--lang", "zh-CN", "show", id]).stdout).toMatch(/档号: \S+ \(10年\)/);
    expect(ok(copy, ["show", id]).stdout).toMatch(/Archive number: \S+ \(kept 10 years\)/);
  });
});
