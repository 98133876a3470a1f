import { describe, expect, it } from "vitest";
import type { RecordSummary } from "../../src/core/model.js";
import { packSummary, unpackListed, unpackSummary } from "../../src/store/index-cache.js";

const base: RecordSummary = {
  id: "IN-2026-0042",
  kind: "incoming",
  title: "关于做好春节期间值班工作的通知",
  status: "open",
  step: "undertake",
  holders: ["urban", "safety"],
  due: "2026-02-24",
  created: "2026-02-13T09:00:00+08:00",
  updated: "2026-02-14T10:00:00+08:00",
};

/** What JSON keeps of a summary: absent and undefined keys alike are left out. */
const asJson = (s: unknown) => JSON.parse(JSON.stringify(s)) as unknown;

describe("open-file rows", () => {
  it.each<[string, RecordSummary]>([
    ["the required keys only", base],
    [
      "no step, no due date (closed)",
      { ...base, status: "closed", step: null, due: null, closed: "2026-03-01T10:00:00+08:00" },
    ],
    [
      "every optional key",
      {
        ...base,
        unit: "urban",
        classification: "secret",
        urgency: "urgent",
        archive: "Z109-WS·2026-D10-0001",
        on_time: false,
        extra: { from: "区民政局", doc_number: "区民发〔2026〕12号" },
      },
    ],
    ["on time, no holders", { ...base, holders: [], on_time: true }],
  ])("%s: unpack(pack(s)) is s, and its listed part alone is the listed keys", (_name, s) => {
    const [listed, rest] = JSON.parse(JSON.stringify(packSummary(s))) as [unknown[], unknown[]];
    expect(asJson(unpackSummary(listed, rest))).toEqual(asJson(s));
    const { id, kind, title, status, step, holders, due, unit, classification, urgency } = s;
    expect(asJson(unpackListed(listed))).toEqual(
      asJson({ id, kind, title, status, step, holders, due, unit, classification, urgency }),
    );
  });

  it("unpacks keys in summarize's order (JSON output must not depend on the source)", () => {
    const s: RecordSummary = {
      ...base,
      unit: "urban",
      urgency: "urgent",
      on_time: true,
      extra: { from: "区民政局" },
    };
    const [listed, rest] = JSON.parse(JSON.stringify(packSummary(s))) as [unknown[], unknown[]];
    expect(JSON.stringify(unpackSummary(listed, rest))).toBe(JSON.stringify(s));
  });

  it("each row has one position per key, trailing absent keys cut off", () => {
    expect(packSummary(base).map((r) => r.length)).toEqual([7, 2]);
    expect(packSummary({ ...base, urgency: "urgent", extra: { a: "b" } }).map((r) => r.length)).toEqual([
      10, 6,
    ]);
  });
});
