import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

test("an admin defines a system no importer covers and its entitlements, with owners and levels; the auditor only reads", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/admin");
  await page.getByRole("link", { name: "Systems and entitlements" }).click();
  const name = `billing-console-${Date.now()}`;
  const add = page.getByRole("form", { name: "Add a system" });
  await add.getByLabel("Name").fill(name);
  await add.getByLabel("Owner").selectOption({ label: "Tom Okafor" });
  await add.getByRole("button", { name: "Add system" }).click();
  await expect(add.getByRole("status")).toHaveText(`System ${name} added.`);
  // The same name again is refused, saying why; nothing is added.
  await add.getByLabel("Name").fill(name.toUpperCase());
  await add.getByRole("button", { name: "Add system" }).click();
  await expect(add.getByRole("alert")).toContainText("exists already");

  await page.getByTestId("system-table").getByRole("link", { name }).click();
  const ent = page.getByRole("form", { name: "Add an entitlement" });
  await ent.getByLabel("Name").fill("Refunds approver");
  await ent.getByLabel("Privilege level").selectOption("privileged");
  await ent.getByRole("button", { name: "Add entitlement" }).click();
  await expect(ent.getByRole("status")).toHaveText("Entitlement Refunds approver added.");
  const row = page.locator('[data-entitlement="Refunds approver"]');
  await row.getByLabel("Level of Refunds approver").selectOption("admin");
  await row.getByLabel("Owner of Refunds approver").selectOption({ label: "Sofia Alvarez" });
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByRole("status")).toHaveText("Saved.");
  await page.reload();
  await expect(page.locator('[data-entitlement="Refunds approver"]').getByLabel("Level of Refunds approver")).toHaveValue("admin");

  const audit = await (await page.request.get(`/api/v1/audit?action=entitlement.updated&pageSize=5`)).json();
  expect(audit.rows[0]).toMatchObject({ entityName: "Refunds approver", after: { privilegeLevel: "admin" } });

  await signInAs(page, "auditor");
  await page.goto("/admin/catalog");
  await page.getByTestId("system-table").getByRole("link", { name }).click();
  await expect(page.locator('[data-entitlement="Refunds approver"]')).toContainText("Sofia Alvarez");
  await expect(page.getByRole("form", { name: "Add a system" })).toHaveCount(0);
  expect((await page.request.post("/api/v1/systems", { data: { name: "x", kind: "saas" } })).status()).toBe(403);
});
