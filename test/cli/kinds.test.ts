import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineKindCommands, KIND_COMMANDS } from "../../src/cli/kind-commands.js";
import { printResult } from "../../src/cli/present.js";
import { recordAction } from "../../src/cli/service.js";
import { amend } from "../../src/core/engine.js";
import { defineHooks, type Guard, HOOKS } from "../../src/core/hooks.js";
import { refused } from "../../src/core/problems.js";
import { cli, cliOk } from "../cli-harness.js";
import {
  addSecondUnit,
  cleanupTempDirs,
  commitByHand,
  json,
  OFFICE,
  type Registry,
  repoState,
  STAFF,
  templateRegistry,
  UNIT_HEAD,
  UNIT2,
  UNIT2_HEAD,
} from "../helpers.js";

/**
 * The hook kinds of the coming procedures (issues 14-16), each proved on a small workflow of a temp
 * registry run in-process with hooks of the test's own: a creation guard reading other records
 * (a room booked twice), a guard's warning, a step guard (a checklist with a problem), a kind
 * command in a kind's group (`meeting reply`), a create command in a group (`meeting request`), a
 * step whose id is a built-in command (`meeting check`), items and map fields, an upsert key (one
 * report per unit and month), and "each listed unit" as a step's actor.
 */

const at = (day: string, hm: string) => `${day}T${hm}:00+08:00`;

const MEETING = `format: 2
kind: meeting
prefix: MTG
label: { en: Meeting, zh-CN: 会议 }
create_action: request
create_command: meeting request
checks: [room-free, early-enough]
commands: { meeting reply: meeting-reply }
fields:
  - { id: start, type: datetime, required: true, summary: true, label: { en: Start, zh-CN: 开始 } }
  - { id: end, type: datetime, required: true, summary: true, label: { en: End, zh-CN: 结束 } }
  - { id: place, type: text, required: true, summary: true, label: { en: Place, zh-CN: 地点 } }
  - id: replies
    type: items
    create: false
    label: { en: Replies, zh-CN: 回执 }
    item_fields:
      - { id: person, type: text, ref: person, required: true, label: { en: Person, zh-CN: 人员 } }
      - { id: answer, type: enum, required: true, values: [attend, leave], label: { en: Answer, zh-CN: 答复 } }
      - { id: reason, type: text, label: { en: Reason, zh-CN: 事由 } }
  - id: checklist
    type: items
    label: { en: Checklist, zh-CN: 会前检查 }
    item_fields:
      - { id: item, type: text, required: true, label: { en: Item, zh-CN: 项目 } }
      - { id: state, type: enum, required: true, values: [ok, problem], label: { en: State, zh-CN: 状态 } }
steps:
  - id: review
    label: { en: Review, zh-CN: 审核 }
    actor: { roles: [office] }
  - id: check
    label: { en: Pre-meeting check, zh-CN: 会前检查 }
    actor: { roles: [office] }
    sets: [checklist]
    checks: [all-items-ok]
`;

const MONTHLY = `format: 2
kind: monthly
prefix: MON
label: { en: Monthly figures, zh-CN: 月度数据 }
create_action: submit
create_command: figures submit
upsert_key: [unit, month]
fields:
  - { id: unit, type: text, ref: unit, required: true, role: responsible-unit, label: { en: Unit, zh-CN: 单位 } }
  - { id: month, type: month, required: true, label: { en: Month, zh-CN: 月份 } }
  - { id: figures, type: map, option: value, required: true, keys: [output, tax], label: { en: Figures, zh-CN: 数据 } }
steps:
  - id: leader-sign
    label: { en: Signed by the leader, zh-CN: 分管领导签字 }
    actor: { roles: [leader] }
`;

const AUDIT = `format: 2
kind: audit
prefix: AUD
label: { en: Audit, zh-CN: 督查 }
create_action: plan
create_command: audit plan
fields:
  - { id: units, type: list, refs: unit, required: true, label: { en: Units, zh-CN: 被督查单位 } }
steps:
  - id: submit
    label: { en: Materials submitted, zh-CN: 报送材料 }
    actor: { from_field: units, all: true }
  - id: report
    label: { en: Report, zh-CN: 督查报告 }
    actor: { roles: [office] }
`;

/** A booked room refuses another meeting in it at an overlapping time, naming that meeting. */
const roomFree: Guard = ({ record, peers }) => {
  const f = record.fields;
  for (const s of peers.open()) {
    const x = s.extra ?? {};
    if (
      s.kind === record.kind &&
      s.id !== record.id &&
      x.place === f.place &&
      String(x.start) < String(f.end) &&
      String(f.start) < String(x.end)
    )
      throw refused("engine.not-optional", { id: s.id, step: `${x.place} ${x.start}` });
  }
  return undefined;
};
/** A request less than a day ahead is let through with a warning. */
const earlyEnough: Guard = ({ record, now }) =>
  Date.parse(String(record.fields.start)) - now < 86_400_000
    ? [{ code: "deadline.uncovered-years", params: { years: "short notice" } }]
    : undefined;
const allItemsOk: Guard = ({ record }) => {
  const bad = ((record.fields.checklist as { item: string; state: string }[] | undefined) ?? []).filter(
    (i) => i.state !== "ok",
  );
  if (bad.length)
    throw refused("engine.step-requires", { step: "check", fields: bad.map((b) => b.item).join(", ") });
  return undefined;
};

const hooks = defineHooks({
  guards: { ...HOOKS.guards, "room-free": roomFree, "early-enough": earlyEnough, "all-items-ok": allItemsOk },
  forms: HOOKS.forms,
});

const kindCommands = defineKindCommands({
  ...KIND_COMMANDS,
  /** `meeting reply ID attend|leave [--reason T]`: the actor's reply, kept in the items field. */
  "meeting-reply": {
    description: "help.note",
    arguments: [
      { name: "id", description: "help.arg-id" },
      { name: "answer", description: "help.opt-text" },
    ],
    options: [{ flags: "--reason <text>", description: "help.opt-reason" }],
    async run(ctx, { args, opts }) {
      const res = await recordAction(ctx, args[0] as string, "reply", (rec, ac) => {
        const replies = ((rec.fields.replies as unknown[]) ?? []).concat([
          { person: ac.actor.id, answer: args[1], ...(opts.reason ? { reason: opts.reason } : {}) },
        ]);
        return amend(rec, ac, "reply", { replies });
      });
      return printResult(ctx, res, ctx.reg.workflow(res.record.kind));
    },
  },
});

interface Rec {
  id: string;
  step: string | null;
  status: string;
  holders: string[];
  fields: Record<string, unknown>;
  history: { action: string; changes?: Record<string, unknown>; previous?: Record<string, unknown> }[];
}

let reg: Registry;
const opts = { hooks, kindCommands };
beforeAll(() => {
  reg = templateRegistry().template;
  addSecondUnit(reg);
  commitByHand(reg, {
    "workflows/meeting.yaml": MEETING,
    "workflows/monthly.yaml": MONTHLY,
    "workflows/audit.yaml": AUDIT,
  });
}, 60_000);
afterAll(cleanupTempDirs);

describe("meetings: a create command in a group, guards, a kind command, items", () => {
  const request = (start: string, end: string, place = "第一会议室") => [
    "meeting",
    "request",
    "--title",
    "主任办公会",
    "--start",
    start,
    "--end",
    end,
    "--place",
    place,
    "--json",
  ];

  it("`meeting request` creates; a second booking of the room at an overlapping time is refused by the guard", async () => {
    const m = json<Rec>(
      await cliOk(reg, request(at("2026-03-04", "09:00"), at("2026-03-04", "11:00")), {
        ...opts,
        now: at("2026-03-02", "09:00"),
      }),
    );
    expect(m).toMatchObject({ id: "MTG-2026-0001", step: "review" });
    const before = repoState(reg.dir);
    const clash = await cli(reg, request(at("2026-03-04", "10:00"), at("2026-03-04", "12:00")), {
      ...opts,
      now: at("2026-03-02", "10:00"),
    });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain("MTG-2026-0001");
    expect(repoState(reg.dir)).toEqual(before);
    // Another room, or the same room after the first meeting: allowed.
    await cliOk(reg, request(at("2026-03-04", "10:00"), at("2026-03-04", "12:00"), "第二会议室"), {
      ...opts,
      now: at("2026-03-02", "10:00"),
    });
  });

  it("a guard's warning lets the request through and is printed", async () => {
    const r = await cliOk(reg, request(at("2026-03-04", "14:00"), at("2026-03-04", "15:00")), {
      ...opts,
      now: at("2026-03-04", "08:00"),
    });
    expect(r.stderr).toContain("short notice");
  });

  it("without the hooks the workflow names, the registry refuses it as invalid", async () => {
    const r = await cli(reg, ["meeting", "request", "--title", "t"], { now: at("2026-03-02", "09:00") });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("workflows/meeting.yaml");
    expect(r.stderr).toContain("room-free");
  });

  it("`meeting reply` (a kind command) keeps each reply in the items field", async () => {
    await cliOk(reg, ["meeting", "reply", "MTG-1", "attend"], { ...opts, user: UNIT_HEAD });
    const r = json<Rec>(
      await cliOk(reg, ["meeting", "reply", "MTG-1", "leave", "--reason", "出差", "--json"], {
        ...opts,
        user: STAFF,
      }),
    );
    expect(r.fields.replies).toEqual([
      { person: UNIT_HEAD, answer: "attend" },
      { person: STAFF, answer: "leave", reason: "出差" },
    ]);
    expect(r.history.at(-1)).toMatchObject({
      action: "reply",
      previous: { replies: [{ person: UNIT_HEAD }] },
    });
    const show = (await cliOk(reg, ["--lang", "zh-CN", "show", "MTG-1"], opts)).stdout;
    expect(show).toContain("回执: 赵磊 attend; 钱芳 leave 出差");
  });

  it("`meeting check` is the step named like the built-in check; its guard refuses a problem item", async () => {
    await cliOk(reg, ["review", "MTG-1", "--as", OFFICE], opts);
    const help = (await cliOk(reg, ["meeting", "check", "--help"], opts)).stdout;
    expect(help).toContain("--checklist <item:state>");
    const before = repoState(reg.dir);
    const bad = await cli(
      reg,
      [
        "meeting",
        "check",
        "MTG-1",
        "--as",
        OFFICE,
        "--checklist",
        "音响:ok",
        "--checklist",
        "饮用水:problem",
      ],
      opts,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("饮用水");
    expect(repoState(reg.dir)).toEqual(before);
    const badValue = await cli(
      reg,
      ["meeting", "check", "MTG-1", "--as", OFFICE, "--checklist", "音响:fine"],
      opts,
    );
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain("--checklist");
    const done = json<Rec>(
      await cliOk(
        reg,
        [
          "meeting",
          "check",
          "MTG-1",
          "--as",
          OFFICE,
          "--checklist",
          "音响:ok",
          "--checklist",
          "饮用水:ok",
          "--json",
        ],
        opts,
      ),
    );
    expect(done).toMatchObject({
      status: "closed",
      fields: {
        checklist: [
          { item: "音响", state: "ok" },
          { item: "饮用水", state: "ok" },
        ],
      },
    });
    // The built-in `check` is still the registry check.
    expect((await cli(reg, ["check"], opts)).code).toBe(0);
  });
});

describe("monthly figures: a map of decimals and an upsert key (one record per unit and month)", () => {
  const submit = (unit: string, month: string, ...values: string[]) => [
    "figures",
    "submit",
    "--title",
    `${month} ${unit}`,
    "--unit",
    unit,
    "--month",
    month,
    ...values.flatMap((v) => ["--value", v]),
    "--json",
  ];

  it("keeps figures as typed decimals; a second submit for the same unit and month revises the open record", async () => {
    const first = json<Rec>(await cliOk(reg, submit("urban", "2026-02", "output=0.1", "tax=12.50"), opts));
    expect(first.fields.figures).toEqual({ output: "0.1", tax: "12.50" });
    const yaml = reg.read(`records/monthly/2026/00/${first.id}.yaml`);
    expect(yaml).toContain('output: "0.1"');
    const again = json<Rec>(await cliOk(reg, submit("urban", "2026-02", "output=0.2", "tax=12.50"), opts));
    expect(again.id).toBe(first.id);
    expect(again.history.at(-1)).toMatchObject({
      action: "revise",
      changes: { figures: { output: "0.2", tax: "12.50" } },
      previous: { figures: { output: "0.1", tax: "12.50" } },
    });
    // Another unit or month is another record.
    const other = json<Rec>(await cliOk(reg, submit(UNIT2, "2026-02", "output=3"), opts));
    expect(other.id).not.toBe(first.id);
  });

  it("a bad name or number is exit 2 naming it; nothing is written", async () => {
    const before = repoState(reg.dir);
    const badKey = await cli(reg, submit("urban", "2026-03", "gdp=1"), opts);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain("gdp=1");
    const badNumber = await cli(reg, submit("urban", "2026-03", "output=1,5"), opts);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain("--value");
    expect(repoState(reg.dir)).toEqual(before);
  });

  it("once closed, the same key is refused (exit 1) until reopened", async () => {
    const id = json<Rec>(await cliOk(reg, submit("urban", "2026-01", "output=5"), opts)).id;
    await cliOk(reg, ["leader-sign", id], { ...opts, user: "zhou-qiang" });
    const r = await cli(reg, submit("urban", "2026-01", "output=6"), opts);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(id);
  });
});

describe("audits: each listed unit acts on a step (actor from_field)", () => {
  it("every unit named in the record signs for itself; the step completes with the last", async () => {
    const a = json<Rec>(
      await cliOk(
        reg,
        ["audit", "plan", "--title", "安全生产督查", "--units", `urban,${UNIT2}`, "--json"],
        opts,
      ),
    );
    expect(a).toMatchObject({ step: "submit", holders: ["urban", UNIT2] });
    const refusedOffice = await cli(reg, ["submit", a.id, "--as", OFFICE], opts);
    expect(refusedOffice.code).toBe(1);
    const one = json<Rec>(await cliOk(reg, ["submit", a.id, "--as", UNIT_HEAD, "--json"], opts));
    expect(one).toMatchObject({ step: "submit", holders: [UNIT2] });
    const two = json<Rec>(await cliOk(reg, ["submit", a.id, "--as", UNIT2_HEAD, "--json"], opts));
    expect(two).toMatchObject({ step: "report", holders: [OFFICE] });
    // `report` is a built-in command: the step is `audit report`.
    const done = json<Rec>(await cliOk(reg, ["audit", "report", a.id, "--as", OFFICE, "--json"], opts));
    expect(done.status).toBe("closed");
  });
});
