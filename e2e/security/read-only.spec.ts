import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";
import { call, me } from "../support/api";

test("an auditor is given no decisions to make and cannot make one", async ({ page }) => {
  await signInAs(page, "auditor");
  const grace = await me(page);
  await signInAs(page, "approver");
  const tom = await me(page);
  await signInAs(page, "admin");
  const priya = await me(page);
  // A campaign routed by manager over Priya's access: her manager is Grace (CISO), who only reads.
  const campaign = await call<{ id: string }>(page, "POST", "/api/v1/campaigns", {
    name: `Manager review ${Date.now()}`,
    scope: { identityIds: [priya] },
    reviewerStrategy: "owner_or_manager",
    fallbackReviewerId: tom,
    startsAt: new Date().toISOString(),
    dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
  });
  // Naming her to decide is refused.
  const named = await page.request.post("/api/v1/campaigns", {
    data: {
      name: "Auditor decides",
      reviewerStrategy: "named",
      reviewerIds: [grace],
      fallbackReviewerId: tom,
      startsAt: new Date().toISOString(),
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
    },
  });
  expect(named.status()).toBe(422);
  await call(page, "POST", `/api/v1/campaigns/${campaign.id}/launch`);

  await signInAs(page, "auditor");
  const queue = await call<{ total: number }>(page, "GET", `/api/v1/reviews?campaignId=${campaign.id}`);
  expect(queue.total).toBe(0);
  await page.goto(`/certifications/reviews?campaignId=${campaign.id}`);
  await expect(page.getByTestId("review-row")).toHaveCount(0);

  // What would have been hers went to the fallback, saying why.
  await signInAs(page, "approver");
  await page.goto(`/certifications/reviews?campaignId=${campaign.id}`);
  await expect(page.getByText("fallback: the reviewer's role is read-only").first()).toBeVisible();
  const item = await page.getByTestId("review-row").first().getAttribute("data-item");

  // Every decision path refuses her.
  await signInAs(page, "auditor");
  const decided = await page.request.post("/api/v1/reviews/decisions", { data: { itemIds: [item], decision: "certify", comment: "Looks fine" } });
  expect(decided.status()).toBe(403);
  const rotated = await page.request.post(`/api/v1/credentials/00000000-0000-4000-8000-000000000000/rotated`, { data: {} });
  expect(rotated.status()).toBe(403);
});
