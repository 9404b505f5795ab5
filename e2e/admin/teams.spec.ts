import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

test("an admin defines a team, fills it, renames it and deletes it after confirming; the auditor only reads", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/admin");
  await page.getByRole("link", { name: "Teams", exact: true }).click();
  const name = `Payments on-call ${Date.now()}`;
  const add = page.getByRole("form", { name: "Add a team" });
  await add.getByLabel("Name").fill(name);
  await add.getByRole("button", { name: "Add team" }).click();
  // The new team opens, ready for its members.
  await expect(page.getByRole("heading", { name: `Members of ${name}` })).toBeVisible();
  await expect(page.getByText("Nobody yet.")).toBeVisible();
  // The same name in other case is refused, saying why.
  await add.getByLabel("Name").fill(name.toUpperCase());
  await add.getByRole("button", { name: "Add team" }).click();
  await expect(add.getByRole("alert")).toContainText("exists already");

  const join = page.getByRole("form", { name: `Add to ${name}` });
  await join.getByLabel("Add a person").selectOption({ label: "Lena Novak" });
  await join.getByRole("button", { name: "Add" }).click();
  await expect(join.getByRole("status")).toHaveText(`Lena Novak joined ${name}.`);
  const member = page.locator('[data-member="Lena Novak"]');
  // She keeps her own primary team: this one is an extra.
  await expect(member).toContainText("another");
  await expect(page.getByTestId("team-table").getByRole("row", { name: new RegExp(name) })).toContainText("1");

  const renamed = `${name} (EU)`;
  const rename = page.getByRole("form", { name: `Rename ${name}` });
  await rename.getByLabel("Name").fill(renamed);
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("heading", { name: `Members of ${renamed}` })).toBeVisible();

  await page.getByRole("button", { name: `Remove Lena Novak from ${renamed}` }).click();
  await expect(page.getByText("Nobody yet.")).toBeVisible();

  const audit = await (await page.request.get(`/api/v1/audit?action=team.members_removed&pageSize=5`)).json();
  expect(audit.rows[0]).toMatchObject({ entityName: renamed, actorLabel: expect.stringContaining("priya") });

  await signInAs(page, "auditor");
  await page.goto("/admin/teams");
  await page.getByTestId("team-table").getByRole("link", { name: renamed }).click();
  await expect(page.getByText("Auditors read teams; admins change them.").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Delete team" })).toHaveCount(0);
  expect((await page.request.post("/api/v1/teams", { data: { name: "x" } })).status()).toBe(403);

  await signInAs(page, "admin");
  await page.goto("/admin/teams");
  await page.getByTestId("team-table").getByRole("link", { name: renamed }).click();
  await page.getByRole("button", { name: "Delete team" }).click();
  await expect(page.getByRole("group", { name: "Confirm deletion" })).toContainText(`Delete ${renamed}?`);
  await page.getByRole("button", { name: "Keep it" }).click();
  await page.getByRole("button", { name: "Delete team" }).click();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("status")).toHaveText(`Team ${renamed} deleted.`);
  await expect(page.getByTestId("team-table").getByRole("link", { name: renamed })).toHaveCount(0);
});
