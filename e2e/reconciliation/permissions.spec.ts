import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";
import { reconciled } from "./support";

test("an auditor reads findings and exports evidence but cannot act on them", async ({ page }) => {
  await signInAs(page, "auditor");
  await reconciled(page);
  await page.goto("/reconciliation");
  await expect(page.getByTestId("finding-row").first()).toBeVisible();
  // No selection, no actions, no manual run.
  await expect(page.getByTestId("findings-table").getByRole("checkbox")).toHaveCount(0);
  for (const name of ["Revoke…", "Open a review…", "Convert to just-in-time…", "Accept risk…", "Run reconciliation now"]) {
    await expect(page.getByRole("button", { name })).toHaveCount(0);
  }

  const { rows } = await (await page.request.get("/api/v1/findings?pageSize=1")).json();
  const id = rows[0].id;
  const accept = await page.request.post("/api/v1/findings/actions", { data: { findingIds: [id], action: "accept", reason: "auditors may not accept risk" } });
  expect(accept.status()).toBe(403);
  const revoke = await page.request.post("/api/v1/findings/actions", { data: { findingIds: [id], action: "revoke", reason: "auditors may not revoke" } });
  expect(revoke.status()).toBe(403);
  expect((await page.request.post("/api/v1/reconciliation/run")).status()).toBe(403);
  // The finding is untouched.
  const still = await (await page.request.get(`/api/v1/findings?identityId=${rows[0].identityId}&pageSize=200`)).json();
  expect(still.rows.map((r: { id: string }) => r.id)).toContain(id);

  // Evidence for the audit: findings with the list's filters, and the reconciliation of every live grant.
  const exportLink = page.getByRole("link", { name: "Export CSV" });
  await expect(exportLink).toHaveAttribute("href", "/api/v1/findings/export?format=csv");
  const csv = await page.request.get("/api/v1/findings/export?format=csv&kind=approved_unused");
  expect(csv.status()).toBe(200);
  expect((await csv.text()).split("\n")[0]).toContain("severity");
  const recon = await page.request.get("/api/v1/reconciliation/export?format=json");
  expect(recon.status()).toBe(200);
  expect((await recon.json()).grants.length).toBeGreaterThan(0);
});

test("a requester has no reconciliation: no navigation, 403 from the findings API, the page refuses", async ({ page }) => {
  await signInAs(page, "requester");
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Welcome, Lena Novak" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reconciliation" })).toHaveCount(0);
  expect((await page.request.get("/api/v1/findings")).status()).toBe(403);
  expect((await page.request.get("/api/v1/findings/export?format=csv")).status()).toBe(403);
  expect((await page.request.get("/api/v1/dashboard/risk")).status()).toBe(403);
  expect((await page.request.get("/api/v1/reconciliation/frameworks")).status()).toBe(403);
  expect(
    (
      await page.request.post("/api/v1/findings/actions", { data: { findingIds: ["00000000-0000-4000-8000-000000000000"], action: "accept", reason: "no" } })
    ).status(),
  ).toBe(403);
  await page.goto("/reconciliation");
  await expect(page.getByText("You do not have access to reconciliation findings.")).toBeVisible();
  await expect(page.getByTestId("findings-table")).toHaveCount(0);
});
