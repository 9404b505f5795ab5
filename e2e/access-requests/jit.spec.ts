import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "../support/auth";
import { requestAccess } from "../support/jit";

async function me(page: Page): Promise<string> {
  return (await (await page.request.get("/api/v1/me")).json()).identityId;
}

/** The entitlement names in an identity's effective access right now (read by an approver, who sees the inventory). */
async function effectiveAccess(page: Page, identityId: string): Promise<string[]> {
  const res = await page.request.get(`/api/v1/identities/${identityId}/access`);
  expect(res.status()).toBe(200);
  return (await res.json()).grants.map((g: { entitlementName: string }) => g.entitlementName);
}

test("request, approval by someone else, active access that expires and leaves effective access; self-approval refused", async ({ page }) => {
  test.setTimeout(240_000);
  await signInAs(page, "requester");
  const lena = await me(page);

  // A request the policy refuses is answered field by field and nothing is created.
  await page.goto("/access-requests");
  const item = page.getByTestId("eligibility").locator("li").filter({ hasText: "namespace-admin" });
  await item.getByRole("button", { name: "Request…" }).click();
  const form = page.getByRole("form", { name: "Request namespace-admin" });
  await form.getByLabel(/Duration in minutes/).fill("9999");
  await form.getByRole("button", { name: "Request" }).click();
  await expect(form.getByText(/At most 480 minutes/)).toBeVisible();
  await expect(form.getByText("Say why you need it (at least 10 characters).")).toBeVisible();

  const id = await requestAccess(page, "namespace-admin", { minutes: 1, justification: "Roll back the broken payments deployment", ticket: "INC-7001" });
  await expect(page.getByTestId(`request-${id}`)).toContainText("pending");

  // Nobody approves their own request: not in the page, not through the API.
  await page.goto(`/access-requests/${id}`);
  await expect(page.getByTestId("request-status")).toContainText("pending");
  await expect(page.getByRole("button", { name: "Approve" })).toHaveCount(0);
  const self = await page.request.post(`/api/v1/jit/requests/${id}/approve`, { data: {} });
  expect(self.status()).toBe(403);
  expect((await self.json()).error.message).toContain("Nobody approves their own request");

  // Another person approves it from their queue, with the requester's context.
  await signInAs(page, "approver");
  await page.goto("/access-requests/approvals");
  const card = page.getByTestId(`approval-${id}`);
  await expect(card).toContainText("Lena Novak");
  await expect(card).toContainText("Roll back the broken payments deployment");
  await expect(card).toContainText("Past requests");
  // The tab counts what awaits this approver; it follows the decision without a reload.
  const tabs = page.getByRole("navigation", { name: "Access requests" });
  const waiting = Number(/Approvals \((\d+)\)/.exec((await tabs.getByRole("link", { name: /^Approvals/ }).textContent()) ?? "")?.[1] ?? 0);
  expect(waiting).toBeGreaterThan(0);
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("status")).toContainText("Request active.");
  await expect(card).toHaveCount(0);
  await expect(tabs.getByRole("link", { name: /^Approvals/ })).toHaveText(waiting === 1 ? "Approvals" : `Approvals (${waiting - 1})`);
  // Its "approval needed" notice is read: the decision answered it.
  const inbox = await (await page.request.get("/api/v1/notifications?pageSize=100")).json();
  const notice = inbox.rows.find((n: { kind: string; link: string }) => n.kind === "jit.pending" && n.link === `/access-requests/${id}`);
  expect(notice.readAt).not.toBeNull();
  expect(await effectiveAccess(page, lena)).toContain("namespace-admin");
  await page.goto("/access-requests/history");
  await expect(page.getByTestId("active-elevations")).toContainText("Lena Novak");

  // The requester watches it live until the one-minute window ends.
  await signInAs(page, "requester");
  await page.goto(`/access-requests/${id}`);
  await expect(page.getByTestId("request-status")).toContainText("active");
  await expect(page.getByTestId("request-status")).toContainText("expired", { timeout: 120_000 });
  await signInAs(page, "approver");
  expect(await effectiveAccess(page, lena)).not.toContain("namespace-admin");
  const active = await (await page.request.get(`/api/v1/jit/active?identityId=${lena}`)).json();
  expect(active.rows.map((r: { requestId: string }) => r.requestId)).not.toContain(id);
  // The expiry is recorded through the revocation path and stays in the history.
  await page.goto(`/access-requests/${id}`);
  await expect(page.getByTestId("request-history")).toContainText("Expired", { timeout: 15_000 });
  await expect(page.getByTestId("request-history")).toContainText("Grant ended");
  await page.goto("/access-requests/history?q=INC-7001");
  await expect(page.getByTestId("request-table")).toContainText("expired");
});

test("the requester releases access early and it is gone at once", async ({ page }) => {
  await signInAs(page, "requester");
  const lena = await me(page);
  const id = await requestAccess(page, "PowerUserAccess", { minutes: 60, justification: "Resize the ledger cache cluster" });
  await signInAs(page, "approver");
  const approved = await page.request.post(`/api/v1/jit/requests/${id}/approve`, { data: { comment: "ok" } });
  expect(approved.status()).toBe(200);
  expect(await effectiveAccess(page, lena)).toContain("PowerUserAccess");

  await signInAs(page, "requester");
  await page.goto("/access-requests");
  const row = page.getByTestId(`request-${id}`);
  await expect(row).toContainText("active");
  await row.getByRole("button", { name: "Release now" }).click();
  await expect(row).toContainText("released");
  await signInAs(page, "approver");
  expect(await effectiveAccess(page, lena)).not.toContain("PowerUserAccess");
});

test("break-glass activates at once, tells every approver, and comes back for review", async ({ page }) => {
  await signInAs(page, "owner");
  const id = await requestAccess(page, "cluster-admin", { minutes: 30, justification: "Cluster API down, restarting the control plane", breakGlass: true });
  await page.goto(`/access-requests/${id}`);
  await expect(page.getByTestId("request-status")).toContainText("active");
  await expect(page.getByTestId("request-status")).toContainText("break-glass");
  await expect(page.getByText("post-use review: pending")).toBeVisible();

  await signInAs(page, "approver");
  await page.goto("/notifications");
  await expect(page.getByText("Break-glass: Marcus Chen took k8s-prod-eu / cluster-admin").first()).toBeVisible();
  await page.goto("/access-requests/approvals");
  const card = page.getByTestId(`approval-${id}`);
  await expect(card).toContainText("Cluster API down");
  await card.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("status")).toContainText("Review recorded.");
  await page.goto(`/access-requests/${id}`);
  await expect(page.getByText("post-use review: confirmed")).toBeVisible();
  await page.goto("/access-requests/history?breakGlass=1");
  await expect(page.getByTestId(`request-${id}`)).toContainText("break-glass");
});

test("an admin defines a policy and removes standing privilege; the holder may then request it just in time", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/access-requests/policies/new");
  const form = page.getByRole("form", { name: "New policy" });
  await form.getByRole("button", { name: "Create policy" }).click();
  await expect(form.getByText("Choose the entitlement this policy makes requestable.")).toBeVisible();
  await form.getByLabel("Name", { exact: true }).fill("Datadog admin for incidents");
  await form.getByLabel("Entitlement", { exact: true }).selectOption({ label: "Datadog Admin Role (admin)" });
  await form.getByLabel(/Approve every request automatically/).check();
  await form.getByRole("button", { name: "Create policy" }).click();
  await expect(form.getByText(/never auto-approved for everyone/)).toBeVisible();
  await form.getByLabel(/Approve every request automatically/).uncheck();
  await form.getByRole("button", { name: "Create policy" }).click();
  await expect(page.getByRole("heading", { name: "Datadog admin for incidents" })).toBeVisible();

  // Remove Sofia's standing repo-admin from her identity page.
  await signInAs(page, "reviewer");
  const sofia = await me(page);
  await signInAs(page, "admin");
  await page.goto(`/identities/${sofia}`);
  await page.getByRole("button", { name: "Remove standing privilege: repo-admin" }).click();
  const row = page.getByTestId("grants-table").locator("tr").filter({ hasText: "repo-admin" });
  await expect(row.filter({ hasText: "Eligible (JIT)" })).toHaveCount(1);
  await expect(row.filter({ hasText: /Revoked/ })).toHaveCount(1);

  await signInAs(page, "reviewer");
  await page.goto("/access-requests");
  await expect(page.getByTestId("eligibility")).toContainText("repo-admin");
});

test("who may not: a requester sees no approvals or policy administration", async ({ page }) => {
  await signInAs(page, "requester");
  await page.goto("/access-requests");
  await expect(page.getByRole("link", { name: /Approvals/ })).toHaveCount(0);
  expect((await page.request.post("/api/v1/jit/policies", { data: { name: "Mine" } })).status()).toBe(403);
  expect((await page.request.get("/api/v1/jit/requests?scope=all")).status()).toBe(200);
  const other = await page.request.get("/api/v1/jit/requests/00000000-0000-4000-8000-000000000000");
  expect(other.status()).toBe(404);
});
