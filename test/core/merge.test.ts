import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ActionContext, annotate, createRecord, sign } from "../../src/core/engine.js";
import { HOOKS } from "../../src/core/hooks.js";
import { formatId, idPattern, isProvisionalId, parseId } from "../../src/core/ids.js";
import { interleave, mergeRecord, type ReplayContext, resolveEvent } from "../../src/core/merge.js";
import type { HistoryEvent, OfficeConfig, Person, RecordDoc } from "../../src/core/model.js";
import { validateOffice } from "../../src/core/office.js";
import type { WorkflowDef } from "../../src/core/workflow.js";
import { at, CALENDAR, incomingWorkflow, makeOffice, P } from "./fixtures.js";

/**
 * Merging two clerks' versions of one record by their events (issue 17, core/merge.ts), and the
 * provisional ids of records registered offline.
 */

const WF: WorkflowDef = incomingWorkflow();
const OFFICE: OfficeConfig = makeOffice();
const people = Object.values(P) as Person[];

function ctx(actor: Person, when: string): ActionContext {
  return { office: OFFICE, wf: WF, calendar: CALENDAR, now: at(when), actor, recorder: actor, hooks: HOOKS };
}

const RC: ReplayContext = {
  person: (id) => people.find((p) => p.id === id),
  contextFor(e) {
    const actor = people.find((p) => p.id === e.actor);
    return actor ? ctx(actor, e.at) : undefined;
  },
};

const t = (hm: string) => `2026-02-12T${hm}:00+08:00`;
const BASE: RecordDoc = createRecord(
  ctx(P.clerk, t("09:00")),
  "IN-2026-0001",
  "关于做好春节期间安全生产工作的通知",
  { from: "区政府办公室", urgency: "normal", classification: "none" },
  at(t("09:00")),
).record;

type Act = (r: RecordDoc) => RecordDoc;
const note =
  (hm: string, text: string): Act =>
  (r) =>
    annotate(r, ctx(P.office, t(hm)), "note", text).record;
const urge =
  (hm: string): Act =>
  (r) =>
    annotate(r, ctx(P.clerk, t(hm)), "urge", "请抓紧").record;
const propose =
  (hm: string, opinion: string): Act =>
  (r) =>
    sign(r, ctx(P.office, t(hm)), { opinion }).record;
const apply = (acts: Act[]) => acts.reduce((r, f) => f(r), BASE);
const actions = (r: RecordDoc) => r.history.map((e) => `${e.action}@${e.at.slice(11, 16)}`);

describe("mergeRecord", () => {
  it.each<[string, Act[], Act[], string[] | string]>([
    [
      "a note here and a reminder there: both, by time",
      [urge("09:30")],
      [note("10:00", "已联系")],
      ["receive@09:00", "urge@09:30", "note@10:00"],
    ],
    [
      "a proposal there and an earlier note here: the note takes its place in time",
      [propose("11:00", "拟请城管科办理")],
      [note("10:00", "已联系")],
      ["receive@09:00", "note@10:00", "sign@11:00"],
    ],
    [
      "a proposal here and a note there: the proposal stands, the note by time",
      [note("12:00", "已联系")],
      [propose("11:00", "拟请城管科办理")],
      ["receive@09:00", "sign@11:00", "note@12:00"],
    ],
    [
      "two proposals at the same step: a conflict",
      [propose("11:00", "拟请城管科办理")],
      [propose("11:05", "拟请民政科办理")],
      "engine.wrong-step",
    ],
  ])("%s", (_name, theirs, mine, expected) => {
    const out = mergeRecord(BASE, apply(theirs), apply(mine), RC);
    if (typeof expected === "string") {
      expect(out.conflict?.reason).toBe(expected);
      expect(out.conflict?.theirs.map((e) => e.opinion)).toEqual(["拟请城管科办理"]);
      expect(out.conflict?.mine.map((e) => e.opinion)).toEqual(["拟请民政科办理"]);
      return;
    }
    expect(out.conflict).toBeUndefined();
    expect(actions(out.record as RecordDoc)).toEqual(expected);
    // The remote's state stands whenever it changed the record.
    if (theirs.length && apply(theirs).step !== BASE.step) expect(out.record?.step).toBe(apply(theirs).step);
  });

  it("a history an earlier merge put in time order (an event among the base's) merges again", () => {
    const base = apply([note("10:00", "甲")]);
    const merged = mergeRecord(BASE, base, apply([urge("09:30")]), RC).record as RecordDoc;
    expect(actions(merged)).toEqual(["receive@09:00", "urge@09:30", "note@10:00"]);
    const out = mergeRecord(base, merged, note("11:00", "乙")(base), RC);
    expect(out.conflict).toBeUndefined();
    expect(actions(out.record as RecordDoc)).toEqual([
      "receive@09:00",
      "urge@09:30",
      "note@10:00",
      "note@11:00",
    ]);
    const proposed = mergeRecord(base, merged, propose("11:00", "拟请城管科办理")(base), RC);
    expect(proposed.record?.step).toBe("instruct");
    expect(actions(proposed.record as RecordDoc)).toEqual([
      "receive@09:00",
      "urge@09:30",
      "note@10:00",
      "sign@11:00",
    ]);
  });

  it("an event changed or removed on one side is a conflict, never merged", () => {
    const theirs = apply([note("10:00", "甲")]);
    const mine = structuredClone(apply([note("10:30", "乙")]));
    (mine.history[0] as HistoryEvent).actor = P.leader.id;
    expect(mergeRecord(BASE, theirs, mine, RC).conflict?.reason).toBe("history-changed");
  });

  it("keep remote: the remote's proposal stands, this clone's is set aside", () => {
    const out = mergeRecord(
      BASE,
      apply([propose("11:00", "拟请城管科办理")]),
      apply([propose("11:05", "拟请民政科办理"), note("11:10", "已联系")]),
      RC,
      "remote",
    );
    if (out.conflict) throw new Error(`unexpected conflict: ${out.conflict.reason}`);
    expect(out.dropped.map((e) => e.opinion)).toEqual(["拟请民政科办理"]);
    expect(actions(out.record)).toEqual(["receive@09:00", "sign@11:00", "note@11:10"]);
  });

  it("keep local: the remote's events stay in the history, set aside by a resolve event", () => {
    const theirs = apply([propose("11:00", "拟请城管科办理")]);
    const r = resolveEvent(BASE, theirs, { actor: P.office.id, at: t("12:00"), reason: "书记改批" });
    expect(r.step).toBe(BASE.step);
    expect(r.history.slice(0, 2)).toEqual(theirs.history);
    expect(r.history[2]).toMatchObject({ action: "resolve", actor: P.office.id, reason: "书记改批" });
    expect(r.history[2]?.note).toContain("sign (propose) wang-shoujie");
  });
});

describe("two readers of a circulation, on two clones", () => {
  const d = (day: string, hm: string) => `2026-02-${day}T${hm}:00+08:00`;
  let r = sign(BASE, ctx(P.office, d("12", "10:00")), { opinion: "拟请城管科办理" }).record;
  r = sign(r, ctx(P.secretary, d("13", "09:00")), { opinion: "同意", to: ["urban"] }).record;
  r = sign(r, ctx(P.staff, d("24", "10:00")), { opinion: "已落实" }).record;
  const atCirculate = sign(r, ctx(P.office, d("24", "15:00")), { to: [P.leader.id, P.unitHead.id] }).record;

  it.each([
    ["the remote's reader first", "09:00", "10:00"],
    ["this clone's reader first", "10:00", "09:00"],
  ])("%s: both signatures stand and the later completes the step", (_n, theirsAt, mineAt) => {
    const theirs = sign(atCirculate, ctx(P.leader, d("25", theirsAt)), { opinion: "已阅" }).record;
    const mine = sign(atCirculate, ctx(P.unitHead, d("25", mineAt)), { opinion: "已阅" }).record;
    const out = mergeRecord(atCirculate, theirs, mine, RC);
    expect(out.conflict).toBeUndefined();
    expect(out.record?.step).toBe("file");
    const signs = out.record?.history.filter((e) => e.step === "circulate" && e.action === "sign") ?? [];
    expect(signs.map((e) => e.actor).sort()).toEqual([P.leader.id, P.unitHead.id].sort());
    // The remote's event is shared: it stays exactly as it was.
    expect(out.record?.history).toContainEqual(theirs.history.at(-1));
  });
});

describe("interleave", () => {
  const ev = (minute: number, who: string): HistoryEvent => ({
    action: "note",
    at: `2026-02-12T10:${String(minute).padStart(2, "0")}:00+08:00`,
    actor: who,
    recorded_by: who,
  });
  const sorted = fc
    .array(fc.integer({ min: 0, max: 59 }), { maxLength: 8 })
    .map((xs) => [...xs].sort((a, b) => a - b));

  it("keeps each side's events in their order, all of them, in time order", () => {
    fc.assert(
      fc.property(sorted, sorted, (a, b) => {
        const theirs = a.map((m) => ev(m, "theirs"));
        const mine = b.map((m) => ev(m, "mine"));
        const out = interleave(theirs, mine);
        expect(out.filter((e) => e.actor === "theirs")).toEqual(theirs);
        expect(out.filter((e) => e.actor === "mine")).toEqual(mine);
        const times = out.map((e) => Date.parse(e.at));
        expect(times).toEqual([...times].sort((x, y) => x - y));
      }),
    );
  });

  it("notes and reminders on both sides: all kept, none changed, each side's in its order", () => {
    const acts = fc.array(fc.record({ m: fc.integer({ min: 0, max: 59 }), urge: fc.boolean() }), {
      maxLength: 5,
    });
    const build = (xs: { m: number; urge: boolean }[], who: string) =>
      [...xs]
        .sort((a, b) => a.m - b.m)
        .map((x) =>
          x.urge
            ? urge(`10:${String(x.m).padStart(2, "0")}`)
            : note(`10:${String(x.m).padStart(2, "0")}`, who),
        );
    fc.assert(
      fc.property(acts, acts, (a, b) => {
        const theirs = apply(build(a, "theirs"));
        const mine = apply(build(b, "mine"));
        const out = mergeRecord(BASE, theirs, mine, RC);
        if (out.conflict) throw new Error(out.conflict.reason);
        const h = out.record.history;
        expect(h).toHaveLength(1 + a.length + b.length);
        expect(h.filter((e) => theirs.history.includes(e))).toEqual(theirs.history);
        expect(h.filter((e) => mine.history.slice(1).includes(e))).toEqual(mine.history.slice(1));
      }),
      { numRuns: 50 },
    );
  });

  it("never moves anything before the remote's last resolve", () => {
    const theirs = [ev(30, "theirs"), { ...ev(40, "theirs"), action: "resolve" }];
    expect(interleave(theirs, [ev(10, "mine")]).map((e) => e.actor)).toEqual(["theirs", "theirs", "mine"]);
  });
});

describe("provisional ids", () => {
  it.each<[string, string | undefined]>([
    ["IN-2026-L0003", "IN-2026-L0003"],
    ["in-2026-l3", "IN-2026-L0003"],
    ["IN-L3", "IN-2026-L0003"],
    ["IN-2026-0003", "IN-2026-0003"],
    ["IN-2026-LL3", undefined],
    ["IN-2026-3L", undefined],
  ])("%s -> %s", (text, canonical) => {
    const id = parseId(text, 2026);
    expect(id ? formatId(id) : undefined).toBe(canonical);
    expect(isProvisionalId(canonical ?? "")).toBe(canonical?.includes("-L") ?? false);
  });

  it.each<[string, string, string]>([
    ["source: IN-2026-L0003", "IN-2026-L0003", "source: IN-2026-0057"],
    ["IN-2026-L0003, IN-2026-L00031", "IN-2026-L0003", "IN-2026-0057, IN-2026-L00031"],
    ["X-IN-2026-L0003", "IN-2026-L0003", "X-IN-2026-L0003"],
  ])("renaming %j", (text, from, expected) => {
    expect(text.replace(idPattern(from), "IN-2026-0057")).toBe(expected);
  });
});

describe("office.yaml sync:", () => {
  const base = { name: "X街道办事处" };
  it.each<[unknown, { auto: boolean } | undefined, string | undefined]>([
    [undefined, undefined, undefined],
    [{ auto: false }, undefined, undefined],
    [{ auto: true }, { auto: true }, undefined],
    [{ auto: "yes" }, undefined, "sync.auto"],
    [true, undefined, "sync"],
  ])("sync: %j", (sync, value, problem) => {
    const r = validateOffice(sync === undefined ? base : { ...base, sync });
    expect(r.problems.map((p) => p.path.join("."))[0]).toBe(problem);
    if (!problem) expect(r.value?.sync).toEqual(value);
  });
});
