import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

test("an admin sets how often a kind of NHI is attested and when owners are reminded; bad input is named on its field; owners read it", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/admin");
  await page.getByRole("link", { name: "Attestation policy" }).click();
  const row = page.locator('[data-kind="certificate"]');
  await expect(row).toContainText("product default");
  const every = row.getByLabel("Attest certificate every (days)");
  const remind = row.getByLabel("Remind owners of certificate (days before due)");
  await expect(every).toHaveValue("90");
  await expect(remind).toHaveValue("14, 3, 0");

  // A reminder further ahead than the interval cannot be: said on its field, nothing saved.
  await every.fill("120");
  await remind.fill("200, 7");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row).toContainText("Remind at most 90 days ahead.");
  await remind.fill("30, 7, 0");
  // Enter saves, as in a form.
  await remind.press("Enter");
  await expect(row.getByRole("status")).toHaveText("Saved.");
  await page.reload();
  await expect(page.locator('[data-kind="certificate"]')).toContainText("set here");
  await expect(page.locator('[data-kind="certificate"]').getByLabel("Attest certificate every (days)")).toHaveValue("120");

  const audit = await (await page.request.get(`/api/v1/audit?action=attestation_policy.updated&pageSize=5`)).json();
  expect(audit.rows[0]).toMatchObject({ entityId: "certificate", after: { intervalDays: 120, reminderDays: [30, 7, 0] } });

  // The owner reads it from the attestations page, and cannot change it.
  await signInAs(page, "owner");
  await page.goto("/attestations");
  await page.getByRole("link", { name: "attestation policy" }).click();
  await expect(page.locator('[data-kind="certificate"]').getByLabel("Attest certificate every (days)")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  expect((await page.request.put("/api/v1/attestation-policies/certificate", { data: { intervalDays: 30, reminderDays: [] } })).status()).toBe(403);
});
