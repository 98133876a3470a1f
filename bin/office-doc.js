#!/usr/bin/env node
// The CLI is one CommonJS bundle (dist/main.cjs), compiled through node:vm so that V8's code cache
// can be kept between runs: compiling the ~450 KB bundle costs ~20 ms of every command, reading the
// cache back ~2 ms. The cache is keyed to the bundle's size, mtime and the node version (V8 itself
// checks only the source's length), kept in dist/.cache or, where that is read-only, the temp folder.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");
const { createRequire } = require("node:module");
const { pathToFileURL } = require("node:url");

const file = path.join(__dirname, "..", "dist", "main.cjs");
const source = fs.readFileSync(file, "utf8");
const st = fs.statSync(file);
const key = `main-${st.size}-${Math.floor(st.mtimeMs)}-${process.version}.v8cache`;
const dirs = [
  path.join(__dirname, "..", "dist", ".cache"),
  path.join(os.tmpdir(), `office-doc-cache-${os.userInfo().uid}`),
];
let cached;
for (const d of dirs) {
  try {
    cached = fs.readFileSync(path.join(d, key));
    break;
  } catch {}
}
const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname, __odImportMetaUrl) {${source}\n})`,
  { filename: file, cachedData: cached },
);
if (cached === undefined || script.cachedDataRejected)
  process.once("exit", () => {
    // After the command ran, so the functions it compiled are in the cache too.
    const data = script.createCachedData();
    for (const d of dirs) {
      try {
        fs.mkdirSync(d, { recursive: true });
        for (const old of fs.readdirSync(d))
          if (old.endsWith(".v8cache")) fs.rmSync(path.join(d, old), { force: true });
        const tmp = path.join(d, `${key}.${process.pid}.tmp`);
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, path.join(d, key));
        return;
      } catch {}
    }
  });
const mod = { exports: {} };
script.runInThisContext()(
  mod.exports,
  createRequire(file),
  mod,
  file,
  path.dirname(file),
  pathToFileURL(file).href,
);
