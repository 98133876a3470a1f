/**
 * The README runs as written (issue 12): every command line of every `sh` block under "A tour for a
 * clerk" (its subsections included, so a kind's tour added there is covered at once) runs on a fresh
 * demo registry, in order, and exits 0; and the cron lines of "Cron" run each e-gov check after a
 * receive window's grace and name the window missed. Commands run in-process (the built CLI).
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { cleanupTempDirs, type Env, git, makeTempDir, ROOT, runInProcess, testEnv } from "../helpers.js";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The text of the level-2 section `title`, its subsections included. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = README.indexOf("\n## ", start + 4);
  return README.slice(start, end < 0 ? undefined : end);
}

/** The fenced blocks of `lang` in `text`. */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1] as string);
}

/**
 * The command lines of a shell block as words: continuation lines joined, comments dropped, single
 * and double quotes honoured, `$PWD` expanded, `a && b` as two commands, `> FILE` kept as a
 * redirection. Anything else a shell
 * would do is not expected in the README (and would fail the test as an unknown command).
 */
function commandLines(block: string, cwd: string): { words: string[]; out?: string; text: string }[] {
  const lines = block.replace(/\\\n\s*/g, "").split("\n");
  const out: { words: string[]; out?: string; text: string }[] = [];
  for (const text of lines) {
    const words: string[] = [];
    let word: string | undefined;
    let quote: string | undefined;
    let redirect = false;
    let target: string | undefined;
    const push = () => {
      if (word === undefined) return;
      if (redirect) target = word;
      else words.push(word);
      word = undefined;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (quote) {
        if (c === quote) quote = undefined;
        else if (c === "\\" && quote === '"' && '"\\$'.includes(text[i + 1] ?? ""))
          word += text[++i] as string;
        else word += c;
      } else if (c === '"' || c === "'") {
        quote = c;
        word ??= "";
      } else if (c === "#" && word === undefined) break;
      else if (c === " " || c === "\t") push();
      else if (c === ">") {
        push();
        redirect = true;
      } else word = (word ?? "") + c;
    }
    push();
    // `a && b`: each command in turn (every one must succeed anyway).
    const expanded = words.map((w) => w.replaceAll("$PWD", cwd));
    for (let start = 0; start < expanded.length; ) {
      const at = expanded.indexOf("&&", start);
      const end = at < 0 ? expanded.length : at;
      const part = expanded.slice(start, end);
      if (part.length)
        out.push({ words: part, ...(end === expanded.length && target ? { out: target } : {}), text });
      start = end + 1;
    }
  }
  return out;
}

afterAll(cleanupTempDirs);

describe("the README's tour", () => {
  it("every command line of every sh block under 'A tour for a clerk' exits 0, in order", () => {
    const sandbox = makeTempDir("office-doc-tour-");
    const cwd = join(sandbox, "clerk");
    // The tour pins its own day (`export OFFICE_DOC_NOW=…`), as its dates need; none other is given.
    const env: Env = testEnv(sandbox);
    const lines = blocks(section("A tour for a clerk"), "sh").flatMap((b) => commandLines(b, cwd));
    expect(lines.length).toBeGreaterThan(40);
    mkdirSync(cwd, { recursive: true });
    const ran: string[] = [];
    const nows: string[] = [];
    for (const { words, out, text } of lines) {
      const [cmd, ...rest] = words;
      if (cmd === "npm") {
        // Installing is what the reader does before the tour; the test runs the built CLI.
        expect(["link", "ci", "install"], text).toContain(rest[0]);
        continue;
      }
      if (cmd === "export") {
        for (const a of rest) {
          const at = a.indexOf("=");
          env[a.slice(0, at)] = a.slice(at + 1);
          if (a.startsWith("OFFICE_DOC_NOW=")) nows.push(a.slice(at + 1));
        }
        continue;
      }
      const args =
        cmd === "npx" && rest[0] === "office-doc" ? rest.slice(1) : cmd === "office-doc" ? rest : undefined;
      expect(args, `the tour may run office-doc, npx office-doc, npm and export only: ${text}`).toBeDefined();
      const r = runInProcess(args as string[], { env, cwd });
      expect(r.code, `${text}\n${r.stderr}`).toBe(0);
      if (out) {
        writeFileSync(join(cwd, out), r.stdout);
        expect(r.stdout.length, text).toBeGreaterThan(0);
      }
      ran.push(args?.[0] as string);
    }
    // What the tour says it leaves behind.
    for (const f of ["OUT-3.html", "发文登记簿.csv", "发文登记簿.xlsx"])
      expect(statSync(join(cwd, f)).size, f).toBeGreaterThan(0);
    expect(ran).toContain("demo");
    // Every commit of the tour in office time at the clock it pins, the demo's own included (D9):
    // none at the real clock, none after the latest day the tour sets.
    const latest = Math.max(...nows.map((n) => Date.parse(n)));
    const dates = git(join(cwd, "registry"), ["log", "--format=%aI %cI %s"], env).trim().split("\n");
    expect(dates.length).toBeGreaterThan(40);
    for (const line of dates)
      for (const d of line.split(" ").slice(0, 2)) {
        expect(d.endsWith("+08:00"), line).toBe(true);
        expect(Date.parse(d), line).toBeLessThanOrEqual(latest);
      }
  }, 120_000);
});

describe("the README's cron lines", () => {
  const office = parse(readFileSync(join(ROOT, "templates", "office.yaml"), "utf8")) as {
    egov: { windows: string[]; grace_minutes: number };
  };
  const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
  const egovLines = (blocks(section("Cron"), "cron")[0] ?? "")
    .split("\n")
    .filter((l) => l.includes("egov status --check"))
    .map((l) => {
      const [m, h] = l.trim().split(/\s+/) as [string, string];
      return Number(h) * 60 + Number(m);
    });

  it("one e-gov check per window of the default office.yaml, each after the window's grace and before the next window", () => {
    const starts = office.egov.windows.map(minutes);
    expect(egovLines).toHaveLength(starts.length);
    starts.forEach((start, i) => {
      const at = egovLines[i] as number;
      expect(at).toBeGreaterThan(start + office.egov.grace_minutes);
      expect(at).toBeLessThan(starts[i + 1] ?? 24 * 60);
    });
  });

  it("each of them, with no check-in that day, exits 3 and names the window it missed", () => {
    const sandbox = makeTempDir("office-doc-cron-");
    const env: Env = testEnv(sandbox, { OFFICE_DOC_NOW: "2026-03-10T07:00:00+08:00" });
    const dir = join(sandbox, "registry");
    expect(runInProcess(["init", dir], { env }).code).toBe(0);
    expect(existsSync(join(dir, "office.yaml"))).toBe(true);
    office.egov.windows.forEach((w, i) => {
      const at = egovLines[i] as number;
      const hm = `${String(Math.floor(at / 60)).padStart(2, "0")}:${String(at % 60).padStart(2, "0")}`;
      const r = runInProcess(["egov", "status", "--check"], {
        env: { ...env, OFFICE_DOC_REGISTRY: dir, OFFICE_DOC_NOW: `2026-03-10T${hm}:00+08:00` },
      });
      expect(r.code, hm).toBe(3);
      expect(r.stderr).toContain(`the ${w} e-gov receive window was missed`);
    });
  });
});
