import { en, enHints } from "./en.js";
import type { MessageKey } from "./keys.js";
import { zhCN, zhCNHints } from "./zh-CN.js";

export type Lang = "en" | "zh-CN";
export const LANGS: readonly Lang[] = ["en", "zh-CN"];

const catalogues = { en, "zh-CN": zhCN } satisfies Record<Lang, Record<MessageKey, string>>;
const hints = { en: enHints, "zh-CN": zhCNHints } satisfies Record<Lang, Partial<Record<MessageKey, string>>>;

export type Params = Record<string, string | number | undefined>;

function fill(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (params[k] === undefined ? m : String(params[k])));
}

/** The message `key` in `lang`, with `{name}` placeholders filled. */
export function t(lang: Lang, key: MessageKey, params: Params = {}): string {
  return fill(catalogues[lang][key] ?? key, params);
}

/** The hint that tells what to do next after an error, if the catalogue has one. */
export function hint(lang: Lang, key: MessageKey, params: Params = {}): string | undefined {
  const h = (hints[lang] as Partial<Record<MessageKey, string>>)[key];
  return h === undefined ? undefined : fill(h, params);
}

/** `--lang` > OFFICE_DOC_LANG > LANG/LC_ALL beginning with zh > English. Undefined for an unknown --lang. */
export function detectLang(flag: string | undefined, env: NodeJS.ProcessEnv): Lang | undefined {
  const pick = (v: string) => (v === "en" ? "en" : v === "zh-CN" || v === "zh" ? "zh-CN" : undefined);
  if (flag !== undefined) return pick(flag);
  if (env.OFFICE_DOC_LANG) return pick(env.OFFICE_DOC_LANG) ?? "en";
  const sys = env.LC_ALL || env.LC_MESSAGES || env.LANG || "";
  return sys.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}
