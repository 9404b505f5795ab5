import { expect, type Locator } from "@playwright/test";

/**
 * Decides a review row from the queue: comment, then the decision's button,
 * until the row shows `outcome` or, once the queue's refetch has taken the
 * decided row away, the page says the item was decided ("1 item certified.").
 * A click that lands before the page has hydrated does nothing (seen in CI),
 * so the decision is tried again while its button is still there.
 */
export async function decideReviewRow(row: Locator, decision: string, comment: string, outcome: string) {
  const said = row
    .page()
    .getByRole("status")
    .filter({ hasText: `1 item ${outcome.toLowerCase()}.` });
  await expect(async () => {
    const button = row.getByRole("button", { name: decision });
    if (await button.isVisible()) {
      await row.getByPlaceholder("Comment").fill(comment);
      await button.click();
    }
    await expect(row.filter({ hasText: outcome }).or(said).first()).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 20_000 });
}
