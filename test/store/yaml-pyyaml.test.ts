import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { fastLoad } from "../../src/store/lazy.js";
import { toYaml } from "../../src/store/yaml-io.js";
import { cleanupTempDirs, demoRecordFiles, makeTempDir } from "../helpers.js";
import { anyText, DANGEROUS, editedDocument, RECORD_TEXTS, recordWith } from "./yaml-cases.js";

/**
 * PyYAML (YAML 1.1, what an archivist's script would use) reads what office-doc writes as office-doc
 * reads it: every record and calendar file of the demo registry, and records holding adversarial
 * strings. With safe_load (pure Python) and, when PyYAML was built with libyaml, CSafeLoader.
 * Skipped, saying why, when python3 or its yaml module is missing.
 */

const PYTHON = `
import json, sys, yaml
loaders = [("safe_load", yaml.SafeLoader)]
if getattr(yaml, "__with_libyaml__", False):
    loaders.append(("CSafeLoader", yaml.CSafeLoader))
out = []
for path in sys.stdin.read().split("\\0"):
    if not path:
        continue
    with open(path, "rb") as f:
        data = f.read()
    for name, loader in loaders:
        try:
            out.append({"file": path, "loader": name, "value": yaml.load(data, Loader=loader)})
        except Exception as e:
            out.append({"file": path, "loader": name, "error": str(e)})
json.dump(out, sys.stdout, ensure_ascii=True, default=lambda o: {"not JSON": repr(o)})
`;

function pyYamlMissing(): string | undefined {
  const r = spawnSync("python3", ["-c", "import yaml"], { encoding: "utf8" });
  if (r.error) return "python3 is not installed";
  if (r.status !== 0) return "python3 has no yaml module (apt-get install python3-yaml)";
  return undefined;
}

const missing = pyYamlMissing();

interface PyResult {
  file: string;
  loader: string;
  value?: unknown;
  error?: string;
}

/** PyYAML's reading of each file, with each loader. */
function pyYaml(files: string[]): PyResult[] {
  const r = spawnSync("python3", ["-c", PYTHON], {
    input: files.join("\0"),
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as PyResult[];
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every string of a value, keys too. */
const texts = (v: unknown): string[] =>
  typeof v === "string"
    ? [v]
    : Array.isArray(v)
      ? v.flatMap(texts)
      : v !== null && typeof v === "object"
        ? Object.entries(v).flatMap(([k, x]) => [k, ...texts(x)])
        : [];

/**
 * Every loader read every file as office-doc reads it. A lone surrogate (not a character: it comes
 * only from escaped input) is written as `\\uD800`, which safe_load, js-yaml and the yaml package
 * read back and libyaml refuses as an invalid escape: that file, and only that one, fails there.
 */
function agreeWithPyYaml(files: string[], expected: (file: string) => unknown): void {
  const results = pyYaml(files);
  expect(results.length).toBeGreaterThanOrEqual(files.length);
  for (const r of results) {
    if (r.loader === "CSafeLoader" && texts(expected(r.file)).some((t) => LONE_SURROGATE.test(t))) {
      expect(r.error, r.file).toMatch(/invalid Unicode character escape code/);
      continue;
    }
    expect(r.error, `${r.loader} of ${r.file}`).toBeUndefined();
    expect(r.value, `${r.loader} of ${r.file}:\n${readFileSync(r.file, "utf8")}`).toStrictEqual(
      expected(r.file),
    );
  }
}

const walk = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".yaml") ? [join(d, e.name)] : [],
  );

afterAll(cleanupTempDirs);

describe("PyYAML", () => {
  it.skipIf(missing)(
    `reads every record and calendar file of the demo registry as office-doc does${missing ? ` (skipped: ${missing})` : ""}`,
    () => {
      const records = demoRecordFiles();
      const reg = (records[0] as string).replace(/\/records\/.*$/, "");
      const files = [...records, ...walk(join(reg, "calendar"))];
      expect(files.length).toBeGreaterThan(9);
      agreeWithPyYaml(files, (f) => fastLoad(readFileSync(f, "utf8")));
    },
    60_000,
  );

  it.skipIf(missing)(
    `reads records of adversarial strings as they were typed${missing ? ` (skipped: ${missing})` : ""}`,
    () => {
      const dir = makeTempDir("office-doc-pyyaml-");
      const sampled = fc.sample(fc.array(anyText, { minLength: RECORD_TEXTS, maxLength: RECORD_TEXTS }), {
        numRuns: 300,
        seed: 20261127,
      });
      const values = new Map<string, Record<string, unknown>>();
      const put = (name: string, value: Record<string, unknown>) => {
        const file = join(dir, `${name}.yaml`);
        writeFileSync(file, toYaml(value));
        values.set(file, value);
      };
      DANGEROUS.forEach((s, i) => {
        put(
          `dangerous-${i}`,
          recordWith(() => s),
        );
      });
      sampled.forEach((texts, i) => {
        put(
          `sampled-${i}`,
          recordWith((k) => texts[k] as string),
        );
      });
      const all = [...DANGEROUS, ...sampled.flat()];
      put("adversarial", { strings: all, keys: Object.fromEntries(all.map((s) => [s.slice(0, 1000), s])) });
      // office.yaml as `person add` edits it (documentText).
      const edited = editedDocument(all);
      const officeFile = join(dir, "office.yaml");
      writeFileSync(officeFile, edited.text);
      values.set(officeFile, edited.value);
      agreeWithPyYaml([...values.keys()], (f) => values.get(f));
    },
    60_000,
  );
});
