// The worker of the synchronous in-process harness (test/helpers.ts): the built CLI, loaded once per
// test file as a library, runs each command line in this thread with its own environment.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runAsWorker } from "synckit";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.cjs");
// What bin/office-doc.js gives the bundle: its own URL, and the library mode (run nothing on load).
globalThis.__odImportMetaUrl = pathToFileURL(main).href;
globalThis.__officeDocLibrary = true;
const { runCaptured } = createRequire(import.meta.url)(main);

runAsWorker((args, env, cwd) => runCaptured(args, { env, cwd }));
