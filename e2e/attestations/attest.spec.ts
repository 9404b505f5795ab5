import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "../support/auth";

type Row = { id: string; name: string; relation: string | null; activeGrants: number; lastAttestedAt: string | null; nextAttestationAt: string | null };

async function myNhis(page: Page, query: string): Promise<{ rows: Row[]; total: number }> {
  const res = await page.request.get(`/api/v1/attestations?${query}`);
  expect(res.status()).toBe(200);
  return res.json();
}

test("an owner attests one NHI and decommissions another, whose grants end", async ({ page }) => {
  await signInAs(page, "owner");
  const due = await myNhis(page, "due=due&pageSize=200");
  const toAttest = due.rows.find((r) => r.relation === "owner");
  expect(toAttest, "Marcus owns an NHI that is due").toBeTruthy();

  await page.goto("/attestations");
  await expect(page.getByRole("heading", { name: "My non-human identities" })).toBeVisible();
  const row = page.locator(`tr[data-identity-id="${toAttest!.id}"]`);
  await row.getByRole("button", { name: `Attest ${toAttest!.name}` }).click();
  const form = page.getByRole("form", { name: `Attest ${toAttest!.name}` });
  await form.getByRole("button", { name: "Attest", exact: true }).click();
  await expect(form.getByText("Answer whether this identity is still needed: yes or no.")).toBeVisible();
  await form.getByLabel("Yes, still needed").check();
  await form.getByLabel("Purpose").fill(`Builds and pushes base images (attested ${Date.now()})`);
  await form.getByRole("button", { name: "Attest", exact: true }).click();
  await expect(page.getByRole("status")).toContainText(`${toAttest!.name} attested. Next attestation`, { timeout: 15_000 });
  await expect(row).toHaveCount(0);
  // Where the person is looking: in view even when the row attested was far down the list.
  await expect(page.getByTestId("attestation-notice")).toBeInViewport();
  const [attested] = (await myNhis(page, `due=all&q=${encodeURIComponent(toAttest!.name)}`)).rows.filter((r) => r.id === toAttest!.id);
  expect(new Date(attested.lastAttestedAt!).toDateString()).toBe(new Date().toDateString());
  expect(new Date(attested.nextAttestationAt!).getTime()).toBeGreaterThan(Date.now() + 80 * 86_400_000);

  // Not the first by name: the inventory spec edits that one.
  const all = await myNhis(page, "due=all&pageSize=200");
  const toRetire = all.rows
    .filter((r) => r.relation === "owner" && r.activeGrants > 0 && r.id !== toAttest!.id)
    .sort((a, b) => b.name.localeCompare(a.name))[0];
  expect(toRetire, "Marcus owns an NHI with active grants").toBeTruthy();

  await page.goto(`/attestations?due=all&q=${encodeURIComponent(toRetire.name)}`);
  const retireRow = page.locator(`tr[data-identity-id="${toRetire.id}"]`);
  await retireRow.getByRole("button", { name: `Attest ${toRetire.name}` }).click();
  const retireForm = page.getByRole("form", { name: `Attest ${toRetire.name}` });
  await retireForm.getByLabel("No, decommission it").check();
  await expect(retireForm).toContainText(`${toRetire.activeGrants} active`);
  await retireForm.getByLabel(/Why is it no longer needed/).fill("Replaced by the shared deploy role");
  await retireForm.getByRole("button", { name: "Decommission…" }).click();
  await expect(retireForm.getByText(`Decommission ${toRetire.name}? Its access ends immediately.`)).toBeVisible();
  await retireForm.getByRole("button", { name: "Yes, decommission" }).click();
  await expect(page.getByRole("status")).toContainText(
    `${toRetire.name} decommissioned: ${toRetire.activeGrants} ${toRetire.activeGrants === 1 ? "grant" : "grants"} revoked`,
    { timeout: 15_000 },
  );
  await expect(retireRow).toHaveCount(0);

  await page.goto(`/identities/${toRetire.id}`);
  await expect(page.getByText("decommissioned", { exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Grants (0 active)" })).toBeVisible();
  const grants = page.getByTestId("grants-table").locator("tbody tr");
  expect(await grants.filter({ hasText: /Revoked/ }).count()).toBeGreaterThanOrEqual(toRetire.activeGrants);
  for (const status of await grants.locator("td:nth-child(3)").allInnerTexts()) expect(status).not.toMatch(/^Active/);
  await expect(page.getByTestId("identity-history")).toContainText("identity.decommissioned by marcus.chen@acme.example");

  const again = await page.request.post(`/api/v1/attestations/${toRetire.id}`, { data: { stillNeeded: true, purpose: "Back again" } });
  expect(again.status()).toBe(409);
});

test("an admin reassigns an orphan and it leaves the orphan list; others cannot", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/attestations");
  const orphans = page.getByTestId("orphans");
  const count = page.getByTestId("orphans-count");
  const before = Number((await count.innerText()).replace(/[^\d]/g, ""));
  expect(before).toBeGreaterThan(0);
  const first = orphans.locator("tbody tr[data-identity-id]").first();
  const id = (await first.getAttribute("data-identity-id"))!;
  const name = await first.getByRole("link").innerText();

  await first.getByRole("button", { name: `Reassign ${name}` }).click();
  const form = page.getByRole("form", { name: `Reassign ${name}` });
  await form.getByRole("button", { name: "Reassign owner" }).click();
  await expect(form.getByText("Choose the new owner from the directory.")).toBeVisible();
  await form.getByLabel("New owner").selectOption({ label: "Tom Okafor" });
  await form.getByLabel("Backup owner").selectOption({ label: "Sofia Alvarez" });
  await form.getByRole("button", { name: "Reassign owner" }).click();
  await expect(page.getByRole("status")).toContainText(`${name} now belongs to Tom Okafor`, { timeout: 15_000 });
  await expect(orphans.locator(`tr[data-identity-id="${id}"]`)).toHaveCount(0);
  await expect(count).toContainText(`${before - 1} orphaned`);

  // The new owner finds it due now in their own list.
  await signInAs(page, "approver");
  const tom = await myNhis(page, `due=due&q=${encodeURIComponent(name)}`);
  expect(tom.rows.map((r) => r.id)).toContain(id);
  expect((await page.request.get("/api/v1/orphans")).status()).toBe(403);
  await page.goto("/attestations");
  await expect(page.getByRole("heading", { name: "Orphaned NHIs" })).toHaveCount(0);
});
