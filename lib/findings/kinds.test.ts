import { describe, expect, it } from "vitest";
import { findingKinds } from "@/db/schema";
import { frameworkControls } from "@/lib/reconciliation/frameworks";
import { findingKindLabels, findingKindSpecs } from "./kinds";

describe("the finding kind registry", () => {
  it("has an entry, a label and at least one framework control for every kind the database knows", () => {
    expect(Object.keys(findingKindSpecs).sort()).toEqual([...findingKinds].sort());
    for (const kind of findingKinds) {
      expect(findingKindLabels[kind]).toMatch(/\w/);
      expect(findingKindSpecs[kind].frameworks.length).toBeGreaterThan(0);
    }
  });

  it("gives each framework control the kinds that evidence it", () => {
    const byControl = Object.fromEntries(frameworkControls.map((c) => [c.id, [...c.kinds].sort()]));
    expect(byControl).toEqual({
      NHI1: ["orphaned_nhi", "used_after_offboarding"],
      NHI5: [
        "active_after_approval",
        "approved_unused",
        "dormant_admin",
        "escalation_to_admin",
        "open_trust_policy",
        "target_unapproved",
        "unapproved_grant",
        "used_without_approval",
      ],
      NHI7: ["stale_credential"],
      NHI10: ["outside_grant_window", "session_outlived_grant"],
      "PR.AA-01": ["orphaned_nhi", "stale_credential", "used_after_offboarding"],
      "PR.AA-05": [
        "active_after_approval",
        "approved_unused",
        "dormant_admin",
        "escalation_to_admin",
        "open_trust_policy",
        "outside_grant_window",
        "session_outlived_grant",
        "target_missing",
        "target_unapproved",
        "unapproved_grant",
        "used_without_approval",
      ],
      "DE.CM-03": ["denied_attempt", "outside_grant_window", "session_outlived_grant", "used_after_offboarding"],
    });
  });
});
