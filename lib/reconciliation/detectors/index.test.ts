import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findingKinds } from "@/db/schema";
import { findingKindSpecs } from "@/lib/findings/kinds";
import { reconciliationDetectors } from ".";

describe("reconciliation's detectors", () => {
  it("run every kind the registry says reconciliation detects, each from the module it names", () => {
    const here = findingKinds.filter((k) => findingKindSpecs[k].detector.startsWith("lib/reconciliation/detectors/"));
    expect(Object.keys(reconciliationDetectors).sort()).toEqual([...here].sort());
  });

  it("are where the registry says, for every kind", () => {
    for (const kind of findingKinds) expect(existsSync(findingKindSpecs[kind].detector), `${kind}: ${findingKindSpecs[kind].detector}`).toBe(true);
  });
});
