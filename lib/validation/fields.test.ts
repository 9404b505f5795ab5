import { describe, expect, it } from "vitest";
import { dateTime, integer, text } from "./fields";
import { inputProblem } from "./input";

const messages = (r: { success: boolean; error?: { issues: { message: string }[] } }) => r.error?.issues.map((i) => i.message) ?? [];

describe("the input rules", () => {
  it("find NUL, lone surrogates, over-long text, over-deep nesting and bad field names, with the path", () => {
    expect(inputProblem({ a: [{ b: "x\u0000" }] })).toEqual({ path: ["a", 0, "b"], message: "must not contain the NUL character (U+0000)." });
    expect(inputProblem({ a: "\udc00" })?.message).toMatch(/lone UTF-16 surrogate/);
    expect(inputProblem({ a: "😀 ok" })).toBeNull();
    expect(inputProblem("x".repeat(100_001))?.message).toBe("must be at most 100,000 characters.");
    let deep: unknown = "x";
    for (let i = 0; i < 5000; i++) deep = { name: deep };
    expect(inputProblem(deep)).toEqual({ path: Array(32).fill("name"), message: "nests deeper than 32 levels." });
    expect(inputProblem({ ["k\u0000"]: 1 })?.message).toMatch(/^has a field name that must not contain/);
    expect(inputProblem({ at: new Date(), n: Number.NaN, b: true, nothing: null })).toBeNull();
  });

  it("text refuses what PostgreSQL cannot store, and numbers or booleans where text belongs", () => {
    const name = text().trim().min(3, "At least 3.");
    expect(name.parse("  Ada  ")).toBe("Ada");
    expect(messages(name.safeParse("Ada\u0000"))).toEqual(["Must not contain the NUL character (U+0000)."]);
    expect(messages(name.safeParse("Ada\ud800"))).toEqual(["Must be well-formed Unicode (it holds a lone UTF-16 surrogate)."]);
    expect(name.safeParse(123).success).toBe(false);
    expect(name.safeParse(true).success).toBe(false);
  });

  it("dates take ISO 8601 text or a Date within 1970-9999, never booleans, numbers, null or blanks", () => {
    const at = dateTime("Start");
    expect(at.parse("2026-01-31")).toEqual(new Date("2026-01-31T00:00:00Z"));
    expect(at.parse("2026-01-31T12:00:00+02:00")).toEqual(new Date("2026-01-31T10:00:00Z"));
    expect(at.parse(new Date("2026-01-31T00:00:00Z"))).toEqual(new Date("2026-01-31T00:00:00Z"));
    for (const bad of [
      true,
      false,
      null,
      -1,
      0,
      1_700_000_000_000,
      "",
      "tomorrow",
      "2026-02-31",
      "2026-01-31T12:00",
      "-271821-04-20T00:00:00Z",
      new Date(Number.NaN),
    ]) {
      expect(messages(at.safeParse(bad)), String(bad)).toEqual([expect.stringMatching(/^Start must be a date, as YYYY-MM-DD/)]);
    }
    for (const far of ["0001-01-01", "1969-12-31T23:59:59Z", new Date("+010000-01-01T00:00:00Z")]) {
      expect(messages(at.safeParse(far)), String(far)).toEqual(["Start must be between 1970-01-01 and 9999-12-31."]);
    }
  });

  it("integers take numbers or their digits within bounds, never booleans, fractions or exponents", () => {
    const n = integer("Approvals", 1, 5);
    expect(n.parse(3)).toBe(3);
    expect(n.parse(" 4 ")).toBe(4);
    for (const bad of [true, null, "", "1e3", "0x10", 1.5, Number.NaN, Number.POSITIVE_INFINITY, "abc"]) {
      expect(messages(n.safeParse(bad)), String(bad)).toContain("Approvals must be a whole number.");
    }
    expect(messages(n.safeParse(0))).toEqual(["Approvals is at least 1."]);
    expect(messages(n.safeParse("99999999999999999999"))).toContain("Approvals is at most 5.");
  });
});
