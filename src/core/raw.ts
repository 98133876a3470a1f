/** Parsed YAML before validation: a mapping of keys to anything. */
export type Raw = Record<string, unknown>;

/** A YAML mapping (not a list, not a scalar, not null). */
export const isMap = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
