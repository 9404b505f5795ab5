import { expect, test } from "@playwright/test";
import { call } from "../support/api";
import { signInAs } from "../support/auth";

test("an auditor reads a change by the entity's name, opens its before and after, and exports it with the chain's verification", async ({ page }) => {
  await signInAs(page, "owner");
  const mine = await call<{ rows: { id: string; name: string; relation: string | null }[] }>(page, "GET", "/api/v1/attestations?due=all&pageSize=50");
  const nhi = mine.rows.find((r) => r.relation === "owner")!;
  const purpose = `Restated for the audit trail ${Date.now()}`;
  const res = await page.request.patch(`/api/v1/identities/${nhi.id}`, { data: { purpose } });
  expect(res.status(), await res.text()).toBe(200);

  await signInAs(page, "auditor");
  await page.goto(`/audit?entityId=${nhi.id}`);
  const row = page.getByTestId("audit-table").getByRole("row").filter({ hasText: "identity.updated" }).first();
  await expect(row.getByRole("link", { name: nhi.name })).toHaveAttribute("href", `/identities/${nhi.id}`);
  await expect(row.getByText("After", { exact: true })).toBeHidden();
  await row.locator("summary").click();
  await expect(row.getByText("After", { exact: true })).toBeVisible();
  await expect(row.locator("pre").last()).toContainText(purpose);

  const exported = await page.request.get(`/api/v1/audit/export?entityId=${nhi.id}&format=json`);
  expect(exported.status()).toBe(200);
  expect(exported.headers()["content-disposition"]).toContain("attachment");
  const body = await exported.json();
  expect(body.export.verification).toMatchObject({ ok: true, problems: [] });
  expect(body.rows.some((r: { entityName: string; after: { purpose?: string } }) => r.entityName === nhi.name && r.after?.purpose === purpose)).toBe(true);
  const csv = await (await page.request.get(`/api/v1/audit/export?entityId=${nhi.id}&format=csv`)).text();
  expect(csv.split("\n")[1]).toMatch(/^chain,yes,/);
  await expect(page.getByRole("link", { name: "CSV" })).toHaveAttribute("href", `/api/v1/audit/export?entityId=${nhi.id}&format=csv`);
});
