import { expect, type Page } from "@playwright/test";
import { call, me } from "./api";
import { signInAs } from "./auth";

/**
 * As the admin: a policy made in the form, for the entitlement whose option
 * names `entitlementText`, whose approval issues a credential; the demo
 * requester (Lena) made eligible. Then Lena asks and the demo approver
 * approves. Leaves the page signed in as Lena; returns the request's id.
 */
export async function approvedCredentialRequest(page: Page, o: { policyName: string; entitlementText: string; justification: string }) {
  await page.goto("/access-requests/policies/new");
  const form = page.getByRole("form", { name: "New policy" });
  await form.getByRole("textbox", { name: "Name", exact: true }).fill(o.policyName);
  const entitlement = form.getByLabel("Entitlement", { exact: true });
  await entitlement.selectOption(await entitlement.locator("option", { hasText: o.entitlementText }).first().getAttribute("value"));
  await form.getByLabel(/Issue a short-lived account of its own/).check();
  await form.getByRole("button", { name: "Create policy" }).click();
  await expect(page).toHaveURL(/\/access-requests\/policies\/[0-9a-f-]{36}$/);
  const policyId = page.url().split("/").pop()!;
  const { entitlementId } = (await call<{ policy: { entitlementId: string } }>(page, "GET", `/api/v1/jit/policies/${policyId}`)).policy;
  await signInAs(page, "requester");
  const lena = await me(page);
  await signInAs(page, "admin");
  await call(page, "POST", `/api/v1/jit/policies/${policyId}/eligible`, { identityIds: [lena] });

  await signInAs(page, "requester");
  const request = await call<{ id: string }>(page, "POST", "/api/v1/jit/requests", { entitlementId, durationMinutes: 30, justification: o.justification });
  await signInAs(page, "approver");
  await call(page, "POST", `/api/v1/jit/requests/${request.id}/approve`, {});
  await signInAs(page, "requester");
  return request.id;
}
