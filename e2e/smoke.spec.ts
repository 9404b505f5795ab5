import { expect, test } from "@playwright/test";

test("the server is up, its database reachable, and sign-in served", async ({ page }) => {
  const health = await page.request.get("/api/health");
  expect(await health.json()).toEqual({ ok: true });
  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Access Governance" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in with Acme SSO" })).toBeVisible();
});

test("security headers are set on pages", async ({ page }) => {
  const res = await page.goto("/signin");
  const headers = res!.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
});
