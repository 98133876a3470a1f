import { describe, expect, it } from "vitest";
import { maskName, maskPhone, maskValue } from "../../src/core/privacy.js";

describe("masks for listings", () => {
  it.each([
    ["张三", "张*"],
    ["张建华", "张**"],
    ["欧阳小明", "欧***"],
    ["王", "王"],
  ])("name %s -> %s", (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it.each([
    ["13800000000", "138****0000"],
    ["13812345678", "138****5678"],
    ["010-62345678", "010-****5678"],
    ["0571-8877665", "0571-***7665"],
    ["010-62345678-123", "010-****5678-123"],
  ])("phone %s -> %s", (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it("masks by field type and leaves non-text alone", () => {
    expect(maskValue("phone", "13812345678")).toBe("138****5678");
    expect(maskValue("text", "李秀英")).toBe("李**");
    expect(maskValue("text", undefined)).toBeUndefined();
  });
});
