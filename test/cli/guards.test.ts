/**
 * Domain guards a clerk expects (issue 12), and the prompts that ask at a terminal: a document
 * registered twice, a merge of two different callers, a return without its reasons, `--at` outside
 * the registry's life, blank names. Commands run in-process from the source (test/cli-harness.ts);
 * the prompts are inquirer's, replaced here by a script of answers that goes through the same
 * `validate` a clerk's typing does.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  cleanupTempDirs,
  json,
  LEADER,
  OFFICE,
  type Registry,
  repoState,
  templateRegistry,
  UNIT,
  UNIT_HEAD,
} from "../helpers.js";

/** What the prompts were shown, and the answers they give, in order. */
const shown: {
  kind: string;
  message: string;
  choices?: unknown[];
  errors: string[];
  keys?: string | undefined;
}[] = [];
let answers: unknown[] = [];

vi.mock("../../src/store/lazy.js", async (importOriginal) => {
  const orig = await importOriginal<typeof import("../../src/store/lazy.js")>();
  const next = () => {
    if (!answers.length) throw new Error("the command asked more than the test answers");
    return answers.shift();
  };
  const fake = {
    input: async (c: { message: string; validate?: (v: string) => true | string }) => {
      const entry = { kind: "input", message: c.message, errors: [] as string[] };
      shown.push(entry);
      // Like inquirer: an answer that does not validate is shown its message and asked again.
      for (;;) {
        const a = String(next());
        const v = c.validate ? c.validate(a) : true;
        if (v === true) return a;
        entry.errors.push(v);
      }
    },
    select: async (c: {
      message: string;
      choices: unknown[];
      theme?: { style?: { keysHelpTip?: (k: [string, string][]) => string } };
    }) => {
      // The key hints the theme gives inquirer's own list (↑↓ navigate, ⏎ select).
      const keys = c.theme?.style?.keysHelpTip?.([
        ["↑↓", "navigate"],
        ["⏎", "select"],
      ]);
      shown.push({ kind: "select", message: c.message, choices: c.choices, errors: [], keys });
      return next();
    },
    confirm: async (c: { message: string }) => {
      shown.push({ kind: "confirm", message: c.message, errors: [] });
      return next();
    },
  };
  return { ...orig, prompts: () => fake, promptsLoaded: () => true };
});

// Imported after the mock (vitest hoists vi.mock).
const { cli } = await import("../cli-harness.js");

let tpl: ReturnType<typeof templateRegistry>;
beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);
afterAll(cleanupTempDirs);

const DOC = ["--from", "区应急管理局", "--doc-number", "区应急发〔2026〕12号"];

async function ok(reg: Registry, args: string[], opts: Parameters<typeof cli>[2] = {}) {
  const r = await cli(reg, args, opts);
  expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r;
}

describe("a document registered twice", () => {
  it("without a terminal: refused (exit 1) naming the record it repeats, unless --duplicate-ok", async () => {
    const reg = tpl.copy();
    const first = json<{ id: string }>(
      await ok(reg, ["receive", "--title", "关于防汛的通知", ...DOC, "--json"]),
    ).id;
    const before = repoState(reg.dir);
    // The same number typed with ASCII brackets is the same number.
    const again = [
      "receive",
      "--title",
      "关于防汛的通知（纸质）",
      "--from",
      "区应急管理局",
      "--doc-number",
      "区应急发[2026]12号",
    ];
    const r = await cli(reg, again);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `区应急管理局 区应急发〔2026〕12号 is already registered as ${first} (关于防汛的通知)`,
    );
    expect(r.stderr).toContain("--duplicate-ok");
    expect(repoState(reg.dir)).toEqual(before);
    const forced = await ok(reg, [...again, "--duplicate-ok"]);
    expect(forced.stderr).toContain(`already registered as ${first}`);
    // Another number, or another issuer, is another document.
    await ok(reg, [
      "receive",
      "--title",
      "关于防汛的通知",
      "--from",
      "区应急管理局",
      "--doc-number",
      "区应急发〔2026〕13号",
    ]);
    await ok(reg, [
      "receive",
      "--title",
      "关于防汛的通知",
      "--from",
      "区水务局",
      "--doc-number",
      "区应急发〔2026〕12号",
    ]);
  });

  it("at a terminal: asked; no changes nothing, yes registers it", async () => {
    const reg = tpl.copy();
    await ok(reg, ["receive", "--title", "关于防汛的通知", ...DOC]);
    const before = repoState(reg.dir);
    shown.length = 0;
    answers = [false];
    const no = await cli(reg, ["--lang", "zh-CN", "receive", "--title", "关于防汛的通知", ...DOC], {
      terminal: true,
    });
    expect(no.code).toBe(1);
    expect(shown.map((s) => s.message)).toEqual(["仍要登记吗？"]);
    expect(no.stderr).toContain("已登记为 IN-2026-0001");
    expect(repoState(reg.dir)).toEqual(before);
    answers = [true];
    const yes = await cli(reg, ["receive", "--title", "关于防汛的通知", ...DOC, "--json"], {
      terminal: true,
    });
    expect(yes.code, yes.stderr).toBe(0);
    expect(json<{ id: string }>(yes).id).toBe("IN-2026-0002");
  });
});

describe("prompts at a terminal", () => {
  it("choices by label, key hints and questions in Chinese, a wrong phone number asked again", async () => {
    const reg = tpl.copy();
    shown.length = 0;
    answers = ["噪音扰民", "张建华", "138123", "138 1234 5678"];
    const r = await cli(reg, ["--lang", "zh-CN", "call"], { terminal: true });
    expect(r.code, r.stderr).toBe(0);
    expect(shown.map((s) => s.message)).toEqual(["反映事项", "来电人", "联系电话"]);
    const phone = shown.find((s) => s.message === "联系电话");
    expect(phone?.errors).toEqual([
      "--phone：“138123”不是有效的内地电话号码（手机如 13812345678，固话如 010-12345678）",
    ]);
    const rec = json<{ title: string; fields: { phone: string; caller: string } }>(
      await ok(reg, ["show", "CALL-1", "--json"]),
    );
    expect(rec.fields).toMatchObject({ caller: "张建华", phone: "13812345678" });
  });

  it("a select list shows labels and names; the answer is the id", async () => {
    const reg = tpl.copy();
    shown.length = 0;
    answers = ["office", UNIT];
    const r = await cli(reg, ["--lang", "zh-CN", "draft", "--title", "关于冬季防火的通知", "--json"], {
      terminal: true,
    });
    expect(r.code, r.stderr).toBe(0);
    const [category, unit] = shown;
    expect(category?.choices).toContainEqual({
      value: "office",
      name: "办事处发文",
      description: "--category office",
    });
    expect(category?.keys).toBe("↑↓ 上下移动 • ⏎ 确定");
    expect(unit?.choices).toContainEqual({ value: UNIT, name: "城市管理科", description: `--unit ${UNIT}` });
    expect(json<{ fields: { category: string; unit: string } }>(r).fields).toMatchObject({
      category: "office",
      unit: UNIT,
    });
  });

  it("a title typed on one line only; what a prompt shows is escaped", async () => {
    const reg = tpl.copy();
    shown.length = 0;
    answers = ["关于\u001b[2J通知", "关于防汛的通知"];
    const r = await cli(reg, ["receive", "--from", "区应急管理局"], { terminal: true });
    expect(r.code, r.stderr).toBe(0);
    expect(shown[0]?.errors).toEqual(["--title: the control character \\x1b at character 3 is not allowed"]);
  });
});

describe("returns, merges, --at and names", () => {
  it("a return needs its reasons: exit 2 naming --opinion, or asked at a terminal", async () => {
    const reg = tpl.copy();
    const d = json<{ id: string }>(
      await ok(reg, [
        "draft",
        "--title",
        "关于冬季防火的通知",
        "--category",
        "office",
        "--unit",
        UNIT,
        "--json",
      ]),
    ).id;
    await ok(reg, ["unit-sign", d, "--as", UNIT_HEAD]);
    const before = repoState(reg.dir);
    const r = await cli(reg, ["review", d, "--as", OFFICE, "--decision", "return"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("returning needs its reasons: add --opinion");
    expect(repoState(reg.dir)).toEqual(before);
    answers = ["请补充依据"];
    const asked = await cli(reg, ["review", d, "--as", OFFICE, "--decision", "return", "--json"], {
      terminal: true,
    });
    expect(asked.code, asked.stderr).toBe(0);
    const rec = json<{ step: string; history: { decision?: string; opinion?: string }[] }>(asked);
    expect(rec.step).toBe("unit-sign");
    expect(rec.history.at(-1)).toMatchObject({ decision: "return", opinion: "请补充依据" });
  });

  it("merge refuses two calls of different callers and phones unless --force, which is recorded", async () => {
    const reg = tpl.copy();
    const call = async (caller: string, phone: string) =>
      json<{ id: string }>(
        await ok(reg, ["call", "--caller", caller, "--phone", phone, "--matter", "路灯损坏", "--json"]),
      ).id;
    const a = await call("张建华", "13812345678");
    const b = await call("李秀英", "010-62345678");
    const c = await call("张建华", "13900001111");
    const before = repoState(reg.dir);
    const r = await cli(reg, ["merge", b, "--into", a, "--reason", "重复来电"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not from the same caller");
    expect(repoState(reg.dir)).toEqual(before);
    // The same caller from another phone: one matter.
    await ok(reg, ["merge", c, "--into", a, "--reason", "同一人重复来电"]);
    await ok(reg, ["merge", b, "--into", a, "--reason", "代家人反映同一事项", "--force"]);
    const dup = json<{ history: { action: string; forced?: boolean }[] }>(
      await ok(reg, ["show", b, "--json"]),
    );
    expect(dup.history.at(-1)).toMatchObject({ action: "merge", forced: true });
  });

  it("--at in the future or before the registry began: exit 2; within its life it is recorded", async () => {
    const reg = tpl.copy();
    const before = repoState(reg.dir);
    const now = "2026-02-20T09:00:00+08:00";
    const future = await cli(
      reg,
      ["receive", "--title", "通知", "--from", "区政府办", "--at", "2026-02-20T10:00"],
      { now },
    );
    expect(future.code).toBe(2);
    expect(future.stderr).toContain("--at: 2026-02-20T10:00 is in the future");
    const early = await cli(reg, ["receive", "--title", "通知", "--from", "区政府办", "--at", "2026-01-05"], {
      now,
    });
    expect(early.code).toBe(2);
    expect(early.stderr).toContain("before the registry began (2026-02-13T09:00:00+08:00)");
    const egov = await cli(reg, ["egov", "checkin", "--at", "2027-01-01T08:00"], { now });
    expect(egov.code).toBe(2);
    expect(repoState(reg.dir)).toEqual(before);
    const r = await ok(
      reg,
      ["receive", "--title", "通知", "--from", "区政府办", "--at", "2026-02-19T17:30", "--json"],
      { now },
    );
    expect(json<{ created: string }>(r).created).toBe("2026-02-19T17:30:00+08:00");
  });

  it("blank names of people and units are refused (exit 2)", async () => {
    const reg = tpl.copy();
    const before = repoState(reg.dir);
    for (const args of [
      ["person", "add", "zhang-san", "--name", " "],
      ["unit", "add", "civil", "--name", ""],
    ]) {
      const r = await cli(reg, args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("--name");
    }
    expect(repoState(reg.dir)).toEqual(before);
    await ok(reg, ["person", "add", "zhang-san", "--name", "张三", "--roles", "staff", "--unit", UNIT], {
      user: LEADER,
    });
  });
});
