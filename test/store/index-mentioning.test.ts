import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { RecordIndex } from "../../src/store/index-cache.js";
import { Registry } from "../../src/store/registry.js";
import { cleanupTempDirs, makeTempDir, NOW, runInProcess, testEnv } from "../helpers.js";

afterAll(() => {
  vi.unstubAllEnvs();
  cleanupTempDirs();
});

/**
 * `verify` of a day's commits asks the index for the records holding numbers of a few series;
 * mentioning() parses only the closed lines holding the series' text. It must find exactly the
 * records all() holds with those numbers, open and closed, and none that a later line dropped.
 */
describe("RecordIndex.mentioning", () => {
  it("finds the same records with a series' numbers as all(), on the demo registry", async () => {
    const sandbox = makeTempDir("office-doc-mention-");
    const dir = join(sandbox, "reg");
    const env = testEnv(sandbox, { OFFICE_DOC_NOW: NOW });
    const r = runInProcess(["init", dir, "--demo"], { cwd: sandbox, env });
    expect(r.code, r.stderr).toBe(0);
    vi.stubEnv("HOME", env.HOME as string);
    vi.stubEnv("GIT_CONFIG_GLOBAL", env.GIT_CONFIG_GLOBAL as string);
    const reg = new Registry(dir);
    const index = await RecordIndex.load(reg);
    const all = index.all();
    const withNumbers = all.filter(
      (s) => s.archive || Object.values(s.extra ?? {}).some((v) => /〔\d{4}〕/.test(String(v))),
    );
    expect(withNumbers.length).toBeGreaterThan(1);
    expect(withNumbers.some((s) => s.status === "closed")).toBe(true);
    // Each series found in the registry, and one that no record holds.
    const series = new Set<string>();
    for (const s of withNumbers) {
      if (s.archive) series.add(s.archive.replace(/-\d+$/, ""));
      for (const v of Object.values(s.extra ?? {})) {
        const m = /^(.*〔\d{4}〕)\d+号$/.exec(String(v));
        if (m) series.add(m[1] as string);
      }
    }
    for (const needle of [...series, "无此机关代字〔2026〕"]) {
      const fresh = await RecordIndex.load(reg); // closed summaries not read yet
      const found = fresh
        .mentioning([needle])
        .map((s) => s.id)
        .sort();
      const expected = all
        .filter((s) => JSON.stringify(s).includes(needle))
        .map((s) => s.id)
        .sort();
      expect(found, needle).toEqual(expected);
    }
  }, 60_000);
});
