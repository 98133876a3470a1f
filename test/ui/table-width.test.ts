import { describe, expect, it } from "vitest";
import { displayWidth, toTable } from "../../src/ui/render.js";

const columns = [
  { key: "id", header: "编号" },
  { key: "title", header: "标题" },
  { key: "holders", header: "办理人" },
];
const rows = [
  { id: "IN-2026-0001", title: "关于做好冬季安全生产工作的通知", holders: "安全生产监督站、城市管理科" },
  { id: "IN-2026-0002", title: "Notice on winter safety", holders: "于凯" },
  { id: "CALL-2026-0003", title: "路灯（3号楼）损坏", holders: "" },
];

describe("tables with Chinese text", () => {
  it("measures CJK characters as two columns", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("通知")).toBe(4);
    expect(displayWidth("（3号楼）")).toBe(9);
  });

  it("cli-table3 lines up columns: every line has the same display width and the borders stand in the same columns", () => {
    const lines = toTable(columns, rows, { color: false }).trimEnd().split("\n");
    const widths = new Set(lines.map(displayWidth));
    expect(widths.size).toBe(1);
    // The column separators │ sit at the same display offsets on every data line.
    const offsets = (line: string) => {
      const out: number[] = [];
      let w = 0;
      for (const ch of line) {
        if (ch === "│") out.push(w);
        w += displayWidth(ch);
      }
      return out.join(",");
    };
    const data = lines.filter((l) => l.startsWith("│"));
    expect(data.length).toBe(rows.length + 1);
    expect(new Set(data.map(offsets)).size).toBe(1);
  });

  it("long tables use a plain layout whose columns line up too", () => {
    const many = Array.from({ length: 400 }, (_, i) => rows[i % rows.length] as (typeof rows)[number]);
    const lines = toTable(columns, many, { color: false }).trimEnd().split("\n");
    expect(lines.length).toBe(402);
    // The start of the holders column is at the same display offset on every line that has a holder.
    const start = (line: string, text: string) => displayWidth(line.slice(0, line.indexOf(text)));
    const cols = lines.slice(2).filter((l) => l.includes("于凯") || l.includes("安全生产监督站"));
    const starts = new Set(cols.map((l) => start(l, l.includes("于凯") ? "于凯" : "安全生产监督站")));
    expect(starts.size).toBe(1);
  });
});
