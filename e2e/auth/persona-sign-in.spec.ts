import { expect, test } from "@playwright/test";
import { signInAs, type Persona } from "../support/auth";

test("a visitor picks a persona on the sign-in page and lands on the dashboard", async ({ page }) => {
  await page.goto("/identities");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fidentities/);
  await expect(page.getByRole("heading", { name: "Demo: sign in as a persona" })).toBeVisible();
  await page.locator('[data-persona="admin"]').click();
  await expect(page).toHaveURL(/\/identities$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Priya Raman");
  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByText("Orphaned NHIs")).toBeVisible();
  await expect(page.getByTestId("kind-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
});

const expectations: Record<Persona, { name: string; sees: string[]; hidden: string[] }> = {
  admin: { name: "Priya Raman", sees: ["Audit log", "Admin", "Reconciliation"], hidden: [] },
  auditor: { name: "Grace Liu", sees: ["Audit log", "Admin"], hidden: [] },
  reviewer: { name: "Sofia Alvarez", sees: ["Certifications"], hidden: ["Audit log", "Admin"] },
  approver: { name: "Tom Okafor", sees: ["Access requests (JIT)"], hidden: ["Audit log", "Admin"] },
  owner: { name: "Marcus Chen", sees: ["Attestations"], hidden: ["Audit log", "Admin"] },
  requester: { name: "Lena Novak", sees: ["Identities"], hidden: ["Audit log", "Admin", "Reconciliation"] },
};

for (const [persona, want] of Object.entries(expectations) as [Persona, (typeof expectations)[Persona]][]) {
  test(`persona ${persona} signs in and sees the navigation for their roles`, async ({ page }) => {
    await signInAs(page, persona);
    await page.goto("/");
    await expect(page.getByTestId("signed-in-as")).toHaveText(want.name);
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const label of want.sees) await expect(nav.getByRole("link", { name: label })).toBeVisible();
    for (const label of want.hidden) await expect(nav.getByRole("link", { name: label })).toHaveCount(0);
  });
}

test("an unknown persona is refused", async ({ page }) => {
  const { csrfToken } = await (await page.request.get("/api/auth/csrf")).json();
  await page.request.post("/api/auth/callback/demo", { form: { csrfToken, persona: "root", callbackUrl: "/" } });
  const me = await page.request.get("/api/v1/me");
  expect(me.status()).toBe(401);
});
