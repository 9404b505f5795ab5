import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "./json";

describe("canonicalJson", () => {
  it("spells a value one way whatever the order of its keys, and reads back as the same value", () => {
    const shuffled = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(shuffled)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, shuffled(x)]),
            )
          : v;
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        expect(canonicalJson(shuffled(v))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 2000 },
    );
  });

  it("sorts keys by code unit, leaves out undefined properties, writes Dates as ISO text and refuses a cycle", () => {
    expect(canonicalJson({ b: 1, a: [undefined, new Date(0)], B: undefined, é: null })).toBe('{"a":[null,"1970-01-01T00:00:00.000Z"],"b":1,"é":null}');
    expect(canonicalJson(undefined)).toBe("null");
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow(TypeError);
  });
});
