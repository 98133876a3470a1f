import { describe, expect, it } from "vitest";
import { outputColumns, textForPeople } from "../../src/cli/output.js";

describe("textForPeople (what writeOut writes)", () => {
  it.each([
    ["a list\n", "a list\n"],
    ["\u001b[2J\n", "\\x1b[2J\n"],
    // A progress line redrawn in place keeps its opening CR; a CR inside a message does not.
    ["\rbuilding the index: 10/20", "\rbuilding the index: 10/20"],
    ["error: x\roverwritten", "error: x\\x0doverwritten"],
    ["csv,line\r\nnext\r\n", "csv,line\r\nnext\r\n"],
    ['{\n  "title": "a\u202eb\u0085"\n}\n', '{\n  "title": "a\\u202eb\\u0085"\n}\n'],
  ])("%j", (text, shown) => {
    expect(textForPeople(text)).toBe(shown);
  });
});

describe("outputColumns", () => {
  it.each<[string, number | undefined]>([
    ["80", 80],
    [" 120 ", 120],
    ["0", undefined],
  ])("OFFICE_DOC_COLUMNS=%j -> %s", (v, n) => {
    expect(outputColumns({ OFFICE_DOC_COLUMNS: v })).toBe(n);
  });

  it("a value that is not a whole number is ignored (the terminal decides, or nothing)", () => {
    for (const v of ["wide", "-5", "8O", ""])
      expect(outputColumns({ OFFICE_DOC_COLUMNS: v })).toBe(outputColumns({}));
  });
});
