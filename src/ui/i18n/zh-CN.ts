import { en } from "./en.js";
import type { MessageKey } from "./keys.js";

// Placeholder while the translation is written.
export const zhCN = { ...en } satisfies Record<MessageKey, string>;
export const zhCNHints = {} satisfies Partial<Record<MessageKey, string>>;
