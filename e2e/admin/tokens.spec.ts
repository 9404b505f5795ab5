import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

test("an admin issues an NHI token shown once; it authenticates as the NHI until revoked", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/admin/tokens");
  const form = page.getByRole("form", { name: "Issue token" });
  await form.getByRole("button", { name: "Issue token" }).click();
  await expect(form.getByText("Choose at least one scope.")).toBeVisible();

  const name = `deploy pipeline ${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel(/jit:request/).check();
  await form.getByLabel("Acts as NHI (for JIT scopes)").fill("svc-");
  await form.getByRole("listbox").getByRole("option").first().click();
  await form.getByRole("button", { name: "Issue token" }).click();
  const token = (await page.getByTestId("issued-token").innerText()).trim();
  expect(token).toMatch(/^gov_/);
  await expect(page.getByTestId("token-table")).toContainText(name);

  const me = await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ roles: [], token: { name, scopes: ["jit:request"] } });
  // A token is not a session: endpoints that do not take tokens refuse it.
  expect((await page.request.get("/api/v1/identities", { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);

  await page.getByTestId("token-table").locator("tr", { hasText: name }).getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("token-table").locator("tr", { hasText: name })).toContainText("revoked");
  expect((await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);
  await page.reload();
  await expect(page.getByText(token)).toHaveCount(0);
});
