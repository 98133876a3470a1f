import { describe, expect, it } from "vitest";
import { type Column, plainLayout, type Row, render } from "../../src/ui/render.js";

/**
 * A column's `tone` (the supervision ledger's warning light): the cell coloured at a terminal, after
 * it was measured and fitted, in the boxed and the plain layout; the words alone everywhere else.
 */

const ESC = "\x1b[";
const rows: Row[] = [
  { light: "red", id: "IN-2026-0001" },
  { light: "yellow", id: "IN-2026-0002" },
  { light: "green", id: "IN-2026-0003" },
];
const columns: Column[] = [
  { key: "light", header: "Light", tone: (r) => r.light as "red" | "yellow" | "green" },
  { key: "id", header: "ID" },
];
// The escape character as a pattern's text (biome refuses control characters in regex literals).
const E = String.fromCharCode(27);
const strip = (s: string) => s.replace(new RegExp(`${E}\\[[0-9;]*m`, "g"), "");

describe("toned cells", () => {
  it("are coloured at a terminal: red, yellow and green codes around the words, the layout unchanged", () => {
    const coloured = render("table", columns, rows, { color: true });
    const plain = render("table", columns, rows, { color: false });
    expect(plain).not.toContain(ESC);
    // chalk level 1: red 31 (bold 1), yellow 33, green 32, each closed.
    expect(coloured).toContain("\x1b[31m");
    expect(coloured).toContain("\x1b[33myellow\x1b[39m");
    expect(coloured).toContain("\x1b[32mgreen\x1b[39m");
    // The id column is not toned.
    expect(coloured).not.toMatch(new RegExp(`${E}\\[3\\dmIN-`));
    // The colours take no columns: without them the table is the uncoloured one (borders aside).
    expect(strip(coloured).replace(/[┌┐└┘├┤┬┴┼─│]/g, "")).toBe(plain.replace(/[┌┐└┘├┤┬┴┼─│]/g, ""));
  });

  it("in the plain layout of long tables too, aligned as without colour", () => {
    const many = Array.from({ length: 400 }, (_, i) => rows[i % 3] as Row);
    const coloured = render("table", columns, many, { color: true });
    expect(coloured).toContain("\x1b[32mgreen\x1b[39m");
    const { lines } = plainLayout(columns, many, undefined, false);
    expect(strip(coloured).split("\n").slice(2, -1)).toEqual(lines);
  });

  it.each(["csv", "markdown", "json"] as const)("never in %s: the words", (format) => {
    const out = render(format, columns, rows, { color: true });
    expect(out).not.toContain(ESC);
    expect(out).toContain("yellow");
  });
});
