// One bundled file: start-up cost is dominated by module loading, and a single
// esbuild bundle loads in ~20 ms where separate modules cost ~160 ms.
import { cpSync, readFileSync } from "node:fs";
import { build } from "esbuild";

/** One CommonJS file for node 20 from `entry`. */
const cjs = (entry, outfile, more = {}) =>
  build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    outfile,
    logLevel: "warning",
    ...more,
  });

// Loaded on first use (src/store/lazy.ts), each from one prebuilt file: the YAML libraries, cli-table3
// (boxed tables of short listings), the prompts (only when a clerk at a terminal left out a value),
// chalk (colour at a terminal), exceljs (workbooks) and ajv (check's validation of workflow files
// against their JSON Schema).
const VENDORED = [
  ["yaml", "node_modules/yaml/dist/index.js", "dist/vendor/yaml.cjs"],
  ["js-yaml", "node_modules/js-yaml/index.js", "dist/vendor/js-yaml.cjs"],
  ["@inquirer/prompts", "node_modules/@inquirer/prompts/dist/commonjs/index.js", "dist/vendor/prompts.cjs"],
  ["cli-table3", "node_modules/cli-table3/index.js", "dist/vendor/cli-table3.cjs"],
  ["chalk", "node_modules/chalk/source/index.js", "dist/vendor/chalk.cjs"],
  // `--format xlsx` only.
  ["exceljs", "node_modules/exceljs/excel.js", "dist/vendor/exceljs.cjs"],
  // JSON Schema validation of workflow files, for `check` only.
  ["ajv", "node_modules/ajv/dist/ajv.js", "dist/vendor/ajv.cjs"],
  // Shell completion only (`completion bash|zsh` and the server a TAB runs).
  ["@pnpm/tabtab", "node_modules/@pnpm/tabtab/lib/index.js", "dist/vendor/tabtab.cjs"],
  // `meeting ics` only: the iCalendar writer and dates in the office's time zone.
  ["ical-generator", "node_modules/ical-generator/dist/index.cjs", "dist/vendor/ical-generator.cjs"],
  ["@date-fns/tz", "node_modules/@date-fns/tz/index.cjs", "dist/vendor/date-fns-tz.cjs"],
];
for (const [, entry, out] of VENDORED) await cjs(entry, out);
// tabtab reads its shell scripts from templates/ beside itself.
cpSync("node_modules/@pnpm/tabtab/lib/templates", "dist/vendor/templates", { recursive: true });

/** How office-doc's own files are built: the vendored packages and chinese-days' data stay out. */
const OURS = {
  // @touch4it/ical-timezones reads its zone files beside itself: required from node_modules.
  external: [...VENDORED.map(([pkg]) => pkg), "chinese-days", "@touch4it/ical-timezones"],
  define: { __OD_BUNDLED__: "true", "import.meta.url": "__odImportMetaUrl" },
};

// bin/office-doc.js asks it which command runs before it loads the bundle (one code cache each).
await cjs("src/cli/command-name.ts", "dist/command-name.cjs");

// The worker threads of a full index build (src/store/index-cache.ts).
await cjs("src/store/index-worker.ts", "dist/index-worker.cjs", {
  ...OURS,
  banner: { js: 'var __odImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
});

// commander requires child_process when it loads (for subcommands run as separate executables,
// which office-doc has none of); with it come ~40 internal modules, ~10 ms of every start.
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes("node_modules/commander")
        ? { path: "lazy-child-process", namespace: "lazy" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: 'module.exports = new Proxy({}, { get: (_, k) => require("node:child_process")[k] });',
      loader: "js",
    }));
  },
};

// CommonJS, so that bin/office-doc.js can compile it through node:vm with V8's code cache.
await cjs("src/cli/main.ts", "dist/main.cjs", { ...OURS, plugins: [lazyChildProcess], sourcemap: "linked" });

// esbuild writes strings as ASCII escapes but leaves regular-expression literals alone. One
// non-ASCII character makes node decode the whole bundle as UTF-8 and V8 keep it as a two-byte
// string: ~5 ms of every start. Patterns write Chinese characters as \u escapes.
for (const file of ["dist/main.cjs", "dist/command-name.cjs", "dist/index-worker.cjs"]) {
  const text = readFileSync(file, "latin1");
  const at = text.search(/[\x80-\xff]/);
  if (at >= 0) {
    const line = text.slice(0, at).split("\n").length;
    console.error(
      `build: ${file}:${line} has a non-ASCII character; write its Chinese characters in the pattern as \\u escapes (esbuild escapes strings, not regular expressions)`,
    );
    process.exit(1);
  }
}
