import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";
import { reconciled, risk } from "./support";

type Finding = {
  id: string;
  title: string;
  identityId: string;
  identityName: string;
  entitlementName: string;
  grantId: string | null;
  privilegeLevel: string;
  revocable: boolean;
};

test("an admin revokes an approved-but-unused privileged grant from the findings list; access ends and the figures follow", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, "admin");
  await reconciled(page);

  // A workload role's privileged grant that was approved and never used in the window.
  const list = await (await page.request.get("/api/v1/findings?kind=approved_unused&identityKind=workload_role&pageSize=100")).json();
  const target: Finding = list.rows.find((r: Finding) => r.revocable && r.grantId && r.privilegeLevel !== "standard");
  expect(target, "the seed has an approved-but-unused privileged grant on a workload role").toBeTruthy();
  const accessBefore = await (await page.request.get(`/api/v1/identities/${target.identityId}/access`)).json();
  expect(accessBefore.grants.map((g: { grantId: string }) => g.grantId)).toContain(target.grantId);
  const before = await risk(page);

  // Filter the list down to that identity's unused grants, as the URL says.
  await page.goto(`/reconciliation?kind=approved_unused&identityId=${target.identityId}`);
  await expect(page.getByTestId("identity-filter")).toContainText(target.identityName);
  const row = page.locator(`[data-finding="${target.id}"]`);
  await expect(row).toContainText(target.title);
  await row.getByRole("checkbox").check();
  const bar = page.getByTestId("bulk-bar");
  await expect(bar).toContainText("1 finding selected");

  // Without a reason the server refuses, in its own words, and nothing changes.
  await bar.getByRole("button", { name: "Revoke…" }).click();
  await bar.getByRole("button", { name: "Revoke access behind 1 finding" }).click();
  await expect(page.getByTestId("action-error")).toHaveText("Say why the access is revoked.");
  await expect(row).toBeVisible();

  const actedAt = new Date();
  await bar.getByLabel("Why is this access revoked?").fill("Unused for the whole review window; e2e clean-up");
  await bar.getByRole("button", { name: "Revoke access behind 1 finding" }).click();
  await expect(page.getByTestId("action-result")).toContainText("Revoked 1 grant; 1 finding resolved.");
  await expect(page.getByTestId("action-error")).toHaveCount(0);
  await expect(row).toHaveCount(0);

  // It has left the open list for good, and is on the resolved one with the reason.
  await page.reload();
  await expect(page.getByTestId("findings-count")).toBeVisible();
  await expect(page.locator(`[data-finding="${target.id}"]`)).toHaveCount(0);
  const resolved = await (await page.request.get(`/api/v1/findings?status=resolved&identityId=${target.identityId}&kind=approved_unused`)).json();
  const mine = resolved.rows.find((r: Finding & { resolution: string }) => r.id === target.id);
  expect(mine.resolution).toContain("Unused for the whole review window");

  // The grant is gone from the identity's effective access at once.
  const accessAfter = await (await page.request.get(`/api/v1/identities/${target.identityId}/access`)).json();
  expect(accessAfter.grants.map((g: { grantId: string }) => g.grantId)).not.toContain(target.grantId);

  // The action queued a reconciliation pass; once it has run, the dashboard counts one unused grant fewer.
  const key = "findings.kind.approved_unused";
  let after = before;
  await expect
    .poll(
      async () => {
        after = await risk(page);
        return after.asOf !== null && new Date(after.asOf) >= actedAt;
      },
      { timeout: 45_000, intervals: [1000, 2000] },
    )
    .toBe(true);
  expect(after.figures[key]).toBeLessThan(before.figures[key]);
  expect(after.figures.openFindings).toBeLessThan(before.figures.openFindings);

  await expect(async () => {
    await page.goto("/");
    const now = await risk(page);
    await expect(page.getByTestId("tile-findings").getByTestId("tile-value")).toHaveText(now.figures.openFindings.toLocaleString("en"), { timeout: 2000 });
    expect(now.figures.openFindings).toBeLessThan(before.figures.openFindings);
  }).toPass({ timeout: 30_000 });
});
