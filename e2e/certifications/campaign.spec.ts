import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

test("admin creates and launches a campaign; the reviewer certifies and revokes, singly and in bulk", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/certifications");
  await page.getByRole("link", { name: "New campaign" }).click();
  const form = page.getByRole("form", { name: "New campaign" });

  // A bad submission is refused with field messages and creates nothing.
  await form.getByLabel("Name", { exact: true }).fill("Q");
  await form.getByRole("button", { name: "Create draft campaign" }).click();
  await expect(form.getByText("Choose a fallback reviewer.")).toBeVisible();
  await expect(form.getByText("Name the campaign in at least 3 characters.")).toBeVisible();

  const name = `Payments DB review ${Date.now()}`;
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Systems", { exact: true }).selectOption({ label: "payments-db-prod" });
  await form.getByLabel("Reviewers", { exact: true }).selectOption("named");
  await form.getByLabel("Named reviewers", { exact: true }).selectOption({ label: "Sofia Alvarez" });
  await form.getByLabel("Fallback reviewer", { exact: true }).selectOption({ label: "Tom Okafor" });
  await form.getByRole("button", { name: "Create draft campaign" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const campaignId = page.url().split("/").pop()!;
  await page.getByRole("button", { name: "Launch campaign" }).click();
  await expect(page.getByText(/0 of \d+ items decided/)).toBeVisible();
  await expect(page.getByTestId("reviewer-table")).toContainText("Sofia Alvarez");

  await signInAs(page, "reviewer");
  await page.goto(`/certifications/reviews?campaignId=${campaignId}`);
  const rows = page.getByTestId("review-row");
  await expect(rows.first()).toBeVisible();
  const before = Number((await page.getByTestId("queue-count").innerText()).replace(/[^\d]/g, ""));
  expect(before).toBeGreaterThan(3);

  // Revoke one with a reason; it disappears from the identity's active access.
  const first = rows.first();
  const identityHref = await first.getByRole("link").first().getAttribute("href");
  const entitlement = (await first.locator("td").nth(2).locator("div").first().innerText()).split(" ")[0];
  await first.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("Say why the access is revoked.")).toBeVisible();
  await first.getByPlaceholder("Comment").fill("Not used in months");
  await first.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("Say why the access is revoked.")).toHaveCount(0);
  await expect.poll(async () => Number((await page.getByTestId("queue-count").innerText()).replace(/[^\d]/g, ""))).toBe(before - 1);

  // Bulk: select two and revoke them together.
  await rows.nth(0).getByRole("checkbox").check();
  await rows.nth(1).getByRole("checkbox").check();
  await page.getByLabel("Comment for selected").fill("Team no longer owns this database");
  await page.getByRole("button", { name: "Revoke selected" }).click();
  // Asked once more, with the count, then reported.
  await page.getByRole("alertdialog", { name: "Revoke 2 items?" }).getByRole("button", { name: "Revoke 2 items" }).click();
  await expect(page.getByRole("status")).toContainText("2 items revoked.");
  await expect.poll(async () => Number((await page.getByTestId("queue-count").innerText()).replace(/[^\d]/g, ""))).toBe(before - 3);

  // Certify one, saying why the access is still needed.
  await rows.first().getByPlaceholder("Comment").fill("Needed for the month-end close");
  await rows.first().getByRole("button", { name: "Certify" }).click();
  await expect.poll(async () => Number((await page.getByTestId("queue-count").innerText()).replace(/[^\d]/g, ""))).toBe(before - 4);

  // Decisions survive a reload.
  await page.goto(`/certifications/reviews?status=decided&campaignId=${campaignId}`);
  await expect(page.getByTestId("review-row")).toHaveCount(4);
  await expect(page.getByTestId("review-row").filter({ hasText: "Certified" })).toContainText("Needed for the month-end close");

  await page.goto(identityHref!);
  const revokedRow = page.getByTestId("grants-table").locator("tr", { hasText: entitlement });
  await expect(revokedRow.first()).toContainText("Revoked");
  await expect(page.getByTestId("identity-history")).toContainText("grant.revoked");
});

test("a requester can neither create nor launch campaigns, nor decide items", async ({ page }) => {
  await signInAs(page, "requester");
  await page.goto("/certifications/new");
  await expect(page.getByText("You do not have access to creating campaigns.")).toBeVisible();
  const created = await page.request.post("/api/v1/campaigns", {
    data: {
      name: "Sneaky",
      reviewerStrategy: "owner_or_manager",
      fallbackReviewerId: "00000000-0000-4000-8000-000000000000",
      startsAt: "2026-12-01",
      dueAt: "2026-12-02",
    },
  });
  expect(created.status()).toBe(403);
  const decided = await page.request.post("/api/v1/reviews/decisions", { data: { itemIds: ["00000000-0000-4000-8000-000000000000"], decision: "certify" } });
  expect(decided.status()).toBe(404);
});
