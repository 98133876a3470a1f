import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareDecimals, isDecimal, normalizeDecimal, sumDecimals } from "../../src/core/decimal.js";

/** Decimal figures (indicator values) are exact: no binary floating point touches them. */

describe("normalizeDecimal", () => {
  it.each<[string, string | undefined]>([
    ["12.5", "12.5"],
    ["+1.50", "1.50"],
    [" 007.25 ", "7.25"],
    ["0", "0"],
    ["-0", "0"],
    ["-0.00", "0.00"],
    ["-3.1", "-3.1"],
    ["1,5", undefined],
    ["1e3", undefined],
    [".5", undefined],
    ["5.", undefined],
    ["", undefined],
    ["万", undefined],
  ])("%j -> %j", (text, stored) => {
    expect(normalizeDecimal(text)).toBe(stored);
    if (stored !== undefined) expect(isDecimal(stored)).toBe(true);
  });

  it("a stored decimal is not a number: 0.10 keeps its last zero", () => {
    expect(isDecimal("0.10")).toBe(true);
    expect(isDecimal(0.1)).toBe(false);
  });
});

describe("sumDecimals and compareDecimals", () => {
  it.each<[string[], string]>([
    [["0.1", "0.2"], "0.3"],
    [["1.5", "2.25"], "3.75"],
    [["-1.5", "1.5"], "0.0"],
    [["-2", "0.75"], "-1.25"],
    [[], "0"],
    [["12345678901234567890.12", "0.88"], "12345678901234567891.00"],
  ])("%j sum to %s", (values, sum) => {
    expect(sumDecimals(values)).toBe(sum);
  });

  /** A decimal with `scale` places from an integer count of 10^-scale units: the oracle. */
  const fromUnits = (units: bigint, scale: number) => {
    const neg = units < 0n;
    const digits = (neg ? -units : units).toString().padStart(scale + 1, "0");
    const s = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
    return neg ? `-${s}` : s;
  };

  it("equal the sum and order of the integers of units they are made of", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 4 })),
          {
            maxLength: 12,
          },
        ),
        (parts) => {
          const scale = Math.max(0, ...parts.map(([, s]) => s));
          const values = parts.map(([u, s]) => fromUnits(u, s));
          const total = parts.reduce((acc, [u, s]) => acc + u * 10n ** BigInt(scale - s), 0n);
          expect(sumDecimals(values)).toBe(normalizeDecimal(fromUnits(total, scale)));
          if (parts.length >= 2) {
            const [a, b] = values as [string, string];
            const [[ua, sa], [ub, sb]] = parts as [[bigint, number], [bigint, number]];
            const x = ua * 10n ** BigInt(4 - sa);
            const y = ub * 10n ** BigInt(4 - sb);
            expect(compareDecimals(a, b)).toBe(x < y ? -1 : x > y ? 1 : 0);
          }
        },
      ),
    );
  });

  it("refuses what is not a decimal", () => {
    expect(() => sumDecimals(["1", "one"])).toThrow();
  });
});
