import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { idsOf, insertedAt, recordActionsOf, rewrittenEvent } from "../../src/core/audit.js";
import { DEFAULT_ROLES, type HistoryEvent, type OfficeConfig, type Person } from "../../src/core/model.js";
import { OfficeError } from "../../src/core/problems.js";
import { assertAdmin, assertMayRecordFor, hasAdmin, isAdmin, mayRecordFor } from "../../src/core/trust.js";
import { splitSignature, withSignature } from "../../src/store/signing.js";

/** Issue 18's rules as pure functions: who may record for others, who administers. */

const person = (id: string, ...roles: string[]): Person => ({ id, name: id, roles });
const office = (people: Person[], extra: Partial<OfficeConfig> = {}): OfficeConfig =>
  ({ people, roles: DEFAULT_ROLES, units: [], ...extra }) as unknown as OfficeConfig;

const clerk = person("c", "clerk");
const staff = person("s", "staff");
const head = person("h", "office-head");
const leader = person("l", "leader");

describe("record_for", () => {
  it.each([
    ["a clerk for a leader (default roles)", clerk, leader, undefined, true],
    ["unit staff for a leader", staff, leader, undefined, false],
    ["unit staff for themselves", staff, staff, undefined, true],
    ["the head of the office", head, leader, undefined, true],
    ["a clerk when office.yaml gives only office-head", clerk, leader, ["office-head"], false],
    ["unit staff when office.yaml gives staff", staff, leader, ["staff"], true],
  ] as const)("%s", (_, recorder, other, recordFor, allowed) => {
    const o = office([clerk, staff, head, leader], recordFor ? { record_for: [...recordFor] } : {});
    const run = () => assertMayRecordFor(o, recorder, other, "--as");
    if (allowed) expect(run).not.toThrow();
    else {
      expect(run).toThrow(OfficeError);
      try {
        run();
      } catch (e) {
        expect((e as OfficeError).kind).toBe("refused");
        expect((e as OfficeError).params.option).toBe("--as");
      }
    }
    expect(mayRecordFor(o, recorder) || recorder.id === other.id).toBe(allowed);
  });
});

describe("admin_roles", () => {
  it.each([
    ["no head of the office yet", [clerk, staff], undefined, false],
    ["a head of the office", [clerk, head], undefined, true],
    ["office.yaml names the clerk's role", [clerk, staff], ["clerk"], true],
  ] as const)("%s", (_, people, adminRoles, has) => {
    const o = office([...people], adminRoles ? { admin_roles: [...adminRoles] } : {});
    expect(hasAdmin(o)).toBe(has);
    expect(people.some((p) => isAdmin(o, p))).toBe(has);
    expect(() => assertAdmin(o, undefined, "person add")).toThrow(OfficeError);
  });
});

describe("audit helpers", () => {
  const ev = (action: string, at: string): HistoryEvent => ({ action, at, actor: "a", recorded_by: "a" });
  it.each([
    ["appended", [ev("receive", "1")], [ev("receive", "1"), ev("sign", "2")], -1],
    ["unchanged", [ev("receive", "1")], [ev("receive", "1")], -1],
    ["first changed", [ev("receive", "1"), ev("sign", "2")], [ev("receive", "0"), ev("sign", "2")], 0],
    ["second removed", [ev("receive", "1"), ev("sign", "2")], [ev("receive", "1")], 1],
  ] as const)("rewrittenEvent: %s", (_, before, after, at) => {
    expect(rewrittenEvent(before, after)).toBe(at);
  });

  it("trailer lists", () => {
    expect(idsOf("IN-2026-0001, IN-2026-0002")).toEqual(["IN-2026-0001", "IN-2026-0002"]);
    expect(idsOf(undefined)).toEqual([]);
    expect([...recordActionsOf("MTG-2026-0001=sign, TASK-2026-0001=assign")]).toEqual([
      ["MTG-2026-0001", "sign"],
      ["TASK-2026-0001", "assign"],
    ]);
  });

  it("a signature put into a commit comes out as it went in, the payload unchanged", () => {
    const line = fc.stringMatching(/^[A-Za-z0-9+/=]{1,70}$/);
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), fc.string(), (lines, message) => {
        const text = `tree 1\nparent 2\nauthor a <a> 1 +0800\ncommitter a <a> 1 +0800\n\n${message}`;
        const sig = `-----BEGIN SSH SIGNATURE-----\n${lines.join("\n")}\n-----END SSH SIGNATURE-----\n`;
        const signed = withSignature(text, sig);
        expect(signed).toContain("\ngpgsig -----BEGIN SSH SIGNATURE-----\n ");
        expect(splitSignature(signed)).toEqual({ payload: text, signature: sig });
        expect(splitSignature(text)).toEqual({ payload: text });
      }),
    );
  });
});

describe("insertedAt: one new event among the old ones, their order kept", () => {
  const e = (action: string, at: string) => ({ action, at, actor: "a" }) as HistoryEvent;
  const r = e("receive", "1");
  const n = e("note", "3");
  const u = e("urge", "2");
  it.each([
    ["appended", [r, n], [r, n, u], 2],
    ["inserted before the last", [r, n], [r, u, n], 1],
    ["first", [r], [u, r], 0],
    ["an old event dropped", [r, n], [r, u], undefined],
    ["two new", [r], [r, u, n], undefined],
    ["old events swapped", [r, n, u], [r, u, n, e("note", "4")], undefined],
    ["nothing new", [r, n], [r, n], undefined],
  ] as [string, HistoryEvent[], HistoryEvent[], number | undefined][])("%s", (_, before, after, at) => {
    expect(insertedAt(before, after)).toBe(at);
  });
});
