/** Masks for listings printed for cron and registers: the record itself keeps the full values. */

/** `张三` -> `张*`, `欧阳小明` -> `欧***`, `Li Lei` -> `L*****`. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join("");
  return `${chars[0]}${"*".repeat(chars.length - 1)}`;
}

/** `13800000000` -> `138****0000`; `010-12345678` -> `010-****5678`. */
export function maskPhone(phone: string): string {
  const p = phone.trim();
  if (/^1\d{10}$/.test(p)) return `${p.slice(0, 3)}****${p.slice(7)}`;
  const m = /^(0\d{2,3}-?)(\d+)(-\d+)?$/.exec(p);
  if (m) {
    const body = m[2] as string;
    return `${m[1]}${"*".repeat(Math.max(0, body.length - 4))}${body.slice(-4)}${m[3] ?? ""}`;
  }
  return p.length > 4 ? `${"*".repeat(p.length - 4)}${p.slice(-4)}` : "****";
}

/** Mask a private field's value by its type. */
export function maskValue(type: string, v: unknown): unknown {
  if (typeof v !== "string") return v;
  if (type === "phone") return maskPhone(v);
  return maskName(v);
}
