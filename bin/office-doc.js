#!/usr/bin/env node
// The CLI is one CommonJS bundle (dist/main.cjs), compiled through node:vm so that V8's code cache
// can be kept between runs: compiling the ~480 KB bundle costs ~20 ms of every command, reading the
// cache back a few. A cache holds the functions compiled by the run that wrote it, and reading it
// back costs more the more it holds, so the bundle has one per command. The libraries the bundle
// loads on demand (dist/vendor/*.cjs) have one each. Caches are keyed to their file's size, mtime
// and the node version (V8 itself checks only the source's length) and kept in dist/.cache or,
// where that is read-only, the temp folder.
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
function load(file, extra = {}, variant = "") {
  const source = fs.readFileSync(file, "utf8");
  const st = fs.statSync(file);
  const build = `${path.basename(file)}-${st.size}-${Math.floor(st.mtimeMs)}-${process.version}`;
  const key = `${build}${variant ? `-${variant}` : ""}.v8cache`;
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
    toWrite.push({ script, key, build, prefix: `${path.basename(file)}-` });
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
  for (const { script, key, build, prefix } of toWrite) {
    const data = script.createCachedData();
    for (const d of dirs()) {
      try {
        fs.mkdirSync(d, { recursive: true });
        for (const old of fs.readdirSync(d))
          if (old.startsWith(prefix) && !old.startsWith(build)) fs.rmSync(path.join(d, old), { force: true });
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
const command = require(path.join(dist, "command-name.cjs")).commandName(process.argv.slice(2));
load(
  main,
  { __odImportMetaUrl: pathToFileURL(main).href },
  /^[a-z][a-z-]{0,23}$/.test(command ?? "") ? command : "-",
);
