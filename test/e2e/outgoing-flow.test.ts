import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cleanupTempDirs,
  commitCount,
  git,
  gitStatus,
  json,
  LEADER,
  OFFICE,
  type Registry,
  SECRETARY,
  templateRegistry,
  UNIT_HEAD,
} from "../helpers.js";

afterAll(() => cleanupTempDirs());

type Rec = {
  id: string;
  step: string | null;
  status: string;
  due: string | null;
  deadline: string | null;
  fields: Record<string, unknown>;
  history: { action: string; to?: string[] }[];
};
const DIRECTOR = "zhang-wei";
let reg: Registry;

function ok(args: string[], now: string, user = OFFICE): string {
  const r = reg.run(args, { now, user });
  expect(r.code, `${args.join(" ")}\n${r.stderr}`).toBe(0);
  return r.stdout;
}
const show = (id: string, now = "2026-03-02T09:00:00+08:00") =>
  JSON.parse(ok(["show", id, "--json"], now)) as Rec;

/** Draft an office document and take it through to the number step's completion. */
function draftAndIssue(
  title: string,
  day: string,
  extra: string[] = [],
  category = "office",
  issuer = DIRECTOR,
): string {
  const t = (h: string) => `${day}T${h}:00+08:00`;
  const d = json<Rec>(
    reg.run(
      [
        "draft",
        "--title",
        title,
        "--category",
        category,
        "--unit",
        "urban",
        "--recipients",
        "各社区居委会,辖区各单位",
        "--cc",
        "区城市管理局",
        "--copies",
        "30",
        "--json",
        ...extra,
      ],
      { now: t("09:00"), user: OFFICE },
    ),
  );
  ok(["unit-sign", d.id, "--as", UNIT_HEAD, "--opinion", "同意"], t("09:10"));
  ok(["review", d.id], t("09:20"));
  ok(["leader-sign", d.id, "--as", LEADER], t("09:30"));
  ok(["secretary-review", d.id, "--as", SECRETARY], t("09:40"));
  ok(["issue", d.id, "--as", issuer, "--opinion", "签发"], t("10:00"));
  return d.id;
}

beforeAll(() => {
  reg = templateRegistry().template;
  const r = reg.run(["person", "add", DIRECTOR, "--name", "张伟", "--roles", "director"]);
  expect(r.code, r.stderr).toBe(0);
});

describe("outgoing documents", () => {
  it("an office document is issued by the director only; anyone else is refused and nothing changes", () => {
    const d = json<Rec>(
      reg.run(
        [
          "draft",
          "--title",
          "关于开展冬季环境整治工作的通知",
          "--category",
          "office",
          "--unit",
          "urban",
          "--json",
        ],
        { now: "2026-09-28T09:00:00+08:00", user: OFFICE },
      ),
    );
    // The whole procedure: 5 working days from Mon 09-28, across National Day 2026: 29th, 30th,
    // then Oct 8th, 9th and Sat 10th (an adjusted working day).
    expect(d.deadline).toBe("2026-10-10");
    for (const [cmd, who] of [
      ["unit-sign", UNIT_HEAD],
      ["review", OFFICE],
      ["leader-sign", LEADER],
      ["secretary-review", SECRETARY],
    ] as const)
      ok([cmd, d.id, "--as", who], "2026-09-28T10:00:00+08:00");
    const head = git(reg.dir, ["rev-parse", "HEAD"]);
    const before = reg.read(`records/outgoing/2026/${d.id}.yaml`);
    const r = reg.run(["issue", d.id, "--as", SECRETARY], { now: "2026-09-28T11:00:00+08:00", user: OFFICE });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("张伟");
    expect(git(reg.dir, ["rev-parse", "HEAD"])).toBe(head);
    expect(gitStatus(reg.dir)).toBe("");
    expect(reg.read(`records/outgoing/2026/${d.id}.yaml`)).toBe(before);
    ok(["issue", d.id, "--as", DIRECTOR], "2026-09-30T16:00:00+08:00");
    ok(["number", d.id], "2026-09-30T16:10:00+08:00");
    ok(["recheck", d.id], "2026-09-30T16:20:00+08:00");
    const atPrint = show(d.id);
    // Printing within 1 working day of issue: Sep 30 -> Oct 8 (National Day).
    expect([atPrint.step, atPrint.due, atPrint.fields.date_written]).toEqual([
      "print",
      "2026-10-08",
      "2026-09-30",
    ]);
    expect(String(atPrint.fields.doc_number)).toMatch(/^.+办发〔2026〕1号$/);
  });

  it("numbers are gapless per prefix and year, never reused after a withdrawal, and start again in a new year", () => {
    const a = draftAndIssue("文件甲", "2026-03-02");
    ok(["number", a], "2026-03-02T11:00:00+08:00");
    const b = draftAndIssue("文件乙", "2026-03-03");
    ok(["number", b], "2026-03-03T10:20:00+08:00");
    ok(["withdraw", b, "--as", LEADER, "--reason", "内容有误"], "2026-03-03T10:30:00+08:00");
    const c = draftAndIssue("文件丙", "2026-03-04");
    ok(["number", c], "2026-03-04T11:00:00+08:00");
    const p = draftAndIssue("党工委文件", "2026-03-04", [], "party-committee", SECRETARY);
    ok(["number", p], "2026-03-04T11:30:00+08:00");
    const n = (id: string) => String(show(id).fields.doc_number);
    // The first test's document has 1号.
    expect(n(a)).toMatch(/办发〔2026〕2号$/);
    expect(n(b)).toMatch(/办发〔2026〕3号$/);
    expect(show(b).status).toBe("closed");
    expect(n(c)).toMatch(/办发〔2026〕4号$/);
    expect(n(p)).toMatch(/党发〔2026〕1号$/);
    const next = draftAndIssue("明年的文件", "2027-01-05");
    ok(["number", next], "2027-01-05T11:00:00+08:00");
    expect(n(next)).toMatch(/办发〔2027〕1号$/);
  });

  it("recheck may return it to the signer; after re-issuing, the number stays", () => {
    const a = draftAndIssue("退回再签的文件", "2026-03-05");
    ok(["number", a], "2026-03-05T11:00:00+08:00");
    const number = show(a).fields.doc_number;
    ok(["recheck", a, "--decision", "return", "--opinion", "内容有实质性修改"], "2026-03-05T11:10:00+08:00");
    expect(show(a).step).toBe("issue");
    ok(["issue", a, "--as", DIRECTOR], "2026-03-05T14:00:00+08:00");
    ok(["number", a], "2026-03-05T14:10:00+08:00");
    expect(show(a).fields.doc_number).toBe(number);
  });

  it("egov send: only issued and numbered, never classified, only within the scope", () => {
    const a = draftAndIssue("电子政务发送的文件", "2026-03-06");
    const early = reg.run(["egov", "send", a, "--to", "各社区居委会"], {
      now: "2026-03-06T10:30:00+08:00",
      user: OFFICE,
    });
    expect(early.code).toBe(1);
    ok(["number", a], "2026-03-06T11:00:00+08:00");
    const count = commitCount(reg.dir);
    const wrong = reg.run(["egov", "send", a, "--to", "区财政局"], {
      now: "2026-03-06T11:10:00+08:00",
      user: OFFICE,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("区财政局");
    expect(commitCount(reg.dir)).toBe(count);
    ok(["egov", "send", a, "--to", "各社区居委会,区城市管理局"], "2026-03-06T11:20:00+08:00");
    expect(commitCount(reg.dir)).toBe(count + 1);
    const sent = show(a).history.at(-1);
    expect(sent).toMatchObject({ action: "egov-send", to: ["各社区居委会", "区城市管理局"] });

    const secret = draftAndIssue("涉密文件", "2026-03-06", [
      "--classification",
      "confidential",
      "--secrecy-term",
      "1年",
    ]);
    ok(["number", secret], "2026-03-06T15:00:00+08:00");
    const refused = reg.run(["egov", "send", secret, "--to", "各社区居委会"], {
      now: "2026-03-06T15:10:00+08:00",
      user: OFFICE,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/classified|confidential/);
    const printed = ok(["print", secret], "2026-03-06T15:20:00+08:00");
    expect(printed).toContain("份号：000001");
    expect(printed).toContain("机密★1年");
  });

  it("prints the front matter by GB/T 9704, and the register opens in Excel", () => {
    const a = draftAndIssue("关于<印发>工作方案的请示", "2026-03-09", [
      "--type",
      "request",
      "--urgency",
      "urgent",
    ]);
    ok(["number", a], "2026-03-09T11:00:00+08:00");
    ok(["recheck", a], "2026-03-09T11:10:00+08:00");
    ok(["print", a, "--done"], "2026-03-09T15:00:00+08:00");
    const md = ok(["print", a], "2026-03-09T16:00:00+08:00");
    expect(md).toMatch(/办发〔2026〕\d+号/);
    expect(md).toContain("各社区居委会、辖区各单位：");
    expect(md).toContain("2026年3月9日");
    expect(md).toContain("抄送：区城市管理局。");
    expect(md).toContain("2026年3月9日印发");
    expect(md).toContain("加急");
    expect(md).toContain("签发人：张伟");
    const html = ok(["print", a, "--html"], "2026-03-09T16:00:00+08:00");
    expect(html).toContain("&lt;印发&gt;");
    expect(html).not.toContain("<印发>");
    const csv = ok(
      ["report", "register", "--kind", "outgoing", "--year", "2026", "--format", "csv"],
      "2026-03-09T16:00:00+08:00",
    );
    expect(csv.startsWith("\ufeff")).toBe(true);
    expect(csv).toContain("关于<印发>工作方案的请示");
    expect(csv.split("\r\n")[0]).toContain("ID");
  });

  it("check reports a gap and a duplicate in the numbers after a hand edit", () => {
    const copy = templateRegistry().copy();
    const saved = reg;
    reg = copy;
    try {
      expect(reg.run(["person", "add", DIRECTOR, "--name", "张伟", "--roles", "director"]).code).toBe(0);
      const a = draftAndIssue("甲", "2026-03-10");
      ok(["number", a], "2026-03-10T11:00:00+08:00");
      const b = draftAndIssue("乙", "2026-03-10");
      ok(["number", b], "2026-03-10T11:10:00+08:00");
      const rel = `records/outgoing/2026/${b}.yaml`;
      const text = reg.read(rel).replace(/〔2026〕2号/, "〔2026〕3号");
      writeFileSync(`${reg.dir}/${rel}`, text);
      git(reg.dir, ["-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "hand edit"]);
      const gap = reg.run(["check"], { now: "2026-03-10T12:00:00+08:00" });
      expect(gap.code).toBe(1);
      expect(gap.stdout).toMatch(/〔2026〕2号/);
    } finally {
      reg = saved;
    }
  });
});
