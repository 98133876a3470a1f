/**
 * What a clerk (or a hostile caller) types, checked where it enters (issue 12): one-line fields refuse
 * line breaks and control characters and hold at most 500 characters, free text (opinions, notes,
 * reasons, a workflow's `multiline` fields) takes several lines but no control characters and at most
 * 5,000; each is exit 2 naming the option, with nothing written. And whatever a record holds, no
 * commit message has a line git reads as a trailer other than office-doc's own.
 */
import { spawnSync } from "node:child_process";
import type { Command, Option } from "commander";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkOptionTexts } from "../../src/cli/fields.js";
import { shippedWorkflows } from "../../src/cli/kinds.js";
import { programOf, REGISTRARS } from "../../src/cli/program.js";
import { commitLine, commitMessage } from "../../src/core/commit-message.js";
import { OfficeError } from "../../src/core/problems.js";
import {
  cleanupTempDirs,
  git,
  handEdit,
  json,
  OFFICE,
  type Registry,
  receive,
  repoState,
  SECRETARY,
  templateRegistry,
  UNIT,
  UNIT_HEAD,
} from "../helpers.js";
import { hostileText } from "../hostile.js";

let tpl: ReturnType<typeof templateRegistry>;
let reg: Registry;
let inId: string;
let callId: string;

const FORGED = "关于防汛的通知\n---\nOffice-Doc-Actor: li-jianguo\nOffice-Doc-Action: file";

beforeAll(() => {
  tpl = templateRegistry();
  reg = tpl.template;
  inId = receive(reg, "关于做好防汛工作的通知");
  const c = reg.run([
    "call",
    "--caller",
    "张建华",
    "--phone",
    "13812345678",
    "--matter",
    "路灯损坏",
    "--json",
  ]);
  expect(c.code, c.stderr).toBe(0);
  callId = json<{ id: string }>(c).id;
  expect(reg.run(["route", callId, "--to", UNIT]).code).toBe(0);
  expect(reg.run(["handle", callId, "--as", UNIT_HEAD]).code).toBe(0);
}, 60_000);

afterAll(cleanupTempDirs);

/** `git interpret-trailers --parse` of a commit's message: what git reads as its trailers. */
function parsedTrailers(dir: string, rev = "HEAD"): string[] {
  const message = git(dir, ["log", "-1", "--format=%B", rev]);
  const r = spawnSync("git", ["interpret-trailers", "--parse"], { input: message, encoding: "utf8" });
  return r.stdout.split("\n").filter(Boolean);
}

describe("one-line fields and free text, checked where they enter", () => {
  const long = (n: number) => "文".repeat(n);
  it.each<[string, () => string[], string]>([
    [
      "a title with a line break and forged trailers",
      () => ["receive", "--title", FORGED, "--from", "区应急管理局"],
      "--title",
    ],
    [
      "an issuer with an escape sequence",
      () => ["receive", "--title", "通知", "--from", "区\u001b[2J应急局"],
      "--from",
    ],
    [
      "a document number with a line separator",
      () => [
        "receive",
        "--title",
        "通知",
        "--from",
        "区应急管理局",
        "--doc-number",
        "区应急发\u2028〔2026〕12号",
      ],
      "--doc-number",
    ],
    [
      "a caller with a carriage return",
      () => ["call", "--caller", "张\r建华", "--phone", "13812345678", "--matter", "噪音"],
      "--caller",
    ],
    [
      "a call's matter (its title) on two lines",
      () => ["call", "--caller", "张建华", "--phone", "13812345678", "--matter", "噪音\n扰民"],
      "--matter",
    ],
    [
      "a recipient (a list item) with a line break",
      () => [
        "draft",
        "--title",
        "通知",
        "--category",
        "office",
        "--unit",
        UNIT,
        "--recipients",
        "各社区\n居委会",
      ],
      "--recipients",
    ],
    [
      "a title of 501 characters",
      () => ["receive", "--title", long(501), "--from", "区应急管理局"],
      "--title",
    ],
    ["a person's name on two lines", () => ["person", "add", "zhang-san", "--name", "张\n三"], "--name"],
    ["a blank unit name", () => ["unit", "add", "civil", "--name", "   "], "--name"],
    [
      "an opinion with an escape sequence",
      () => ["propose", inId, "--as", OFFICE, "--opinion", "同意\u001b[2J"],
      "--opinion",
    ],
    [
      "a reply's answer (multi-line) with a control character",
      () => ["reply", callId, "--answer", "已修复\u0007", "--via", "phone"],
      "--answer",
    ],
    ["a note of 5,001 characters", () => ["note", inId, "--text", long(5001)], "--text"],
    ["a reason with a bidi override", () => ["urge", inId, "--note", "\u202e请尽快"], "--note"],
    // Kind commands' own options (D10, D11): a decision becomes a task's title, so it is one line.
    ...(
      [
        ["a meeting decision on two lines", ["--decision", "a\nb"], "--decision"],
        ["a meeting decision with an escape sequence", ["--decision", "x\u001b[2Jy"], "--decision"],
        ["a meeting decision of 600 characters", ["--decision", long(600)], "--decision"],
        ["a meeting decision with a bidi override", ["--decision", "\u202eevil"], "--decision"],
        ["a meeting clean-up with an escape sequence", ["--cleanup", "x\u001b[2Jy"], "--cleanup"],
      ] as const
    ).map(([what, opt, option]): [string, () => string[], string] => [
      what,
      () => ["meeting", "wrap-up", "MTG-1", ...opt, "--assign", UNIT, "--due", "2026-03-20"],
      option,
    ]),
    [
      "a meeting reply's reason with an escape sequence",
      () => ["meeting", "reply", "MTG-1", "leave", "--reason", "x\u001b[2Jy"],
      "--reason",
    ],
    [
      "a meeting reply's reason of 6,000 characters",
      () => ["meeting", "reply", "MTG-1", "leave", "--reason", long(6000)],
      "--reason",
    ],
    [
      "a meeting check's note with a bidi override",
      () => ["meeting", "check", "MTG-1", "--item", "seating=problem", "--note", "\u202eevil"],
      "--note",
    ],
    [
      "an indicator submission's reason with an escape sequence",
      () => [
        "indicator",
        "submit",
        "--unit",
        UNIT,
        "--month",
        "2026-02",
        "--value",
        "x=5",
        "--reason",
        "x\u001b[2Jy",
      ],
      "--reason",
    ],
  ])("%s: exit 2 naming %s, nothing written", (_, args, option) => {
    const before = repoState(reg.dir);
    const r = reg.run(args());
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(option);
    expect(repoState(reg.dir)).toEqual(before);
  });

  it("the messages say what and where, in Chinese too", () => {
    const r = reg.run(["--lang", "zh-CN", "receive", "--title", "关于\n通知", "--from", "区应急管理局"]);
    expect(r.stderr).toContain("--title：只能填写一行（第 3 个字符是换行符 \\x0a）");
    const l = reg.run(["receive", "--title", "文".repeat(600), "--from", "区应急管理局"]);
    expect(l.stderr).toContain("--title: 600 characters; at most 500");
  });

  it("accepts 500 characters on one line, and several lines where text is free", () => {
    const copy = tpl.copy();
    const id = receive(copy, "文".repeat(500), { extra: ["--summary", "第一段。\n第二段。"] });
    const shown = json<{ title: string; fields: { summary: string } }>(copy.run(["show", id, "--json"]));
    expect(shown.title).toBe("文".repeat(500));
    expect(shown.fields.summary).toBe("第一段。\n第二段。");
    const p = copy.run([
      "propose",
      id,
      "--as",
      OFFICE,
      "--opinion",
      "拟请书记阅示。\r\n城管科办理。",
      "--json",
    ]);
    expect(p.code, p.stderr).toBe(0);
    const rec = json<{ history: { opinion?: string }[] }>(p);
    expect(rec.history.at(-1)?.opinion).toBe("拟请书记阅示。\r\n城管科办理。");
  });
});

describe("every option of every command passes the text rules before its command runs", () => {
  /** Every command of the full program (built-in, derived from the shipped workflows, kind commands). */
  const commands = (): Command[] => {
    const all: Command[] = [];
    const walk = (c: Command) => {
      for (const s of c.commands) {
        all.push(s);
        walk(s);
      }
    };
    walk(programOf("en", REGISTRARS, undefined, { wfs: shippedWorkflows() }));
    return all;
  };
  /** The problem checkOptionTexts finds with `value` in option `o` of `cmd`, if any. */
  const problemWith = (cmd: Command, o: Option, value: string) => {
    const key = o.attributeName();
    const before = cmd.getOptionValue(key);
    // What commander would store: a repeatable option's parser collects a list.
    cmd.setOptionValue(key, o.parseArg ? o.parseArg(value, undefined) : value);
    try {
      checkOptionTexts(cmd);
      return undefined;
    } catch (e) {
      if (!(e instanceof OfficeError)) throw e;
      return { code: e.code, option: e.params.option };
    } finally {
      cmd.setOptionValue(key, before);
    }
  };

  it("an escape sequence is refused in each of them, naming the option; a line break in each one-line option", () => {
    let options = 0;
    const multi: string[] = [];
    for (const cmd of commands())
      for (const o of cmd.options) {
        if (o.isBoolean() || o.negate || !o.long) continue;
        options++;
        expect(problemWith(cmd, o, "x\u001b[2Jy"), `${cmd.name()} ${o.long}`).toEqual({
          code: "field.control-char",
          option: o.long,
        });
        expect(problemWith(cmd, o, "\u202eevil")?.code, `${cmd.name()} ${o.long}`).toBe("field.control-char");
        const twoLines = problemWith(cmd, o, "a\nb");
        if (twoLines === undefined) {
          multi.push(o.long);
          expect(problemWith(cmd, o, "文".repeat(5001))?.code).toBe("field.too-long");
          expect(problemWith(cmd, o, "文".repeat(5000))).toBeUndefined();
        } else {
          expect(twoLines, `${cmd.name()} ${o.long}`).toEqual({ code: "field.line-break", option: o.long });
          expect(problemWith(cmd, o, "文".repeat(501))?.code).toBe("field.too-long");
        }
      }
    expect(options).toBeGreaterThan(150);
    // Free text: opinions, notes, reasons, a meeting's clean-up and the workflows' multiline fields.
    expect(new Set(multi)).toEqual(
      new Set([
        "--opinion",
        "--note",
        "--reason",
        "--text",
        "--cleanup",
        "--summary",
        "--content",
        "--steps",
        "--findings",
        "--answer",
        "--result",
        "--requirements",
        "--details",
        "--set",
      ]),
    );
  });
});

describe("commit messages carry office-doc's trailers only", () => {
  const OURS = (action: string, id: string, actor: string, recorder: string) => [
    `Office-Doc-Action: ${action}`,
    `Office-Doc-Record: ${id}`,
    `Office-Doc-Actor: ${actor}`,
    `Office-Doc-Recorded-By: ${recorder}`,
  ];

  it("an opinion that looks like trailers stays in the record, not in the message", () => {
    const copy = tpl.copy();
    const id = receive(copy, "关于做好防汛工作的通知");
    const r = copy.run(["propose", id, "--as", OFFICE, "--opinion", FORGED.replace(/^[^\n]*/, "同意。")]);
    expect(r.code, r.stderr).toBe(0);
    expect(parsedTrailers(copy.dir)).toEqual(OURS("sign", id, OFFICE, "chang-liqun"));
  });

  it("a hand-edited title with line breaks is one line of the next commit's subject", () => {
    const copy = tpl.copy();
    const id = receive(copy, "TITLE-PLACEHOLDER");
    handEdit(copy, id, { "TITLE-PLACEHOLDER": FORGED });
    const r = copy.run(["instruct", id, "--as", SECRETARY], {});
    expect(r.code).toBe(1); // not at that step: nothing committed
    expect(copy.run(["note", id, "--text", "已电话催办"]).code).toBe(0);
    expect(parsedTrailers(copy.dir)).toEqual(OURS("note", id, "chang-liqun", "chang-liqun"));
    const subject = git(copy.dir, ["log", "-1", "--format=%s"]).trim();
    expect(subject).toBe(
      `note ${id}: 关于防汛的通知\\x0a---\\x0aOffice-Doc-Actor: li-jianguo\\x0aOffice-Doc-Action: file`,
    );
  });

  it("any subject and trailer values: git parses exactly the trailers given", () => {
    fc.assert(
      fc.property(hostileText, hostileText, (subject, value) => {
        const message = commitMessage(subject, { "Office-Doc-Action": "note", "Office-Doc-Record": value });
        const r = spawnSync("git", ["interpret-trailers", "--parse"], { input: message, encoding: "utf8" });
        expect(r.stdout).toBe(`Office-Doc-Action: note\nOffice-Doc-Record: ${commitLine(value, Infinity)}\n`);
        expect(message.split("\n")[0]).toBe(commitLine(subject));
      }),
      { numRuns: 40 },
    );
  });
});
