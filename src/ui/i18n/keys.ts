import type { en } from "./en.js";

/** Every message the program can show; zh-CN must have each (checked by `satisfies`). */
export type MessageKey = keyof typeof en;
