import { expect, test } from "@playwright/test";
import { call, launchCampaignOver, me, standingGrantOfAnNhi } from "../support/api";
import { signInAs } from "../support/auth";
import { requestAccess } from "../support/jit";

test("each person lands on what needs them: reviews, approvals, attestations, their own access; the CISO keeps the dashboard", async ({ page }) => {
  test.setTimeout(120_000);
  // A pending request for Tom, and a campaign for Sofia.
  await signInAs(page, "requester");
  const id = await requestAccess(page, "PowerUserAccess", { minutes: 45, justification: "Inspect the ledger cache from home" });
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Welcome, Lena Novak" })).toBeVisible();
  const access = page.getByTestId("work-access");
  await expect(access).toContainText("PowerUserAccess");
  await expect(access).toContainText("pending");
  await expect(access.getByRole("link", { name: /Request access \(\d+ eligible\)/ })).toBeVisible();
  await expect(page.getByTestId("work-approvals")).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" })).toHaveCount(0);

  await signInAs(page, "approver");
  await page.goto("/");
  const approvals = page.getByTestId("work-approvals");
  await expect(approvals).toContainText("Inspect the ledger cache from home");
  const waiting = Number(/Approvals waiting \((\d+)\)/.exec((await approvals.getByRole("heading").textContent()) ?? "")?.[1]);
  expect(waiting).toBeGreaterThan(0);
  await approvals
    .getByRole("link", { name: /PowerUserAccess/ })
    .first()
    .click();
  await expect(page).toHaveURL(/\/access-requests\//);
  await page.goto(`/access-requests/${id}`);
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByTestId("request-status")).toContainText("active");
  // Back home, the count follows the decision.
  await page.goto("/");
  await expect(approvals.getByRole("heading")).toHaveText(waiting === 1 ? "Approvals waiting" : `Approvals waiting (${waiting - 1})`);
  await expect(page.getByRole("link", { name: "Risk dashboard" })).toBeVisible();

  await signInAs(page, "requester");
  await page.goto("/");
  await expect(page.getByTestId("work-access")).toContainText("active");
  await call(page, "POST", `/api/v1/jit/requests/${id}/release`);

  await signInAs(page, "reviewer");
  const sofia = await me(page);
  await signInAs(page, "admin");
  const priya = await me(page);
  const grantId = await standingGrantOfAnNhi(page, "api_key", sofia);
  const name = `Home review ${Date.now()}`;
  const campaignId = await launchCampaignOver(page, name, [grantId], sofia, priya);
  // The admin, in the CISO's seat, keeps the risk dashboard with their own work above it.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Risk dashboard" })).toBeVisible();
  await expect(page.getByTestId("my-work")).toBeVisible();

  await signInAs(page, "reviewer");
  await page.goto("/");
  const reviews = page.getByTestId("work-reviews");
  await expect(reviews.getByRole("link", { name })).toHaveAttribute("href", `/certifications/reviews?campaignId=${campaignId}`);
  await expect(reviews.getByRole("listitem").filter({ hasText: name })).toContainText("1 item");

  await signInAs(page, "owner");
  await page.goto("/");
  const attest = page.getByTestId("work-attestations");
  await expect(attest).toContainText("overdue");
  await expect(attest.getByRole("link", { name: "Open my attestations" })).toHaveAttribute("href", "/attestations");
});
