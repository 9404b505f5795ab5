import { expect, test } from "@playwright/test";
import { E2E_OIDC, E2E_PORT } from "../support/env";
import { startOidcProvider } from "../support/oidc-provider";

let provider: { close: () => Promise<void> };

test.beforeAll(async ({ baseURL }) => {
  provider = await startOidcProvider(baseURL!, {
    "olu.idowu": { sub: "olu-7f3a", email: "olu.idowu@acme.example", name: "Olu Idowu", roles: ["auditor"] },
    "lena.novak": { sub: "lena-19bc", email: "lena.novak@acme.example", name: "Lena Novak", roles: [] },
  });
});

test.afterAll(async () => provider?.close());

async function signInWithSso(page: import("@playwright/test").Page, login: string) {
  await page.goto("/signin");
  await page.getByRole("button", { name: "Sign in with Acme SSO" }).click();
  // The provider's own login and consent pages.
  await page.waitForURL((url) => url.host === `127.0.0.1:${E2E_OIDC.port}` && url.pathname.startsWith("/interaction/"));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any-password");
  await page.locator('button[type="submit"]').click();
  const consent = page.locator('button[type="submit"]', { hasText: /continue/i });
  if (await consent.isVisible({ timeout: 5_000 }).catch(() => false)) await consent.click();
  await page.waitForURL((url) => url.host === `localhost:${E2E_PORT}`);
}

test("a new person signs in through OpenID Connect with roles from the claim", async ({ page }) => {
  await signInWithSso(page, "olu.idowu");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Olu Idowu");
  // The roles claim made them an auditor: the audit log is open to them.
  await page.getByRole("link", { name: "Audit log" }).click();
  await page.getByLabel("Action starts with").fill("identity.created");
  await page.getByLabel("Actor").fill("oidc:");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("audit-table")).toContainText(`oidc:${E2E_OIDC.issuer}`);
});

test("an existing person signing in through OpenID Connect keeps the roles kept in the database", async ({ page }) => {
  await signInWithSso(page, "lena.novak");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Lena Novak");
  await expect(page.getByText("requester", { exact: true })).toBeVisible();
  await page.goto("/audit");
  await expect(page.getByText("You do not have access to the audit log.")).toBeVisible();
});
