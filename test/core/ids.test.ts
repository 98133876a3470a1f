import { describe, expect, it } from "vitest";
import { formatId, isCanonicalId, PLAIN_ID_RE, parseId, type RecordId } from "../../src/core/ids.js";

describe("formatId", () => {
  it.each<[RecordId, string]>([
    [{ prefix: "IN", year: 2026, seq: 42 }, "IN-2026-0042"],
    [{ prefix: "IN", year: 2026, seq: 1 }, "IN-2026-0001"],
    [{ prefix: "OUT", year: 2026, seq: 9999 }, "OUT-2026-9999"],
    [{ prefix: "CALL", year: 2027, seq: 10000 }, "CALL-2027-10000"],
    [{ prefix: "INSP", year: 2026, seq: 123456 }, "INSP-2026-123456"],
  ])("%j -> %s", (id, text) => {
    expect(formatId(id)).toBe(text);
  });
});

describe("parseId", () => {
  it.each<[string, number, RecordId | undefined]>([
    ["IN-2026-0042", 2026, { prefix: "IN", year: 2026, seq: 42 }],
    ["IN-2025-0042", 2026, { prefix: "IN", year: 2025, seq: 42 }],
    ["IN-2026-10000", 2026, { prefix: "IN", year: 2026, seq: 10000 }],
    ["IN-2026-42", 2026, { prefix: "IN", year: 2026, seq: 42 }],
    // short form: this year's
    ["IN-42", 2026, { prefix: "IN", year: 2026, seq: 42 }],
    ["IN-42", 2027, { prefix: "IN", year: 2027, seq: 42 }],
    ["CALL-7", 2026, { prefix: "CALL", year: 2026, seq: 7 }],
    ["IN-00042", 2026, { prefix: "IN", year: 2026, seq: 42 }],
    // case and spaces
    ["in-42", 2026, { prefix: "IN", year: 2026, seq: 42 }],
    ["in-2026-0042", 2026, { prefix: "IN", year: 2026, seq: 42 }],
    ["Out-2026-0003", 2026, { prefix: "OUT", year: 2026, seq: 3 }],
    ["  IN-42\n", 2026, { prefix: "IN", year: 2026, seq: 42 }],
    // not ids
    ["", 2026, undefined],
    ["42", 2026, undefined],
    ["IN", 2026, undefined],
    ["IN-", 2026, undefined],
    ["IN-2026-", 2026, undefined],
    ["I-42", 2026, undefined],
    ["TOOLONG-42", 2026, undefined],
    ["IN_42", 2026, undefined],
    ["IN-42a", 2026, undefined],
    ["IN-26-0042", 2026, undefined],
    ["IN-2026-0042-1", 2026, undefined],
    ["收文-42", 2026, undefined],
  ])("%j (this year %i) -> %j", (text, year, expected) => {
    expect(parseId(text, year)).toEqual(expected);
  });
});

describe("isCanonicalId", () => {
  it.each([
    ["IN-2026-0042", true],
    ["IN-2026-0001", true],
    ["IN-2026-10000", true],
    ["CALL-2026-0007", true],
    ["IN-2026-42", false], // not padded
    ["IN-2026-00042", false], // over-padded
    ["IN-2026-010000", false],
    ["in-2026-0042", false], // lower case
    ["IN-42", false], // short form
    [" IN-2026-0042", false],
    ["IN-2026-0042 ", false],
    ["garbage", false],
  ])("%j -> %s", (text, ok) => {
    expect(isCanonicalId(text)).toBe(ok);
  });

  it("formatId always gives a canonical id that parses back", () => {
    for (const seq of [1, 42, 999, 1000, 9999, 10000, 99999]) {
      const id = { prefix: "IND", year: 2026, seq };
      const text = formatId(id);
      expect(isCanonicalId(text)).toBe(true);
      expect(parseId(text, 1999)).toEqual(id);
    }
  });
});

describe("PLAIN_ID_RE", () => {
  it.each([
    ["wang-shoujie", true],
    ["urban", true],
    ["unit-2", true],
    ["0office", true],
    ["Wang", false],
    ["-wang", false],
    ["wang shoujie", false],
    ["王守杰", false],
    ["", false],
  ])("%j -> %s", (id, ok) => {
    expect(PLAIN_ID_RE.test(id)).toBe(ok);
  });
});
