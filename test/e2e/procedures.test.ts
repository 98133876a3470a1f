import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLERK,
  cleanupTempDirs,
  commitByHand,
  commitCount,
  json,
  OFFICE,
  type Registry,
  ROOT,
  repoState,
  templateRegistry,
  UNIT_HEAD,
} from "../helpers.js";

/**
 * Procedures are data (issue 13): a procedure an office writes as one YAML file (用印申请, seal-use
 * requests) works in every command with no code, and a field or value an office adds to a shipped
 * workflow (a call's 12345 hotline ticket) gets its option, help, listing and register column.
 */

/** Commit one file of the registry by hand. */
const commitFile = (reg: Registry, rel: string, text: string) => commitByHand(reg, { [rel]: text });

const SEAL_YAML = readFileSync(join(ROOT, "test", "fixtures", "workflows", "seal.yaml"), "utf8");
const OFFICE_HEAD = "yu-kai";
const at = (day: string, hm: string) => `${day}T${hm}:00+08:00`;

function ok(reg: Registry, args: string[], opts: Parameters<Registry["run"]>[1] = {}) {
  const r = reg.run(args, opts);
  expect(r.code, `${args.join(" ")} exited ${r.code}\n${r.stderr}`).toBe(0);
  return r;
}

let tpl: ReturnType<typeof templateRegistry>;
beforeAll(() => {
  tpl = templateRegistry();
}, 60_000);
afterAll(cleanupTempDirs);

interface Rec {
  id: string;
  kind: string;
  title: string;
  status: string;
  step: string | null;
  holders: string[];
  due: string | null;
  fields: Record<string, unknown>;
  history: { action: string; actor: string; step?: string }[];
}

describe("an office's own procedure: workflows/seal.yaml (用印申请)", () => {
  let reg: Registry;
  beforeAll(() => {
    reg = tpl.copy();
    ok(reg, ["person", "add", OFFICE_HEAD, "--name", "于凯", "--roles", "office-head,office"]);
    commitFile(reg, "workflows/seal.yaml", SEAL_YAML);
  });

  const apply = [
    "seal",
    "--document",
    "关于申报老旧小区改造项目的请示",
    "--unit",
    "urban",
    "--seal",
    "office",
  ];

  it("its create command asks for every required field at once, typed by the YAML (exit 2, nothing written)", () => {
    const before = repoState(reg.dir);
    const r = reg.run(["seal"], { now: at("2026-03-02", "09:00") });
    expect(r.code).toBe(2);
    for (const o of ["--document", "--unit", "--seal", "--copies", "--purpose"])
      expect(r.stderr).toContain(o);
    const bad = reg.run([...apply, "--copies", "three", "--purpose", "报区住建局"], {
      now: at("2026-03-02", "09:00"),
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--copies");
    const badSeal = reg.run(
      ["seal", "--document", "x", "--unit", "urban", "--seal", "finance", "--copies", "1", "--purpose", "p"],
      { now: at("2026-03-02", "09:00") },
    );
    expect(badSeal.code).toBe(2);
    expect(badSeal.stderr).toContain("office, party-committee");
    expect(repoState(reg.dir)).toEqual(before);
  });

  it("--help shows its options with the YAML's labels and values, in en and zh-CN", () => {
    const en = ok(reg, ["seal", "--help"]).stdout;
    expect(en).toContain("request the use of an office seal");
    expect(en).toMatch(/--document <text>\s+Document to seal/);
    expect(en).toContain("office (Office seal)");
    expect(en).toContain("--sent-to");
    expect(en).not.toContain("--sealed-on"); // set by the stamp step
    const zh = ok(reg, ["--lang", "zh-CN", "seal", "--help"]).stdout;
    expect(zh).toContain("申请使用印章");
    expect(zh).toContain("office (办事处公章)");
    expect(ok(reg, ["--help"]).stdout).toMatch(/\n {2}seal\s+request the use/);
    expect(ok(reg, ["approve", "--help"]).stdout).toContain("Approval");
  });

  it("goes through every step to closed, with limits, holders and roles from the YAML", () => {
    const created = json<Rec>(
      ok(reg, [...apply, "--copies", "3", "--purpose", "报区住建局", "--sent-to", "区住建局", "--json"], {
        now: at("2026-03-02", "09:00"),
      }),
    );
    expect(created).toMatchObject({
      id: "SEAL-2026-0001",
      kind: "seal",
      title: "关于申报老旧小区改造项目的请示",
      step: "unit-sign",
      holders: [UNIT_HEAD],
      due: "2026-03-04",
      fields: { unit: "urban", seal: "office", copies: 3, purpose: "报区住建局", sent_to: "区住建局" },
    });
    expect(created.history[0]).toMatchObject({ action: "apply", actor: CLERK });
    const id = created.id;
    ok(reg, ["unit-sign", "SEAL-1", "--as", UNIT_HEAD, "--opinion", "同意"], {
      now: at("2026-03-02", "10:00"),
    });
    // Approval of the office seal is the office head's: office staff are refused, nothing written.
    const before = repoState(reg.dir);
    const refused = reg.run(["approve", "SEAL-1", "--as", OFFICE], { now: at("2026-03-02", "11:00") });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("于凯");
    expect(repoState(reg.dir)).toEqual(before);
    ok(reg, ["approve", "SEAL-1", "--as", OFFICE_HEAD, "--opinion", "同意用印"], {
      now: at("2026-03-03", "09:00"),
    });
    const done = json<Rec>(ok(reg, ["stamp", "SEAL-1", "--json"], { now: at("2026-03-03", "15:00") }));
    expect(done).toMatchObject({ id, status: "closed", step: null, fields: { sealed_on: "2026-03-03" } });
    expect(done.history.map((e) => e.action)).toEqual(["apply", "sign", "sign", "sign"]);
    expect(ok(reg, ["check"]).stdout).not.toMatch(/^(?!.*warning).*SEAL/m);
  });

  it("list --kind, overdue, show, log, report register and stats, print: in en and zh-CN", () => {
    ok(reg, [...apply, "--copies", "1", "--purpose", "存档"], { now: at("2026-03-05", "09:00") });
    const list = ok(reg, ["list", "--kind", "seal", "--format", "csv"], {
      now: at("2026-03-05", "10:00"),
    }).stdout;
    expect(list).toContain("SEAL-2026-0002");
    expect(list).toContain("Seal use request");
    expect(list).toContain("Signed by the unit head");
    const zhList = ok(reg, ["--lang", "zh-CN", "list", "--kind", "seal"], {
      now: at("2026-03-05", "10:00"),
    }).stdout;
    expect(zhList).toContain("用印申请");
    expect(zhList).toContain("申请单位负责人签字");
    // Due 2 working days after Thu 03-05: Mon 03-09; overdue on Tue 03-10.
    const overdue = json<{ id: string; days_overdue: number }[]>(
      ok(reg, ["overdue", "--as-of", "2026-03-10", "--kind", "seal", "--json"], {
        now: at("2026-03-10", "08:00"),
      }),
    );
    expect(overdue).toEqual([
      expect.objectContaining({ id: "SEAL-2026-0002", due: "2026-03-09", days_overdue: 1 }),
    ]);
    expect(
      reg.run(["overdue", "--as-of", "2026-03-10", "--kind", "seal", "--check"], {
        now: at("2026-03-10", "08:00"),
      }).code,
    ).toBe(3);
    const show = ok(reg, ["--lang", "zh-CN", "show", "SEAL-1"]).stdout;
    expect(show).toContain("印章: 办事处公章");
    expect(show).toContain("申请单位: 城市管理科");
    expect(show).toContain("用印日期: 2026-03-03");
    expect(show).toContain("盖章登记");
    expect(ok(reg, ["--lang", "zh-CN", "log", "SEAL-1"]).stdout).toContain("申请");
    const register = ok(reg, [
      "--lang",
      "zh-CN",
      "report",
      "register",
      "--kind",
      "seal",
      "--year",
      "2026",
      "--format",
      "csv",
    ]).stdout;
    const [head, row1] = register.replace(/^\uFEFF/, "").split("\r\n");
    for (const h of ["用印文件", "申请单位", "印章", "用印份数", "用途", "报送单位", "用印日期"])
      expect(head).toContain(h);
    expect(head).not.toContain("标题");
    expect(row1).toContain("办事处公章");
    expect(row1).toContain("2026-03-03");
    const stats = json<{ kind: string; group: string; total: number }[]>(
      ok(reg, ["report", "stats", "--kind", "seal", "--by", "seal", "--json"]),
    );
    expect(stats).toEqual([expect.objectContaining({ kind: "seal", group: "office", total: 2 })]);
    expect(
      ok(reg, ["--lang", "zh-CN", "report", "stats", "--kind", "seal", "--by", "seal"]).stdout,
    ).toContain("办事处公章");
    const form = ok(reg, ["print", "SEAL-1"]).stdout;
    expect(form).toContain("用印申请");
    expect(form).toContain("| 用印文件 | 关于申报老旧小区改造项目的请示 |");
    expect(form).toContain("| 审批 | 同意用印　于凯　2026年3月3日 |");
    expect(ok(reg, ["print", "SEAL-1", "--html"]).stdout).toContain("<th>印章</th><td>办事处公章</td>");
  });

  it("the real bin finds the kind's commands at start-up, from the registry's workflows", () => {
    const r = reg.runBin(["seal", "--help"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("--document");
    const step = reg.runBin(["stamp", "SEAL-1"]);
    expect(step.code).toBe(1);
    expect(step.stderr).toContain("SEAL-2026-0001 is closed");
  });

  it("a broken workflow file is named, not taken for an unknown command", () => {
    const copy = tpl.copy();
    commitFile(copy, "workflows/seal.yaml", SEAL_YAML.replace("role_by_field:", "role_by_feld:"));
    const r = copy.run(["seal", "--document", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("workflows/seal.yaml");
    const check = copy.run(["check"]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/workflows\/seal\.yaml:\d+:/);
    // The other kinds keep working.
    expect(copy.run(["list"]).code).toBe(0);
  });
});

describe("a field and a value an office adds to a shipped workflow (calls)", () => {
  let reg: Registry;
  beforeAll(() => {
    reg = tpl.copy();
    const rel = "workflows/call.yaml";
    const text = reg
      .read(rel)
      .replace(
        "  # Set when the call is transferred",
        "  - { id: hotline_ticket, type: text, summary: true, label: { en: 12345 ticket, zh-CN: 12345工单号 } }\n  # Set when the call is transferred",
      )
      .replace(
        "      - { id: letter, label: { en: letter, zh-CN: 来信 } }",
        "      - { id: letter, label: { en: letter, zh-CN: 来信 } }\n      - hotline",
      );
    expect(text).toContain("hotline_ticket");
    commitFile(reg, rel, text);
  });

  const call = (extra: string[]) => [
    "call",
    "--caller",
    "张建华",
    "--phone",
    "13812345678",
    "--matter",
    "小区路灯损坏",
    ...extra,
  ];

  it("call --hotline-ticket and --channel hotline work end to end", () => {
    const c = json<Rec>(
      ok(reg, [...call(["--hotline-ticket", "12345-2026-0042", "--channel", "hotline"]), "--json"], {
        now: at("2026-03-02", "09:00"),
      }),
    );
    expect(c.fields).toMatchObject({ hotline_ticket: "12345-2026-0042", channel: "hotline" });
    expect(ok(reg, ["call", "--help"]).stdout).toMatch(/--hotline-ticket <hotline-ticket>\s+12345 ticket/);
    expect(ok(reg, ["--lang", "zh-CN", "call", "--help"]).stdout).toContain("12345工单号");
    // A value without a label is shown by its id; the new field by its label.
    const show = ok(reg, ["--lang", "zh-CN", "show", c.id]).stdout;
    expect(show).toContain("12345工单号: 12345-2026-0042");
    expect(show).toContain("来访方式: hotline");
    const register = ok(reg, ["report", "register", "--kind", "call", "--format", "csv"]).stdout;
    expect(register).toContain("12345 ticket");
    expect(register).toContain("12345-2026-0042");
    const stats = json<{ group: string }[]>(
      ok(reg, ["report", "stats", "--kind", "call", "--by", "hotline_ticket", "--json"]),
    );
    expect(stats.map((s) => s.group)).toEqual(["12345-2026-0042"]);
    const listed = json<{ id: string; extra?: Record<string, string> }[]>(
      ok(reg, ["list", "--kind", "call", "--json"]),
    );
    expect(listed[0]?.extra?.hotline_ticket).toBe("12345-2026-0042");
    // The rest of a call goes on as before.
    ok(reg, ["route", c.id, "--to", "urban"], { now: at("2026-03-02", "09:30") });
    ok(reg, ["handle", c.id, "--as", UNIT_HEAD, "--opinion", "已修复"], { now: at("2026-03-03", "09:00") });
    const done = json<Rec>(
      ok(reg, ["reply", c.id, "--answer", "已修复", "--via", "phone", "--json"], {
        now: at("2026-03-03", "10:00"),
      }),
    );
    expect(done).toMatchObject({
      status: "closed",
      fields: { hotline_ticket: "12345-2026-0042", reply_via: "phone" },
    });
    expect(ok(reg, ["check"]).code).toBe(0);
  });

  it("a bad value for the new field's type is refused naming its option", () => {
    const copy = tpl.copy();
    const rel = "workflows/call.yaml";
    commitFile(
      copy,
      rel,
      copy
        .read(rel)
        .replace(
          "  # Set when the call is transferred",
          "  - { id: callback_on, type: date, label: { en: Call back on, zh-CN: 回访日期 } }\n  # Set when the call is transferred",
        ),
    );
    const n = commitCount(copy.dir);
    const r = copy.run(call(["--callback-on", "next week"]));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--callback-on");
    expect(commitCount(copy.dir)).toBe(n);
    expect(ok(copy, call(["--callback-on", "2026-03-09"])).code).toBe(0);
  });
});

describe("check on workflow files: the JSON Schema, format 1, commands that cannot be reached", () => {
  it("a misspelt key is named with its file and line (the engine alone would ignore it)", () => {
    const reg = tpl.copy();
    commitFile(
      reg,
      "workflows/seal.yaml",
      SEAL_YAML.replace("required: true, role:", "requried: true, role:"),
    );
    const r = reg.run(["check"]);
    expect(r.code).toBe(1);
    const line = SEAL_YAML.split("\n").findIndex((l) => l.includes("id: unit,")) + 1;
    expect(r.stdout).toContain(`workflows/seal.yaml:${line}: /fields/0 does not follow the workflow schema`);
    expect(r.stdout).toContain('"requried"');
  });

  it("a workflow still in format 1 is a warning; a create command another kind has is an error", () => {
    const reg = tpl.copy();
    commitFile(
      reg,
      "workflows/incoming.yaml",
      readFileSync(join(ROOT, "test", "fixtures", "v1", "incoming.yaml"), "utf8"),
    );
    const warn = reg.run(["check"]);
    expect(warn.code, warn.stdout).toBe(0);
    expect(warn.stdout).toMatch(/workflows\/incoming\.yaml:1: warning: written in workflow format 1/);
    commitFile(
      reg,
      "workflows/seal.yaml",
      SEAL_YAML.replace("create_command: seal", "create_command: receive"),
    );
    const taken = reg.run(["check"]);
    expect(taken.code).toBe(1);
    expect(taken.stdout).toMatch(/workflows\/seal\.yaml:\d+: the command 'receive' is already incoming's/);
  });
});

describe("the README", () => {
  it("shows the seal example exactly as this test runs it", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain(`\`\`\`yaml\n${SEAL_YAML}\`\`\``);
  });
});
