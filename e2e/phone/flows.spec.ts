import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "../support/auth";
import { call, launchCampaignOver, me, standingGrantOfAnNhi } from "../support/api";

// The "phone" project (playwright.config.ts) runs this file at 390 × 844 with touch.

/** Nothing on the page is wider than the phone: no sideways scrolling. */
async function fitsTheScreen(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
}

/** Goes to a section through the folded menu, as a phone user would. */
async function openSection(page: Page, name: string) {
  const menu = page.getByTestId("mobile-menu");
  await menu.getByText("Menu").click();
  await menu.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
  // The menu folds again on arrival.
  await expect(page.getByTestId("mobile-menu").getByRole("navigation", { name: "Main" })).toBeHidden();
}

test("on a phone: ask for access, approve it, decide a review item and attest an NHI, through the folded menu", async ({ page }) => {
  test.setTimeout(120_000);
  // Lena asks from her phone.
  await signInAs(page, "requester");
  await page.goto("/");
  await openSection(page, "Access requests (JIT)");
  await fitsTheScreen(page);
  const item = page.getByTestId("eligibility").locator("li").filter({ hasText: "PowerUserAccess" });
  await item.getByRole("button", { name: "Request…" }).click();
  const form = page.getByRole("form", { name: "Request PowerUserAccess" });
  await form.getByLabel(/Duration in minutes/).fill("30");
  await form.getByLabel(/Justification/).fill("Check the cache cluster from the train");
  await form.getByRole("button", { name: /^(Request|Activate)$/ }).click();
  const id = (await page.getByRole("status").getByRole("link", { name: "Follow it" }).getAttribute("href"))!.split("/").pop()!;

  // Tom approves it from his phone.
  await signInAs(page, "approver");
  await page.goto("/");
  await openSection(page, "Access requests (JIT)");
  await page
    .getByRole("navigation", { name: "Access requests" })
    .getByRole("link", { name: /^Approvals/ })
    .click();
  const card = page.getByTestId(`approval-${id}`);
  await expect(card).toContainText("Check the cache cluster from the train");
  await fitsTheScreen(page);
  await page.screenshot({ path: test.info().outputPath("phone-approvals.png"), fullPage: true });
  await card.getByRole("button", { name: "Approve" }).tap();
  await expect(page.getByRole("status")).toContainText("Request active.");
  await signInAs(page, "requester");
  await call(page, "POST", `/api/v1/jit/requests/${id}/release`, {});

  // Sofia decides a review item from her phone.
  await signInAs(page, "reviewer");
  const sofia = await me(page);
  await signInAs(page, "admin");
  const priya = await me(page);
  const grantId = await standingGrantOfAnNhi(page, "service_account", sofia);
  const campaignId = await launchCampaignOver(page, `Phone review ${Date.now()}`, [grantId], sofia, priya);
  await signInAs(page, "reviewer");
  await page.goto(`/certifications/reviews?campaignId=${campaignId}`);
  const row = page.getByTestId("review-row");
  await expect(row).toHaveCount(1);
  await expect(page.getByTestId("queue-count")).toHaveText("1 item");
  await fitsTheScreen(page);
  // Ticking the item brings the bulk bar up at the foot of the screen, over the page: the row
  // stays where it was under her thumb, and nothing is wider than the screen.
  const before = (await row.boundingBox())!;
  await row.getByRole("checkbox").tap();
  const bar = page.getByTestId("bulk-bar");
  await expect(bar).toBeVisible();
  expect((await row.boundingBox())!.y).toBe(before.y);
  const barBox = (await bar.boundingBox())!;
  expect(barBox.y + barBox.height).toBeLessThanOrEqual(page.viewportSize()!.height);
  await fitsTheScreen(page);
  await page.screenshot({ path: test.info().outputPath("phone-review-bulk.png") });
  await row.getByRole("checkbox").tap();
  await expect(bar).toBeHidden();
  await row.getByRole("textbox").fill("Still runs the nightly export");
  await page.screenshot({ path: test.info().outputPath("phone-review.png"), fullPage: true });
  await row.getByRole("button", { name: "Certify" }).tap();
  // Said above the queue, which stays said after the refetch takes the decided row away.
  await expect(page.getByRole("status").filter({ hasText: "1 item certified." })).toBeVisible();

  // Marcus attests an NHI he owns from his phone: the table keeps the name, the due date and the button.
  await signInAs(page, "owner");
  await page.goto("/");
  await expect(page.getByTestId("work-attestations")).toBeVisible();
  await fitsTheScreen(page);
  await openSection(page, "Attestations");
  const due = await call<{ rows: { id: string; name: string; relation: string | null }[] }>(page, "GET", "/api/v1/attestations?due=due&pageSize=50");
  const nhi = due.rows.find((r) => r.relation === "owner")!;
  await fitsTheScreen(page);
  const nhiRow = page.locator(`tr[data-identity-id="${nhi.id}"]`);
  await nhiRow.getByRole("button", { name: `Attest ${nhi.name}` }).tap();
  const attestForm = page.getByRole("form", { name: `Attest ${nhi.name}` });
  await expect(attestForm).toBeVisible();
  await fitsTheScreen(page);
  await attestForm.getByLabel("Yes, still needed").check();
  await attestForm.getByLabel("Purpose").fill(`Pushes nightly images (attested from a phone ${Date.now()})`);
  await page.screenshot({ path: test.info().outputPath("phone-attest.png"), fullPage: true });
  await attestForm.getByRole("button", { name: "Attest", exact: true }).tap();
  await expect(page.getByRole("status")).toContainText(`${nhi.name} attested.`, { timeout: 15_000 });
});
