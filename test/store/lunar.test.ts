/**
 * The lunar source of the provisional calendar (store/lunar.ts) against the State Council's published
 * holidays (chinese-days' data, 2008–2026), the almanac, and chinese-days' own date functions in
 * China time; and the same results in any time zone of the process.
 */
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { chineseDaysLunar } from "../../src/store/lunar.js";

const req = createRequire(import.meta.url);
const cd = req("chinese-days") as typeof import("chinese-days");
const data = req("chinese-days/dist/chinese-days.json") as { holidays: Record<string, string> };

const FESTIVALS = [
  { month: 1, day: 1, name: "Spring Festival" },
  { month: 5, day: 5, name: "Dragon Boat Festival" },
  { month: 8, day: 15, name: "Mid-autumn Festival" },
] as const;

const savedTz = process.env.TZ;
afterEach(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe("chineseDaysLunar", () => {
  it.each(Array.from({ length: 19 }, (_, i) => 2008 + i))(
    "%i: the Spring Festival, Dragon Boat, Mid-Autumn and 清明 it gives were days off in the notice",
    (year) => {
      for (const f of FESTIVALS) {
        const d = chineseDaysLunar.solarOfLunar(year, f.month, f.day) as string;
        // The package's data leaves out Sat 2012-06-23, though the 2012 notice gave June 22–24 off.
        if (d === "2012-06-23") continue;
        // A festival inside National Day is listed under National Day (2017, 2020, 2023).
        expect([f.name, "National Day"], `${year} ${f.name} ${d}`).toContain(data.holidays[d]?.split(",")[0]);
      }
      const q = chineseDaysLunar.qingming(year) as string;
      expect(data.holidays[q]?.split(",")[0], `${year} 清明 ${q}`).toBe("Tomb-sweeping Day");
    },
  );

  it.each<[number, string, string, string, string]>([
    // the almanac: Spring Festival (lunar 1-1), 清明, Dragon Boat (5-5), Mid-Autumn (8-15)
    [2027, "2027-02-06", "2027-04-05", "2027-06-09", "2027-09-15"],
    [2028, "2028-01-26", "2028-04-04", "2028-05-28", "2028-10-03"], // 2028 has a leap fifth month
    [2030, "2030-02-03", "2030-04-05", "2030-06-05", "2030-09-12"],
  ])("%i: Spring Festival %s, 清明 %s, Dragon Boat %s, Mid-Autumn %s", (year, sf, qm, db, ma) => {
    expect(chineseDaysLunar.solarOfLunar(year, 1, 1)).toBe(sf);
    expect(chineseDaysLunar.qingming(year)).toBe(qm);
    expect(chineseDaysLunar.solarOfLunar(year, 5, 5)).toBe(db);
    expect(chineseDaysLunar.solarOfLunar(year, 8, 15)).toBe(ma);
  });

  it("agrees with chinese-days' own date functions in China time, 1901–2099", () => {
    process.env.TZ = "Asia/Shanghai";
    for (let y = 1901; y <= 2099; y++) {
      for (const f of FESTIVALS)
        expect(chineseDaysLunar.solarOfLunar(y, f.month, f.day), `${y}-${f.month}-${f.day}`).toBe(
          cd.getSolarDateFromLunar(`${y}-${f.month}-${f.day}`).date,
        );
      expect(chineseDaysLunar.qingming(y), `${y} 清明`).toBe(cd.getSolarTermDate(y, 4, "pure_brightness"));
    }
  });

  it.each(["America/Los_Angeles", "UTC", "Pacific/Kiritimati", "America/St_Johns"])(
    "gives the same days when the process runs in %s (chinese-days' own functions do not)",
    (tz) => {
      process.env.TZ = "Asia/Shanghai";
      const years = [2025, 2026, 2027, 2028, 2033, 2050, 2099];
      const china = years.map((y) => [
        chineseDaysLunar.solarOfLunar(y, 1, 1),
        chineseDaysLunar.solarOfLunar(y, 5, 5),
        chineseDaysLunar.qingming(y),
      ]);
      process.env.TZ = tz;
      // The time zone really changed: west of UTC the package's own conversion is a day off.
      if (tz === "America/Los_Angeles")
        expect(cd.getSolarDateFromLunar("2027-01-01").date).toBe("2027-02-07");
      expect(
        years.map((y) => [
          chineseDaysLunar.solarOfLunar(y, 1, 1),
          chineseDaysLunar.solarOfLunar(y, 5, 5),
          chineseDaysLunar.qingming(y),
        ]),
      ).toEqual(china);
    },
  );

  it("is undefined outside the package's tables", () => {
    expect(chineseDaysLunar.solarOfLunar(1899, 1, 1)).toBeUndefined();
    expect(chineseDaysLunar.solarOfLunar(2101, 1, 1)).toBeUndefined();
    expect(chineseDaysLunar.qingming(2100)).toBeUndefined();
  });
});
