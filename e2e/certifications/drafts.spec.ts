import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

test("a draft is edited with its settings filled in; a launched campaign is cloned into a new draft to adjust", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/certifications/new");
  const form = page.getByRole("form", { name: "New campaign" });
  const name = `Ledger review ${Date.now()}`;
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Systems", { exact: true }).selectOption({ label: "payments-db-prod" });
  await form.getByLabel("Reviewers", { exact: true }).selectOption("named");
  await form.getByLabel("Named reviewers", { exact: true }).selectOption({ label: "Sofia Alvarez" });
  await form.getByLabel("Fallback reviewer", { exact: true }).selectOption({ label: "Tom Okafor" });
  await form.getByLabel("Reminders (days before due)").fill("5, 1");
  await form.getByRole("button", { name: "Create draft campaign" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const id = page.url().split("/").pop()!;

  // Edit: every setting as saved; a bad change is refused in place; a good one saved.
  await page.getByRole("link", { name: "Edit draft" }).click();
  const edit = page.getByRole("form", { name: "Edit campaign" });
  await expect(edit.getByLabel("Name", { exact: true })).toHaveValue(name);
  await expect(edit.getByLabel("Reviewers", { exact: true })).toHaveValue("named");
  await expect(edit.getByLabel("Named reviewers", { exact: true }).locator("option:checked")).toHaveText("Sofia Alvarez");
  await expect(edit.getByLabel("Fallback reviewer", { exact: true }).locator("option:checked")).toHaveText("Tom Okafor");
  await expect(edit.getByLabel("Systems", { exact: true }).locator("option:checked")).toHaveText("payments-db-prod");
  await expect(edit.getByLabel("Reminders (days before due)")).toHaveValue("5, 1");
  await edit.getByLabel("Name", { exact: true }).fill("Q");
  await edit.getByRole("button", { name: "Save the draft" }).click();
  await expect(edit.getByText("Name the campaign in at least 3 characters.")).toBeVisible();
  await edit.getByLabel("Name", { exact: true }).fill(`${name} (edited)`);
  await edit.getByRole("button", { name: "Save the draft" }).click();
  await expect(page.getByRole("heading", { name: `${name} (edited)` })).toBeVisible();
  expect(page.url()).toMatch(new RegExp(`/certifications/${id}$`));

  // Launched, it can no longer be edited; cloned, its settings start a new draft.
  await page.getByRole("button", { name: "Launch campaign" }).click();
  await expect(page.getByText(/0 of \d+ items decided/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Edit draft" })).toHaveCount(0);
  expect((await page.request.patch(`/api/v1/campaigns/${id}`, { data: {} })).status()).toBe(422);
  await page.getByRole("button", { name: "Clone" }).click();
  const copy = page.getByRole("form", { name: "Edit campaign" });
  await expect(copy.getByLabel("Name", { exact: true })).toHaveValue(`${name} (edited) (copy)`);
  await expect(copy.getByLabel("Reminders (days before due)")).toHaveValue("5, 1");
  expect(page.url()).not.toContain(id);
});
