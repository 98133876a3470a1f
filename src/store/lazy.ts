import { createRequire } from "node:module";
import { join } from "node:path";
import type * as DateFnsTz from "@date-fns/tz";
import type * as Prompts from "@inquirer/prompts";
import type * as TabTab from "@pnpm/tabtab";
import type * as IcalTimezones from "@touch4it/ical-timezones";
import type * as AjvLib from "ajv";
import type * as Chalk from "chalk";
import type CliTable from "cli-table3";
import type * as ExcelJs from "exceljs";
import type * as IcalGenerator from "ical-generator";
import type JsYaml from "js-yaml";
import type * as YamlLib from "yaml";
import { packageRoot } from "./paths.js";
import { parseSimpleYaml } from "./yaml-read.js";

/**
 * The YAML libraries, loaded on first use. A listing served from the index needs neither, and
 * evaluating them costs ~25 ms of a command's start. The build puts each into one file under
 * dist/vendor/ (a single file loads in ~10 ms where the package's ~80 modules take ~50 ms);
 * from source (tests) they come from node_modules.
 */
declare const __OD_BUNDLED__: boolean | undefined;

const req = createRequire(import.meta.url);

/** Set by bin/office-doc.js: loads a CommonJS file with V8's code cache (~3x faster to evaluate). */
const cachedLoad = (globalThis as { __officeDocLoad?: (file: string) => unknown }).__officeDocLoad;

function load<T>(vendorFile: string, pkg: string): T {
  if (typeof __OD_BUNDLED__ !== "undefined" && __OD_BUNDLED__) {
    const file = join(packageRoot(), "dist", "vendor", vendorFile);
    return (cachedLoad ? cachedLoad(file) : req(file)) as T;
  }
  return req(pkg) as T;
}

/**
 * Node's own modules that only some commands need: child_process, crypto and zlib pull in ~60
 * internal modules (streams, net, dgram…) that a listing served from the index never uses.
 */
export const childProcess = (): typeof import("node:child_process") => req("node:child_process");
export const nodeCrypto = (): typeof import("node:crypto") => req("node:crypto");
export const nodeZlib = (): typeof import("node:zlib") => req("node:zlib");
export const nodeOs = (): typeof import("node:os") => req("node:os");
export const nodeWorkers = (): typeof import("node:worker_threads") => req("node:worker_threads");

let yamlLib: typeof YamlLib | undefined;
let promptsLib: typeof Prompts | undefined;
let jsYamlLib: typeof JsYaml | undefined;

export function yaml(): typeof YamlLib {
  yamlLib ??= load<typeof YamlLib>("yaml.cjs", "yaml");
  return yamlLib;
}

let ajvLib: typeof AjvLib | undefined;

/** ajv, the JSON Schema validator, for `check` (workflow files against their schema). */
export function ajv(): typeof AjvLib {
  ajvLib ??= load<typeof AjvLib>("ajv.cjs", "ajv");
  return ajvLib;
}

let cliTableLib: typeof CliTable | undefined;

/** cli-table3, for the boxed tables of short listings (~2 ms to evaluate, needless elsewhere). */
export function cliTable(): typeof CliTable {
  cliTableLib ??= load<typeof CliTable>("cli-table3.cjs", "cli-table3");
  return cliTableLib;
}

let chalkModule: typeof Chalk | undefined;

/** chalk, for colour at a terminal (src/ui/color.ts): it loads node:tty and node:os, ~5–8 ms. */
export function chalkLib(): typeof Chalk {
  chalkModule ??= load<typeof Chalk>("chalk.cjs", "chalk");
  return chalkModule;
}

let tabtabLib: typeof TabTab | undefined;

/** @pnpm/tabtab, for shell completion only (`completion`, and the server a TAB runs). */
export function tabtab(): typeof TabTab {
  tabtabLib ??= load<typeof TabTab>("tabtab.cjs", "@pnpm/tabtab");
  return tabtabLib;
}

let excelLib: typeof ExcelJs | undefined;

/** exceljs, for `--format xlsx` only (~2.4 MB: ~0.2 s to load, never at start-up). */
export function excelJs(): typeof ExcelJs {
  excelLib ??= load<typeof ExcelJs>("exceljs.cjs", "exceljs");
  return excelLib;
}

/**
 * iCalendar (`meeting ics` only): ical-generator writes the file (RFC 5545: escaping, line folding),
 * @date-fns/tz gives it dates in the office's zone (DTSTART;TZID=Asia/Shanghai whatever the machine's
 * zone), @touch4it/ical-timezones the VTIMEZONE (it reads its zone files from its own folder, so it
 * is not bundled: the build leaves it external).
 */
export function icalLibs(): {
  ical: typeof IcalGenerator;
  tz: typeof DateFnsTz;
  zones: typeof IcalTimezones;
} {
  icalModules ??= {
    ical: load<typeof IcalGenerator>("ical-generator.cjs", "ical-generator"),
    tz: load<typeof DateFnsTz>("date-fns-tz.cjs", "@date-fns/tz"),
    zones: req("@touch4it/ical-timezones") as typeof IcalTimezones,
  };
  return icalModules;
}
let icalModules: ReturnType<typeof icalLibs> | undefined;

/** The interactive prompts (@inquirer/prompts), for a clerk at a terminal. */
export function prompts(): typeof Prompts {
  promptsLib ??= load<typeof Prompts>("prompts.cjs", "@inquirer/prompts");
  return promptsLib;
}

/** Have the prompts been loaded? (They write through process.stdout, which may still hold output.) */
export const promptsLoaded = (): boolean => promptsLib !== undefined;

export function jsYaml(): typeof JsYaml {
  jsYamlLib ??= load<typeof JsYaml>("js-yaml.cjs", "js-yaml");
  return jsYamlLib;
}

/**
 * Parse YAML fast: the simple form office-doc writes is read directly (yaml-read.ts), anything else
 * by js-yaml (YAML 1.2 core schema: dates stay strings). Throws on a syntax error.
 */
export function fastLoad(text: string): unknown {
  const simple = parseSimpleYaml(text);
  if (simple !== undefined) return simple;
  const y = jsYaml();
  return y.load(text, { schema: y.CORE_SCHEMA });
}
