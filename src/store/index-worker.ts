// A worker thread of a full index build (see summariesInWorkers in index-cache.ts): reads its share
// of the record files and sends back what each says, in order, with its progress now and then.
import { parentPort, workerData } from "node:worker_threads";
import { readSummary, type SummaryResult } from "./index-cache.js";
import { Registry } from "./registry.js";

const { dir, rels } = workerData as { dir: string; rels: string[] };
const reg = new Registry(dir);
const results: SummaryResult[] = [];
for (const rel of rels) {
  results.push(readSummary(reg, rel));
  if (results.length % 2500 === 0) parentPort?.postMessage({ done: results.length });
}
parentPort?.postMessage({ results });
