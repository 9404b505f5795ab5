import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

const outsidePolicy = async (page: import("@playwright/test").Page) => {
  const text = await page.getByTestId("credentials-overdue").innerText();
  return text.startsWith("No credential") ? 0 : Number(text.split(" ")[0].replaceAll(",", ""));
};

test("an admin changes a rotation policy: bad input is refused, a good one is saved and the findings follow", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");
  await page.goto("/admin/credentials");
  // The seeded organisation holds old secrets; the first reconciliation pass (at start-up) finds them.
  await expect.poll(async () => (await page.reload(), outsidePolicy(page)), { timeout: 90_000, intervals: [1000] }).toBeGreaterThan(0);
  const before = await outsidePolicy(page);
  await expect(page.getByRole("link", { name: /long-lived credential findings/ })).toHaveAttribute("href", /kind=stale_credential/);

  const days = page.getByLabel("Rotate access_key within days");
  await days.fill("0");
  await page.getByRole("button", { name: "Save rotation policy" }).click();
  await expect(page.locator("p[role=alert]")).toHaveText("At least 1 day.");
  await page.reload();
  await expect(days).toHaveValue("90");

  // Access keys may now live ten years: the findings about their age resolve once the queued pass runs.
  await days.fill("3650");
  await page.getByRole("button", { name: "Save rotation policy" }).click();
  await expect(page.locator("p[role=status]")).toHaveText("Saved. A reconciliation pass is queued to apply them.");
  await expect.poll(async () => (await page.reload(), outsidePolicy(page)), { timeout: 90_000, intervals: [1000] }).toBeLessThan(before);
  await expect(days).toHaveValue("3650");

  // Back to the shipped policy.
  await days.fill("90");
  await page.getByRole("button", { name: "Save rotation policy" }).click();
  await expect(page.locator("p[role=status]")).toBeVisible();
  // Wait for the pass that reopens them, so later tests see the seeded numbers.
  await expect.poll(async () => (await page.reload(), outsidePolicy(page)), { timeout: 90_000, intervals: [1000] }).toBe(before);

  // Auditors read the policy and cannot change it.
  await signInAs(page, "auditor");
  await page.goto("/admin/credentials");
  await expect(page.getByLabel("Rotate access_key within days")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save rotation policy" })).toHaveCount(0);
});
