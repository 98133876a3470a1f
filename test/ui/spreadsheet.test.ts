import ExcelJS from "exceljs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maskValue } from "../../src/core/privacy.js";
import { hasUnsafeChars } from "../../src/core/text.js";
import type { Column, Row } from "../../src/ui/render.js";
import { toCsv } from "../../src/ui/render.js";
import { csvCell, sheetName, spreadsheetText, toXlsx } from "../../src/ui/spreadsheet.js";

/** What a spreadsheet reads as a formula: a cell that starts with one of these (OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** The fields of a CSV line (RFC 4180), unquoted. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  const re = /(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g;
  for (const m of line.matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : (m[2] ?? ""));
  return out;
}

describe("CSV cells cannot become formulas (OWASP CSV injection)", () => {
  it.each([
    ['=HYPERLINK("http://evil.example","点击")', `"'=HYPERLINK(""http://evil.example"",""点击"")"`],
    ["=1+1", "'=1+1"],
    ["@SUM(1,1)", `"'@SUM(1,1)"`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["\t=1+1", "'\t=1+1"],
    ["\r\n=1+1", `"'\r\n=1+1"`],
    ["\r=1+1", "\\x0d=1+1"],
    // Masked names and numbers keep their first character: a masked "=HYPERLINK" is still "=****".
    [maskValue("text", "=HYPERLINK(1)") as string, `'${maskValue("text", "=HYPERLINK(1)")}`],
    // Digits stay text in Excel: leading zeros, phone numbers.
    ["0755", "'0755"],
    ["0010", "'0010"],
    ["13812345678", "'13812345678"],
    ["张建华", "张建华"],
    ["X街办发〔2026〕3号", "X街办发〔2026〕3号"],
    ["2026-02-24", "2026-02-24"],
    ["a \u001b[2J b", "a \\x1b[2J b"],
  ])("%j -> %s", (text, field) => {
    expect(csvCell(text)).toBe(field);
  });

  it("numbers stay numbers, a negative one too; a number column's text is not forced to text", () => {
    expect(csvCell(12)).toBe("12");
    expect(csvCell(-3)).toBe("-3");
    expect(csvCell(0)).toBe("0");
    expect(csvCell(Number.NaN)).toBe("");
    expect(csvCell("95.5%", true)).toBe("95.5%");
    expect(csvCell("95.5%")).toBe("'95.5%");
    expect(csvCell("=1+1", true)).toBe("'=1+1");
  });

  it("no field of any CSV starts like a formula, and every value reads back (less the mark)", () => {
    const cols: Column[] = [
      { key: "a", header: "=A" },
      { key: "b", header: "B" },
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            a: fc.string({ unit: "grapheme-ascii" }),
            b: fc.string({ unit: "binary", maxLength: 8 }),
          }),
          {
            maxLength: 5,
          },
        ),
        (rows) => {
          const csv = toCsv(cols, rows as Row[]).slice(1);
          // Records end in CR LF; a line break inside a quoted field is kept, so split on fields instead.
          for (const [i, r] of rows.entries()) {
            const a = csvCell(r.a);
            const unquoted = a.startsWith('"') ? a.slice(1, -1).replace(/""/g, '"') : a;
            expect(unquoted).not.toMatch(FORMULA_START);
            expect(unquoted === r.a || unquoted === `'${r.a}` || hasUnsafeChars(r.a)).toBe(true);
            if (!/[\r\n"]/.test(r.a + r.b))
              expect(csvFields(csv.split("\r\n")[i + 1] ?? "")[0]).toBe(unquoted);
          }
          expect(csvFields(csv.split("\r\n")[0] ?? "")[0]).toBe("'=A");
        },
      ),
    );
  });
});

describe("xlsx", () => {
  const cols: Column[] = [
    { key: "n", header: "序号", numeric: true },
    { key: "id", header: "编号" },
    { key: "title", header: "标题" },
    { key: "caller", header: "来电人" },
    { key: "phone", header: "电话" },
    { key: "rate", header: "按时办结率", numeric: true },
  ];
  const rows: Row[] = [
    {
      n: 1,
      id: "CALL-2026-0001",
      title: "=1+1",
      caller: '=HYPERLINK("http://x","y")',
      phone: "0755",
      rate: "95.5%",
    },
    {
      n: 2,
      id: "CALL-2026-0002",
      title: "关于做好防汛工作的通知\u001b[2J",
      caller: "@SUM(1,1)",
      phone: "-2+3",
      rate: "—",
    },
    {
      n: -3,
      id: "CALL-2026-0003",
      title: "第一行\r\n第二行",
      caller: null,
      phone: "13812345678",
      rate: null,
    },
  ];

  async function read(bytes: Uint8Array): Promise<ExcelJS.Worksheet> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error("no sheet");
    return ws;
  }

  it("text cells are text (never formulas), numbers numbers, a number column's 95.5% a percentage", async () => {
    const ws = await read(await toXlsx(cols, rows, { sheet: "来电登记簿 2026" }));
    expect(ws.name).toBe("来电登记簿 2026");
    const cell = (r: number, c: number) => ws.getRow(r).getCell(c);
    expect(cell(2, 1).value).toBe(1);
    expect(cell(4, 1).value).toBe(-3);
    expect(cell(2, 3).value).toBe("=1+1");
    expect(cell(2, 3).type).toBe(ExcelJS.ValueType.String);
    expect(cell(2, 4).value).toBe('=HYPERLINK("http://x","y")');
    expect(cell(2, 4).type).toBe(ExcelJS.ValueType.String);
    expect(cell(3, 4).value).toBe("@SUM(1,1)");
    expect(cell(2, 5).value).toBe("0755");
    expect(cell(3, 5).value).toBe("-2+3");
    expect(cell(4, 5).value).toBe("13812345678");
    expect(cell(2, 6).value).toBe(0.955);
    expect(cell(2, 6).numFmt).toBe("0.0%");
    expect(cell(3, 6).value).toBe("—");
    // Control characters escaped, CR LF a line feed.
    expect(cell(3, 3).value).toBe("关于做好防汛工作的通知\\x1b[2J");
    expect(cell(4, 3).value).toBe("第一行\n第二行");
    for (let r = 1; r <= 4; r++)
      for (let c = 1; c <= cols.length; c++) expect(ws.getRow(r).getCell(c).formula, `${r},${c}`).toBeFalsy();
  });

  it("the header is bold and frozen, text columns typed as text, widths fitted to display width", async () => {
    const ws = await read(await toXlsx(cols, rows, { sheet: "x" }));
    expect(ws.getRow(1).getCell(2).value).toBe("编号");
    expect(ws.getRow(1).getCell(2).font?.bold).toBe(true);
    expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(ws.getColumn(2).numFmt).toBe("@");
    expect(ws.getColumn(1).numFmt).toBeFalsy();
    // 编号 is 4 columns wide, CALL-2026-0001 14: the id column is 14 + 2.
    expect(ws.getColumn(2).width).toBe(16);
    // The title's widest line: 关于做好防汛工作的通知 (22) + \x1b[2J (7).
    expect(ws.getColumn(3).width).toBe(31);
  });

  it("sheet names Excel accepts", () => {
    expect(sheetName("a/b:c*d?[e]")).toBe("a b c d  e");
    expect(sheetName("x".repeat(40))).toHaveLength(31);
    expect(sheetName("")).toBe("Sheet1");
  });

  it("spreadsheetText never starts like a formula and adds nothing but its mark to plain text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.boolean(), (s, numeric) => {
        const t = spreadsheetText(s, numeric);
        expect(t).not.toMatch(FORMULA_START);
        if (!hasUnsafeChars(s.replace(/[\n\t]/g, ""))) expect([s, `'${s}`]).toContain(t);
      }),
    );
  });
});
