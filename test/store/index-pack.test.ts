import { describe, expect, it } from "vitest";
import type { RecordSummary } from "../../src/core/model.js";
import { packSummary, unpackSummary } from "../../src/store/index-cache.js";

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
  ])("%s: unpack(pack(s)) is s", (_name, s) => {
    const row = packSummary(s);
    expect(asJson(unpackSummary(JSON.parse(JSON.stringify(row)) as unknown[]))).toEqual(asJson(s));
  });

  it("unpacks keys in summarize's order (JSON output must not depend on the source)", () => {
    const s: RecordSummary = { ...base, unit: "urban", on_time: true, extra: { from: "区民政局" } };
    expect(JSON.stringify(unpackSummary(JSON.parse(JSON.stringify(packSummary(s))) as unknown[]))).toBe(
      JSON.stringify(s),
    );
  });

  it("a row has one position per key, trailing absent keys cut off", () => {
    expect(packSummary(base)).toHaveLength(9);
    expect(packSummary({ ...base, extra: { a: "b" } })).toHaveLength(16);
  });
});
