#!/usr/bin/env node
// The CLI is one CommonJS bundle (dist/main.cjs), compiled through node:vm so that V8's code cache
// can be kept between runs: compiling the ~450 KB bundle costs ~20 ms of every command, reading the
// cache back ~2 ms. The same goes for the libraries the bundle loads on demand (dist/vendor/*.cjs).
// A cache is keyed to its file's size, mtime and the node version (V8 itself checks only the
// source's length), kept in dist/.cache or, where that is read-only, the temp folder.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { createRequire } = require("node:module");
const { pathToFileURL } = require("node:url");

const dist = path.join(__dirname, "..", "dist");
let cacheDirs;
const dirs = () => {
  if (!cacheDirs) {
    const os = require("node:os");
    cacheDirs = [path.join(dist, ".cache"), path.join(os.tmpdir(), `office-doc-cache-${os.userInfo().uid}`)];
  }
  return cacheDirs;
};
const toWrite = [];

/** Load a CommonJS file through vm with a code cache; `extra` are more wrapper arguments. */
function load(file, extra = {}) {
  const source = fs.readFileSync(file, "utf8");
  const st = fs.statSync(file);
  const key = `${path.basename(file)}-${st.size}-${Math.floor(st.mtimeMs)}-${process.version}.v8cache`;
  let cached;
  for (const d of dirs()) {
    try {
      cached = fs.readFileSync(path.join(d, key));
      break;
    } catch {}
  }
  const names = ["exports", "require", "module", "__filename", "__dirname", ...Object.keys(extra)];
  const script = new vm.Script(`(function (${names.join(", ")}) {${source}\n})`, {
    filename: file,
    cachedData: cached,
  });
  if (cached === undefined || script.cachedDataRejected)
    toWrite.push({ script, key, prefix: path.basename(file) });
  const mod = { exports: {} };
  script.runInThisContext()(
    mod.exports,
    createRequire(file),
    mod,
    file,
    path.dirname(file),
    ...Object.values(extra),
  );
  return mod.exports;
}

process.once("exit", () => {
  // After the command ran, so that the functions it compiled are in the cache too.
  for (const { script, key, prefix } of toWrite) {
    const data = script.createCachedData();
    for (const d of dirs()) {
      try {
        fs.mkdirSync(d, { recursive: true });
        for (const old of fs.readdirSync(d))
          if (old.startsWith(`${prefix}-`) && old.endsWith(".v8cache"))
            fs.rmSync(path.join(d, old), { force: true });
        const tmp = path.join(d, `${key}.${process.pid}.tmp`);
        fs.writeFileSync(tmp, data);
        fs.renameSync(tmp, path.join(d, key));
        break;
      } catch {}
    }
  }
});

globalThis.__officeDocLoad = load;
const main = path.join(dist, "main.cjs");
load(main, { __odImportMetaUrl: pathToFileURL(main).href });
