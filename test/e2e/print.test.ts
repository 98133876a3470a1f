import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  type BinResult,
  cleanupTempDirs,
  DIRECTOR,
  LEADER,
  makeTempDir,
  OFFICE,
  type Registry,
  repoState,
  SECRETARY,
  STAFF,
  templateRegistry,
  UNIT,
  UNIT_HEAD,
} from "../helpers.js";

/**
 * `print` (issue 4.6 and 5.6): the GB/T 9704 front matter of an outgoing document in Markdown and
 * HTML, and the transfer form (交办单) of an important call. Printing writes nothing to the registry;
 * `print --done` (or `sign`) completes the print step.
 */

interface OfficeYaml {
  name: string;
  prefixes: Record<string, string>;
  issuer_marks: Record<string, string>;
  printed_by: string;
}
interface Rec {
  id: string;
  step: string | null;
  fields: Record<string, unknown>;
}

const at = (day: string, hm: string) => `${day}T${hm}:00+08:00`;

let tpl: ReturnType<typeof templateRegistry>;
let office: OfficeYaml;
beforeAll(() => {
  tpl = templateRegistry();
  office = parse(tpl.template.read("office.yaml")) as OfficeYaml;
}, 60_000);
afterAll(cleanupTempDirs);
// The bin runs synchronously: let the worker's event loop turn between tests.
afterEach(() => new Promise<void>((resolve) => setImmediate(resolve)));

function run(reg: Registry, args: string[], now: string, user = OFFICE): BinResult {
  return reg.run(args, { now, user });
}
function ok(reg: Registry, args: string[], now: string, user = OFFICE): string {
  const r = run(reg, args, now, user);
  expect(r.code, `${args.join(" ")} exited ${r.code}\n${r.stderr}`).toBe(0);
  return r.stdout;
}
const show = (reg: Registry, id: string) =>
  JSON.parse(ok(reg, ["show", id, "--json"], at("2026-12-01", "09:00"))) as Rec;
/** Print, and check that printing wrote nothing to the registry. */
function print(reg: Registry, id: string, now: string, ...more: string[]): string {
  const before = repoState(reg.dir);
  const out = ok(reg, ["print", id, ...more], now);
  expect(repoState(reg.dir)).toEqual(before);
  return out;
}
/** The index of each needle in `text`, all found and in this order. */
function expectInOrder(text: string, needles: string[]): void {
  let from = -1;
  for (const n of needles) {
    const i = text.indexOf(n, from + 1);
    expect(i, `"${n}" after position ${from}`).toBeGreaterThan(from);
    from = i;
  }
}

/** Draft on `day` and take it through sign-off, number and recheck: the document is at `print`. */
function toPrint(
  reg: Registry,
  title: string,
  category: string,
  issuer: string,
  day: string,
  extra: string[],
): string {
  const args = ["draft", "--title", title, "--category", category, "--unit", UNIT, "--json", ...extra];
  const id = (JSON.parse(ok(reg, args, at(day, "09:00"))) as Rec).id;
  ok(reg, ["unit-sign", id, "--as", UNIT_HEAD, "--opinion", "同意"], at(day, "09:10"));
  ok(reg, ["review", id], at(day, "09:20"));
  ok(reg, ["leader-sign", id, "--as", LEADER], at(day, "09:30"));
  ok(reg, ["secretary-review", id, "--as", SECRETARY], at(day, "09:40"));
  ok(reg, ["issue", id, "--as", issuer, "--opinion", "签发"], at(day, "10:00"));
  ok(reg, ["number", id], at(day, "10:10"));
  ok(reg, ["recheck", id], at(day, "10:20"));
  expect(show(reg, id).step).toBe("print");
  return id;
}

describe("outgoing documents: GB/T 9704 front matter", () => {
  let reg: Registry;
  /** An office notice issued Thu 2026-03-05, printed Fri 2026-03-06. */
  let notice: string;
  /** A classified, urgent request (upward) of the party committee, issued 2026-03-05, not printed yet. */
  let request: string;
  const requestTitle = "关于<申请>老旧小区改造专项资金的请示";

  beforeAll(() => {
    reg = tpl.copy();
    notice = toPrint(reg, "关于开展冬季环境卫生整治工作的通知", "office", DIRECTOR, "2026-03-05", [
      "--type",
      "notice",
      "--recipients",
      "各社区居委会,辖区各单位",
      "--cc",
      "区城市管理局,区应急管理局",
      "--copies",
      "30",
    ]);
    ok(reg, ["print", notice, "--done"], at("2026-03-06", "09:00"));
    request = toPrint(reg, requestTitle, "party-committee", SECRETARY, "2026-03-05", [
      "--type",
      "request",
      "--urgency",
      "urgent",
      "--classification",
      "confidential",
      "--secrecy-term",
      "1年",
      "--recipients",
      "区人民政府",
      "--cc",
      "区住房和城乡建设委员会",
    ]);
  }, 120_000);

  it("Markdown: issuer mark, number, title, recipients, date written, cc and the printed-by line", () => {
    const md = print(reg, notice, at("2026-03-06", "10:00"));
    const lines = md.split("\n").map((l) => l.trim());
    const number = `${office.prefixes.office}〔2026〕1号`;
    expect(lines).toContain(`# ${office.issuer_marks.office}`);
    expect(lines).toContain(number);
    expect(lines).toContain("## 关于开展冬季环境卫生整治工作的通知");
    expect(lines).toContain("各社区居委会、辖区各单位：");
    // The date written is the issue day, without zero padding.
    expect(lines).toContain("2026年3月5日");
    expect(md).not.toMatch(/2026年0\d月/);
    const cc = lines.find((l) => l.startsWith("抄送："));
    expect(cc).toMatch(/^抄送：区城市管理局[，、]区应急管理局。?$/);
    const printedBy = lines.find((l) => l.endsWith("印发"));
    expect(printedBy?.startsWith(office.printed_by)).toBe(true);
    expect(printedBy).toMatch(/2026年3月6日印发$/);
    // Unclassified, normal urgency, not upward: no copy number, no mark, no signer.
    for (const absent of ["份号", "★", "加急", "特急", "签发人"]) expect(md).not.toContain(absent);
    expectInOrder(md, [
      office.issuer_marks.office as string,
      number,
      "关于开展冬季环境卫生整治工作的通知",
      "各社区居委会、辖区各单位：",
      "2026年3月5日",
      "抄送：",
      "2026年3月6日印发",
    ]);
  });

  it("HTML: the same elements, in an HTML page", () => {
    const html = print(reg, notice, at("2026-03-06", "10:00"), "--html");
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain(office.issuer_marks.office);
    expect(html).toContain(`${office.prefixes.office}〔2026〕1号`);
    expect(html).toContain("关于开展冬季环境卫生整治工作的通知");
    expect(html).toContain("各社区居委会、辖区各单位：");
    expect(html).toContain("2026年3月5日");
    expect(html).toMatch(/抄送：区城市管理局[，、]区应急管理局/);
    expect(html).toContain(`${office.printed_by}`);
    expect(html).toContain("2026年3月6日印发");
    expect(html).not.toContain("份号");
  });

  it("a classified, urgent, upward document: copy number, 机密★1年, 加急, 签发人", () => {
    const md = print(reg, request, at("2026-03-05", "11:00"));
    const lines = md.split("\n").map((l) => l.trim());
    const number = `${office.prefixes["party-committee"]}〔2026〕1号`;
    expect(lines).toContain("份号：000001");
    expect(lines).toContain("机密★1年");
    expect(lines).toContain("加急");
    expect(lines).toContain(`# ${office.issuer_marks["party-committee"]}`);
    expect(lines).toContain(number);
    // The issuer of a party-committee document is the party secretary: 李建国.
    expect(lines).toContain("签发人：李建国");
    expect(lines).toContain("区人民政府：");
    expect(lines).toContain("2026年3月5日");
    expectInOrder(md, [
      "份号：000001",
      "机密★1年",
      "加急",
      office.issuer_marks["party-committee"] as string,
      number,
      "签发人：李建国",
      "老旧小区改造专项资金的请示",
    ]);
    // Each printed copy has its own number.
    expect(print(reg, request, at("2026-03-05", "11:00"), "--copy", "7")).toContain("份号：000007");
    expect(run(reg, ["print", request, "--copy", "0"], at("2026-03-05", "11:00")).code).toBe(2);
  });

  it("HTML escapes the title; the classified elements are there too", () => {
    const html = print(reg, request, at("2026-03-05", "11:00"), "--html");
    expect(html).toContain("关于&lt;申请&gt;老旧小区改造专项资金的请示");
    expect(html).not.toContain("<申请>");
    for (const s of [
      "份号：000001",
      "机密★1年",
      "加急",
      "签发人：李建国",
      `${office.prefixes["party-committee"]}〔2026〕1号`,
    ])
      expect(html).toContain(s);
  });

  it("print --out writes the file and nothing in the registry", () => {
    const file = join(makeTempDir(), "notice.md");
    const before = repoState(reg.dir);
    ok(reg, ["print", notice, "--out", file], at("2026-03-06", "10:00"));
    expect(repoState(reg.dir)).toEqual(before);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe(print(reg, notice, at("2026-03-06", "10:00")));
  });

  it("print --done completes the print step for the office only, at that step only; sign does the same", () => {
    const now = at("2026-03-05", "15:00");
    const refusedPrint = (args: string[], user = OFFICE) => {
      const before = repoState(reg.dir);
      const r = run(reg, args, now, user);
      expect(r.code, r.stderr).toBe(1);
      expect(repoState(reg.dir)).toEqual({ head: before.head, status: "" });
    };
    refusedPrint(["print", request, "--done", "--as", LEADER]);
    refusedPrint(["print", request, "--done"], STAFF);
    expect(show(reg, request).fields.printed_on).toBeUndefined();
    // `sign` completes the print step just as well, and stamps the printing date.
    ok(reg, ["sign", request], now);
    const r = show(reg, request);
    expect([r.step, r.fields.printed_on]).toEqual(["distribute", "2026-03-05"]);
    expect(print(reg, request, now)).toContain("2026年3月5日印发");
    // The print step is over.
    refusedPrint(["print", request, "--done"]);
  });
});

describe("calls: the transfer form (交办单) of an important call", () => {
  function important(reg: Registry): string {
    const c = JSON.parse(
      ok(
        reg,
        [
          "call",
          "--caller",
          "张建华",
          "--phone",
          "138 1234 5678",
          "--address",
          "幸福里小区3号楼",
          "--matter",
          "小区内<违章>搭建影响通行",
          "--type",
          "report",
          "--category",
          "complex",
          "--important",
          "--json",
        ],
        at("2026-09-18", "10:00"),
      ),
    ) as Rec;
    ok(
      reg,
      ["instruct", c.id, "--as", SECRETARY, "--opinion", "请城管科依法核查处理", "--to", UNIT],
      at("2026-09-18", "11:00"),
    );
    return c.id;
  }

  let reg: Registry;
  let id: string;
  beforeAll(() => {
    reg = tpl.copy();
    id = important(reg);
  }, 60_000);

  it("Markdown: caller, matter, the party secretary's instruction, the receiving unit, the deadline", () => {
    const md = print(reg, id, at("2026-09-18", "11:10"));
    expect(md).toContain("交办单");
    expect(md).toContain(id);
    expect(md).toContain("2026年9月18日");
    const row = (label: string) => md.split("\n").find((l) => l.startsWith(`| ${label} |`)) ?? "";
    // The form goes to the unit: the caller in full, not masked.
    expect(row("来电人")).toContain("张建华");
    expect(row("联系电话")).toContain("13812345678");
    expect(row("反映事项")).toContain("小区内<违章>搭建影响通行");
    expect(md).toContain("请城管科依法核查处理");
    expect(md).toContain("李建国");
    expect(md).toContain("城市管理科");
    // 15 working days from Fri 09-18, across National Day.
    expect(md).toContain("2026年10月15日");
    expectInOrder(md, [
      "张建华",
      "小区内<违章>搭建影响通行",
      "请城管科依法核查处理",
      "城市管理科",
      "2026年10月15日",
    ]);
  });

  it("HTML: the same, escaped", () => {
    const html = print(reg, id, at("2026-09-18", "11:10"), "--html");
    for (const s of [
      "交办单",
      "张建华",
      "13812345678",
      "请城管科依法核查处理",
      "城市管理科",
      "2026年10月15日",
    ])
      expect(html).toContain(s);
    expect(html).toContain("小区内&lt;违章&gt;搭建影响通行");
    expect(html).not.toContain("<违章>");
  });

  it("an extension approved by a leader, the caller informed, moves the deadline on the form", () => {
    ok(
      reg,
      [
        "extend",
        id,
        "--until",
        "2026-10-22",
        "--approved-by",
        LEADER,
        "--reason",
        "需多部门协调",
        "--caller-informed",
      ],
      at("2026-10-12", "09:00"),
    );
    const md = print(reg, id, at("2026-10-12", "09:10"));
    expect(md).toContain("2026年10月22日");
    expect(md).not.toContain("2026年10月15日");
  });

  it("after handling and a reminder, the form still names the receiving unit", () => {
    const own = tpl.copy();
    const c = important(own);
    ok(own, ["handle", c, "--as", STAFF, "--opinion", "已责令拆除"], at("2026-09-21", "10:00"));
    ok(own, ["urge", c, "--note", "请尽快答复来电人"], at("2026-09-22", "09:00"));
    const md = print(own, c, at("2026-09-22", "09:10"));
    const unitRow = md.split("\n").find((l) => l.startsWith("| 承办单位 |"));
    expect(unitRow).toBe("| 承办单位 | 城市管理科 |");
  }, 60_000);
});
