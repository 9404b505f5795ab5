import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "../support/auth";
import { decideReviewRow } from "../support/review";

const countOf = async (page: Page) => Number((await page.getByTestId("queue-count").innerText()).replace(/[^\d]/g, ""));

test("two stages, self-review to the fallback, reassignment, close by rule, sign-off and evidence export", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");
  await page.goto("/certifications/new");
  const form = page.getByRole("form", { name: "New campaign" });
  const name = `Two-stage payments review ${Date.now()}`;
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Systems", { exact: true }).selectOption({ label: "payments-db-prod" });
  await form.getByLabel("Reviewers", { exact: true }).selectOption("named");
  await form.getByLabel("Named reviewers", { exact: true }).selectOption({ label: "Sofia Alvarez" });
  await form.getByLabel("Fallback reviewer", { exact: true }).selectOption({ label: "Tom Okafor" });
  await form.locator('select[name="stages"]').selectOption("2");
  await form.locator('select[name="undecidedAction"]').selectOption("recommendation");
  await form.getByRole("button", { name: "Create draft campaign" }).click();
  await expect(form.getByText("Name who confirms decisions in the second stage.")).toBeVisible();
  await form.getByLabel("Second-stage reviewers", { exact: true }).selectOption({ label: "Marcus Chen" });
  await form.getByRole("button", { name: "Create draft campaign" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const campaignId = page.url().split("/").pop()!;
  await page.getByRole("button", { name: "Launch campaign" }).click();
  await expect(page.getByText(/Launched: \d+ review items/)).toBeVisible();

  // Sofia is the named reviewer, but her own access went to the fallback reviewer.
  await signInAs(page, "approver");
  await page.goto(`/certifications/reviews?campaignId=${campaignId}`);
  const sofiaHerself = { has: page.getByRole("link", { name: "Sofia Alvarez", exact: true }) };
  const own = page.getByTestId("review-row").filter(sofiaHerself);
  await expect(own.first()).toContainText("fallback: self-review");

  await signInAs(page, "reviewer");
  await page.goto(`/certifications/reviews?campaignId=${campaignId}`);
  await expect(page.getByTestId("review-row").first()).toBeVisible();
  await expect(page.getByTestId("review-row").filter({ has: page.getByRole("link", { name: "Sofia Alvarez", exact: true }) })).toHaveCount(0);
  const before = await countOf(page);
  expect(before).toBeGreaterThan(2);

  // Reassign one item to Tom from the row.
  const moved = page.getByTestId("review-row").nth(1);
  const movedItem = await moved.getAttribute("data-item");
  await moved.getByRole("button", { name: "Reassign…" }).click();
  await moved.getByRole("combobox", { name: /^Reassign .* to$/ }).selectOption({ label: "Tom Okafor" });
  await moved.getByRole("button", { name: "Reassign", exact: true }).click();
  await expect.poll(() => countOf(page)).toBe(before - 1);
  await expect(page.locator(`[data-item="${movedItem}"]`)).toHaveCount(0);

  // A first-stage revoke is only a proposal.
  const first = page.getByTestId("review-row").first();
  const firstItem = await first.getAttribute("data-item");
  await first.getByPlaceholder("Comment").fill("Nobody on the team uses this");
  await first.getByRole("button", { name: "Revoke" }).click();
  await page.goto(`/certifications/reviews?campaignId=${campaignId}&status=decided`);
  await expect(page.locator(`[data-item="${firstItem}"]`)).toContainText("Proposed revoke");
  await expect(page.locator(`[data-item="${firstItem}"]`)).toContainText("awaiting the second stage");

  // Marcus confirms it in the second stage.
  await signInAs(page, "owner");
  await page.goto(`/certifications/reviews?campaignId=${campaignId}`);
  const second = page.getByTestId("review-row").filter({ hasText: "Second stage: confirm or overturn" });
  await expect(second).toHaveCount(1);
  await expect(second).toContainText("Nobody on the team uses this");
  await decideReviewRow(second, "Revoke", "Confirmed with the team lead", "Revoked");

  // The admin closes early: the rest follow the recommendation; the owner signs off.
  await signInAs(page, "admin");
  await page.goto(`/certifications/${campaignId}`);
  await expect(page.getByTestId("decision-mix")).toContainText("Revoked");
  await page.getByRole("button", { name: "Close now…" }).click();
  const close = page.getByRole("form", { name: "Close campaign" });
  await close.getByRole("textbox").fill("Audit fieldwork starts Monday");
  await close.getByRole("button", { name: "Close campaign" }).click();
  await expect(page.getByText(/Closed: \d+ undecided items settled \(recommendation\)/)).toBeVisible();
  await expect(page.getByTestId("campaign-outcome")).toContainText("Audit fieldwork starts Monday");
  await expect(page.getByTestId("campaign-outcome")).toContainText("Awaiting sign-off");
  await expect(page.getByTestId("campaign-progress")).toHaveText("100%");

  await page.getByRole("button", { name: "Sign off…" }).click();
  await page.getByRole("form", { name: "Sign off campaign" }).getByRole("button", { name: "Sign off" }).click();
  await expect(page.getByTestId("campaign-outcome")).toContainText("Signed off");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const csv = await (await download).createReadStream().then(async (stream) => {
    let text = "";
    for await (const chunk of stream) text += chunk;
    return text;
  });
  const lines = csv.trim().split("\n");
  expect(lines[0]).toMatch(/^itemId,stage,previousItemId,identity/);
  expect(lines.length).toBeGreaterThan(before);
  expect(csv).toContain("Confirmed with the team lead");
  expect(csv).toContain("campaign rule");
  const json = await (await page.request.get(`/api/v1/campaigns/${campaignId}/export?format=json`)).json();
  expect(json.campaign).toMatchObject({ id: campaignId, status: "completed" });

  // A reviewer cannot export the whole campaign.
  await signInAs(page, "reviewer");
  expect((await page.request.get(`/api/v1/campaigns/${campaignId}/export?format=csv`)).status()).toBe(404);
});
