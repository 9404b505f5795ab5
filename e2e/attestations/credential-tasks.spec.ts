import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";
import { call } from "../support/api";

type Row = { id: string; name: string; relation: string | null; activeGrants: number };
type Task = { id: string; kind: string; credentialId: string; identityId: string; label: string };

test("decommissioning an NHI leaves a revoke task its owner sees, follows to done, and the admins see too", async ({ page }) => {
  await signInAs(page, "owner");
  const all = await call<{ rows: Row[] }>(page, "GET", "/api/v1/attestations?due=all&pageSize=200");
  // An NHI of Marcus's with a live credential; from the middle of the list by
  // name, away from the first and last ones other specs edit and retire.
  const candidates: { row: Row; label: string }[] = [];
  for (const r of all.rows.filter((x) => x.relation === "owner").sort((a, b) => a.name.localeCompare(b.name))) {
    const d = await call<{ credentials: { id: string; label: string; status: string }[] }>(page, "GET", `/api/v1/identities/${r.id}`);
    const live = d.credentials.find((c) => c.status === "active");
    if (live) candidates.push({ row: r, label: live.label });
  }
  expect(candidates.length, "Marcus owns NHIs with live credentials").toBeGreaterThan(2);
  const { row, label } = candidates[Math.floor(candidates.length / 2)];

  await page.goto(`/attestations?due=all&q=${encodeURIComponent(row.name)}`);
  const nhiRow = page.locator(`tr[data-identity-id="${row.id}"]`);
  await nhiRow.getByRole("button", { name: `Attest ${row.name}` }).click();
  const form = page.getByRole("form", { name: `Attest ${row.name}` });
  await form.getByLabel("No, decommission it").check();
  await form.getByLabel(/Why is it no longer needed/).fill("The export moved to the data platform");
  await form.getByRole("button", { name: "Decommission…" }).click();
  await form.getByRole("button", { name: "Yes, decommission" }).click();
  await expect(page.getByRole("status")).toContainText(`${row.name} decommissioned`, { timeout: 15_000 });
  await expect(page.getByRole("status")).toContainText("queued for revocation");

  // The promised revocation is a task: on the owner's page, through the API, and on the admins' page.
  const tasks = await call<{ tasks: Task[] }>(page, "GET", `/api/v1/credentials/tasks?identityId=${row.id}`);
  expect(tasks.tasks.map((t) => t.kind)).toContain("revoke");
  await page.goto("/attestations");
  const work = page.getByTestId("credential-work").locator("li", { hasText: row.name });
  await expect(work.first()).toContainText("revocation requested");
  await expect(work.first()).toContainText("Marcus Chen");

  await signInAs(page, "admin");
  await page.goto("/admin/credentials");
  await expect(page.getByTestId("credential-tasks")).toContainText(row.name);

  // The owner marks it revoked where it lives; it is done everywhere.
  await signInAs(page, "owner");
  await page.goto(`/identities/${row.id}`);
  await expect(page.getByTestId("credential-task").first()).toContainText("revocation requested");
  await page
    .getByRole("button", { name: `Mark ${label} revoked` })
    .first()
    .click();
  await expect(page.getByTestId("credential-task")).toHaveCount(0);
  await expect(page.getByText("revoked", { exact: true }).first()).toBeVisible();
  const left = await call<{ tasks: Task[] }>(page, "GET", `/api/v1/credentials/tasks?identityId=${row.id}`);
  expect(left.tasks).toEqual([]);
});
