import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";
import { call, launchCampaignOver, me } from "../support/api";
import { decideReviewRow } from "../support/review";

type Policy = { policy: { id: string; entitlementId: string; archivedAt: string | null }; entitlementName: string; privilegeLevel: string };
type Grant = { grant: { id: string; type: string; policyId: string | null; revokedAt: string | null }; decisions: { kind: string }[] };

test("an eligibility certified in a campaign stays an eligibility the person can request", async ({ page }) => {
  await signInAs(page, "requester");
  const lena = await me(page);
  const mine = await call<{ eligibility: { entitlementId: string }[] }>(page, "GET", "/api/v1/jit/eligibility");
  const already = new Set(mine.eligibility.map((e) => e.entitlementId));
  await signInAs(page, "reviewer");
  const sofia = await me(page);

  // An admin names Lena on a policy for something she may not yet request.
  await signInAs(page, "admin");
  const priya = await me(page);
  const { policies } = await call<{ policies: Policy[] }>(page, "GET", "/api/v1/jit/policies");
  const policy = policies.find((p) => !p.policy.archivedAt && !already.has(p.policy.entitlementId));
  expect(policy, "a live policy Lena is not yet eligible under").toBeTruthy();
  await call(page, "POST", `/api/v1/jit/policies/${policy!.policy.id}/eligible`, { identityIds: [lena] });
  const detail = await call<{ grants: Grant[] }>(page, "GET", `/api/v1/identities/${lena}`);
  const eligibility = detail.grants.find((g) => g.grant.type === "eligible" && g.grant.policyId === policy!.policy.id && !g.grant.revokedAt)!;
  expect(eligibility).toBeTruthy();
  const campaignId = await launchCampaignOver(page, `Eligibility review ${Date.now()}`, [eligibility.grant.id], sofia, priya);

  // The reviewer certifies it in her queue.
  await signInAs(page, "reviewer");
  await page.goto(`/certifications/reviews?campaignId=${campaignId}`);
  const row = page.getByTestId("review-row");
  await expect(row).toHaveCount(1);
  await decideReviewRow(row, "Certify", "Lena is on the payments on-call rota", "Certified");

  // The identity page shows both decisions; Lena can still request it, and does.
  await signInAs(page, "admin");
  await page.goto(`/identities/${lena}`);
  const grantRow = page.getByTestId("grants-table").locator("tr", { hasText: policy!.entitlementName }).first();
  await expect(grantRow.getByTestId("grant-decisions")).toContainText("Eligibility policy");
  await expect(grantRow.getByTestId("grant-decisions")).toContainText("Certified in campaign by Sofia Alvarez");

  await signInAs(page, "requester");
  const after = await call<{ eligibility: { entitlementId: string }[] }>(page, "GET", "/api/v1/jit/eligibility");
  expect(after.eligibility.map((e) => e.entitlementId)).toContain(policy!.policy.entitlementId);
  await page.goto("/access-requests");
  const item = page.getByTestId("eligibility").locator("li").filter({ hasText: policy!.entitlementName }).first();
  await item.getByRole("button", { name: "Request…" }).click();
  const form = page.getByRole("form", { name: `Request ${policy!.entitlementName}` });
  await form.getByLabel(/Justification/).fill("Rotate the ledger encryption key with the on-call");
  const ticket = form.getByLabel(/Ticket/);
  if (await ticket.count()) await ticket.fill("CHG-4242");
  await form.getByRole("button", { name: /^(Request|Activate)$/ }).click();
  await expect(page.getByRole("status").getByRole("link", { name: "Follow it" })).toBeVisible();
});
