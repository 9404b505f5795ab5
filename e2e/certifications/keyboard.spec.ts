import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "../support/auth";
import { call, launchCampaignOver, me } from "../support/api";

type Grant = { grant: { id: string; revokedAt: string | null; type: string } };

/** A campaign over four live standing grants of NHIs the reviewer does not own, signed in as the reviewer on its queue. */
async function reviewQueueOfFour(page: Page, name: string) {
  await signInAs(page, "reviewer");
  const sofia = await me(page);
  await signInAs(page, "admin");
  const priya = await me(page);
  const nhis = await call<{ rows: { id: string; ownerId: string | null }[] }>(page, "GET", "/api/v1/identities?kind=service_account&status=active&pageSize=50");
  // Gathered across NHIs: an earlier test may have revoked some of one NHI's.
  const grantIds: string[] = [];
  for (const n of nhis.rows.filter((r) => r.ownerId !== sofia)) {
    const detail = await call<{ grants: Grant[] }>(page, "GET", `/api/v1/identities/${n.id}`);
    grantIds.push(...detail.grants.filter((g) => !g.grant.revokedAt && g.grant.type === "standing").map((g) => g.grant.id));
    if (grantIds.length >= 4) break;
  }
  expect(grantIds.length).toBeGreaterThanOrEqual(4);
  const campaignId = await launchCampaignOver(page, `${name} ${Date.now()}`, grantIds.slice(0, 4), sofia, priya);
  await signInAs(page, "reviewer");
  await page.goto(`/certifications/reviews?campaignId=${campaignId}`);
  return campaignId;
}

test("every review-queue shortcut works and the page survives it: j, k, x, c, r", async ({ page }) => {
  const campaignId = await reviewQueueOfFour(page, "Keyboard review");
  const rows = page.getByTestId("review-row");
  await expect(rows).toHaveCount(4);
  const ids = await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-item")!));
  const row = (id: string) => page.locator(`[data-testid="review-row"][data-item="${id}"]`);
  const focused = page.locator('[data-testid="review-row"][data-focused]');
  const decision = () => page.waitForResponse((r) => r.url().endsWith("/api/v1/reviews/decisions") && r.request().method() === "POST");
  await expect(focused).toHaveAttribute("data-item", ids[0]);

  // j and k move the focus; the page keeps working (the scroll effect once crashed it).
  await page.keyboard.press("j");
  await expect(focused).toHaveAttribute("data-item", ids[1]);
  await page.keyboard.press("j");
  await page.keyboard.press("k");
  await expect(focused).toHaveAttribute("data-item", ids[1]);
  await expect(page.getByText("This page couldn't load")).toHaveCount(0);

  // x selects the focused row and again deselects it.
  await page.keyboard.press("x");
  await expect(row(ids[1]).getByRole("checkbox")).toBeChecked();
  await expect(page.getByTestId("bulk-bar")).toBeVisible();
  await page.keyboard.press("x");
  await expect(row(ids[1]).getByRole("checkbox")).not.toBeChecked();

  // A click on a row moves the focus there: the keys act on the row clicked, not on another.
  await row(ids[3])
    .locator("td")
    .first()
    .click({ position: { x: 2, y: 2 } });
  await expect(focused).toHaveAttribute("data-item", ids[3]);
  await page.keyboard.press("x");
  await expect(row(ids[3]).getByRole("checkbox")).toBeChecked();
  await page.keyboard.press("x");
  await expect(row(ids[3]).getByRole("checkbox")).not.toBeChecked();
  await page.keyboard.press("k");
  await page.keyboard.press("k");
  await expect(focused).toHaveAttribute("data-item", ids[1]);

  // c certifies the focused row with the comment typed on it; a typed comment survives moving about.
  await row(ids[1]).getByPlaceholder("Comment").fill("Still runs the nightly export");
  await page.getByRole("heading", { name: "My reviews" }).click();
  await page.keyboard.press("j");
  await page.keyboard.press("k");
  await expect(row(ids[1]).getByPlaceholder("Comment")).toHaveValue("Still runs the nightly export");
  const certified = decision();
  await page.keyboard.press("c");
  expect((await certified).status()).toBe(200);
  // The decided item leaves the pending queue; the focus stays where the reviewer was.
  await expect(row(ids[1])).toHaveCount(0);
  await expect(focused).toHaveAttribute("data-item", ids[2]);

  // r revokes: without a comment it is refused with the reason, with one it is done.
  const refused = decision();
  await page.keyboard.press("r");
  expect((await refused).status()).toBe(422);
  // The reason shows on the row it belongs to, not in a banner above the table.
  await expect(row(ids[2]).getByRole("alert")).toHaveText("Say why the access is revoked.");
  await row(ids[2]).getByPlaceholder("Comment").fill("Not used since the migration");
  await page.getByRole("heading", { name: "My reviews" }).click();
  const revoked = decision();
  await page.keyboard.press("r");
  expect((await revoked).status()).toBe(200);

  // Both decisions are real: they survive a reload.
  await page.goto(`/certifications/reviews?status=decided&campaignId=${campaignId}`);
  await expect(page.getByTestId("review-row")).toHaveCount(2);
  await expect(row(ids[1])).toContainText("Certified");
  await expect(row(ids[2])).toContainText("Revoked");
});

test("a decision over several items is confirmed with its count and reports what it did; an empty queue says when filters hide items", async ({ page }) => {
  await reviewQueueOfFour(page, "Bulk review");
  const rows = page.getByTestId("review-row");
  await expect(rows).toHaveCount(4);
  const ids = await rows.evaluateAll((els) => els.map((el) => el.getAttribute("data-item")!));
  const row = (id: string) => page.locator(`[data-testid="review-row"][data-item="${id}"]`);
  // The bar that ticking brings up moves no row: the next click lands on what the pointer is on.
  const y = (await row(ids[1]).boundingBox())!.y;
  await row(ids[0]).getByRole("checkbox").check();
  const bar = page.getByTestId("bulk-bar");
  await expect(bar).toBeVisible();
  expect((await row(ids[1]).boundingBox())!.y).toBe(y);
  await row(ids[1]).getByRole("checkbox").check();
  await page.screenshot({ path: test.info().outputPath("bulk-bar.png") });
  // Scrolled to the end, the page's foot clears the floating bar: it hides no row or page link.
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const foot = (await page.getByRole("navigation", { name: "Pagination" }).boundingBox())!;
  expect(foot.y + foot.height).toBeLessThanOrEqual((await bar.boundingBox())!.y);
  await bar.getByLabel("Comment for selected").fill("Both still run the nightly export");
  await bar.getByRole("button", { name: "Certify selected" }).click();
  // Asked once more, with the count; Back changes nothing.
  await expect(page.getByRole("alertdialog", { name: "Certify 2 items?" })).toContainText("Both still run the nightly export");
  await page.getByRole("button", { name: "Back" }).click();
  await expect(row(ids[0])).not.toContainText("Certified");
  await bar.getByRole("button", { name: "Certify selected" }).click();
  await page.getByRole("button", { name: "Certify 2 items" }).click();
  await expect(page.getByRole("status")).toContainText("2 items certified.");

  // Filtered to nothing: the queue says the filters may hide open items, and clears them.
  await page.getByPlaceholder("Identity or entitlement").fill("no-such-identity-anywhere");
  await expect(page.getByText("No items match these filters.")).toBeVisible();
  await page.getByRole("button", { name: "Clear the filters" }).click();
  await expect(page).not.toHaveURL(/q=/);
  await expect(rows.first()).toBeVisible();
});
