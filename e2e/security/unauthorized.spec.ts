import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

test("a requester cannot open an identity they neither are, manage nor own: 404 in the page and the API", async ({ page }) => {
  await signInAs(page, "requester");
  const visible = await (await page.request.get("/api/v1/identities?pageSize=200")).json();
  const visibleIds = new Set(visible.rows.map((r: { id: string }) => r.id));
  expect(visible.total).toBeLessThan(200);

  await signInAs(page, "admin");
  const all = await (await page.request.get("/api/v1/identities?kind=service_account&pageSize=100")).json();
  const foreign = all.rows.find((r: { id: string }) => !visibleIds.has(r.id));
  expect(foreign).toBeTruthy();

  await signInAs(page, "requester");
  const res = await page.goto(`/identities/${foreign.id}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  expect((await page.request.get(`/api/v1/identities/${foreign.id}`)).status()).toBe(404);
  const patch = await page.request.patch(`/api/v1/identities/${foreign.id}`, { data: { purpose: "taken over" } });
  expect(patch.status()).toBe(404);
});

test("role-restricted pages and APIs refuse other roles", async ({ page }) => {
  await signInAs(page, "requester");
  await page.goto("/audit");
  await expect(page.getByText("You do not have access to the audit log.")).toBeVisible();
  expect((await page.request.get("/api/v1/audit")).status()).toBe(403);
  expect((await page.request.get("/api/v1/audit/verify")).status()).toBe(403);
  const me = await (await page.request.get("/api/v1/me")).json();
  const put = await page.request.put(`/api/v1/admin/roles/${me.identityId}`, { data: { roles: ["admin"] } });
  expect(put.status()).toBe(403);
  expect((await (await page.request.get("/api/v1/me")).json()).roles).toEqual(["requester"]);

  await signInAs(page, "auditor");
  await page.goto("/admin");
  await expect(page.getByText("Auditors can read role assignments but not change them.")).toBeVisible();
  const auditorPut = await page.request.put(`/api/v1/admin/roles/${me.identityId}`, { data: { roles: ["admin"] } });
  expect(auditorPut.status()).toBe(403);
});

test("without a session the API answers 401 and pages redirect to sign-in", async ({ page }) => {
  const res = await page.request.get("/api/v1/identities");
  expect(res.status()).toBe(401);
  expect(await res.json()).toEqual({ error: { code: "unauthenticated", message: "Sign in to continue." } });
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/signin/);
});

test("the audit chain verifies from the page and the API after changes", async ({ page }) => {
  await signInAs(page, "admin");
  const me = await (await page.request.get("/api/v1/me")).json();
  const people = await (await page.request.get("/api/v1/identities?kind=human&q=lena")).json();
  const lena = people.rows[0];
  const put = await page.request.put(`/api/v1/admin/roles/${lena.id}`, { data: { roles: ["requester", "reviewer"] } });
  expect(put.status()).toBe(200);
  const self = await page.request.put(`/api/v1/admin/roles/${me.identityId}`, { data: { roles: [] } });
  expect(self.status()).toBe(409);
  const restore = await page.request.put(`/api/v1/admin/roles/${lena.id}`, { data: { roles: ["requester"] } });
  expect(restore.status()).toBe(200);

  await page.goto("/audit?action=roles.changed");
  await expect(page.getByTestId("audit-table")).toContainText("roles.changed");
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("verify-result")).toContainText("Chain intact");
  expect(await (await page.request.get("/api/v1/audit/verify")).json()).toMatchObject({ ok: true });
  // The checkpoint job ran at start: the chain's head is signed outside the database too.
  await expect.poll(async () => (await (await page.request.get("/api/v1/audit/verify")).json()).checkpoints.read, { timeout: 30_000 }).toBeGreaterThan(0);
});
