import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

test("the inventory filters by kind, orphaned, privileged, system and search, in the URL", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/identities");
  const count = page.getByTestId("result-count");
  await expect(count).toContainText("identities");
  const total = Number((await count.innerText()).replace(/[^\d]/g, ""));
  expect(total).toBeGreaterThan(1000);

  await page.getByLabel("Kind").selectOption("api_key");
  await expect(page).toHaveURL(/kind=api_key/);
  const rows = page.locator("tbody tr");
  await expect(rows.first().locator("td").nth(1)).toHaveText("API key");
  for (const kind of await rows.locator("td:nth-child(2)").allInnerTexts()) expect(kind).toBe("API key");
  const apiKeys = Number((await count.innerText()).replace(/[^\d]/g, ""));
  expect(apiKeys).toBeLessThan(total);

  await page.getByLabel("Kind").selectOption("");
  await page.getByLabel("Orphaned only").click();
  await expect(page).toHaveURL(/orphaned=true/);
  await expect(rows.first()).toContainText("Orphaned");
  expect(await rows.count()).toBe(await rows.filter({ hasText: "Orphaned" }).count());

  await page.getByLabel("Orphaned only").click();
  await expect(page).not.toHaveURL(/orphaned=true/);
  await page.getByLabel("Privileged only").click();
  await expect(page).toHaveURL(/privileged=true/);
  // Privileged by the identity's own level (an analysed identity that can escalate is admin without a privileged grant).
  for (const level of await rows.locator("td:nth-child(6)").allInnerTexts()) expect(["admin", "privileged"]).toContain(level);
  await page.getByLabel("Privileged only").click();
  await expect(page).not.toHaveURL(/privileged=true/);

  await page.getByLabel("System").selectOption({ label: "payments-db-prod" });
  await expect(page).toHaveURL(/systemId=/);
  for (const s of await rows.locator("td:nth-child(3)").allInnerTexts()) expect(s).toBe("payments-db-prod");

  await page.getByLabel("System").selectOption("");
  await page.getByLabel("Owner", { exact: true }).selectOption({ label: "Marcus Chen" });
  await expect(page).toHaveURL(/ownerId=/);
  const countNow = async () => Number((await count.innerText()).replace(/[^\d]/g, ""));
  await expect.poll(countNow).toBeLessThan(total / 10);
  expect(await countNow()).toBeGreaterThanOrEqual(25);

  await page.goto("/identities?q=marcus");
  await expect(rows.first()).toContainText("Marcus Chen");

  // Shareable: the same URL in a fresh page shows the same filtered view.
  await page.goto("/identities?kind=ai_agent&sort=last_used");
  await expect(page.getByLabel("Kind")).toHaveValue("ai_agent");
  await expect(rows.first().locator("td").nth(1)).toHaveText("AI agent");

  await page.goto("/identities?pageSize=20");
  await expect(page.getByText(/Page 1 of \d+/)).toBeVisible();
  const firstName = await rows.first().locator("td").first().innerText();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(/Page 2 of/)).toBeVisible();
  await expect(rows.first().locator("td").first()).not.toHaveText(firstName);
});

test("bad filters are answered with a clear message", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto("/identities?kind=robot");
  await expect(page.getByRole("alert").filter({ hasText: "Kind must be one of" })).toBeVisible();
  const res = await page.request.get("/api/v1/identities?pageSize=5000");
  expect(res.status()).toBe(422);
  expect((await res.json()).error.fieldErrors.pageSize).toEqual(["At most 200 rows a page."]);
});

test("an identity page shows owner, purpose, credentials, grants with provenance, usage and history", async ({ page }) => {
  await signInAs(page, "admin");
  const list = await (await page.request.get("/api/v1/identities?kind=service_account&privileged=true&sort=last_used&pageSize=1")).json();
  const nhi = list.rows[0];
  await page.goto(`/identities/${nhi.id}`);
  await expect(page.getByRole("heading", { name: nhi.name })).toBeVisible();
  const governance = page.locator("dl");
  await expect(governance.getByText("Owner", { exact: true })).toBeVisible();
  await expect(governance.getByText("Purpose", { exact: true })).toBeVisible();
  const grants = page.getByTestId("grants-table");
  await expect(grants).toBeVisible();
  await expect(grants.locator("tbody tr").first()).toContainText(
    /Imported|Certified in campaign|Eligibility policy|JIT approval|Break-glass|Owner attestation|Unapproved|Manual/,
  );
  await expect(page.getByRole("heading", { name: "Credentials (metadata only)" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Recent usage" })).toBeVisible();
  await expect(page.getByTestId("identity-history")).toContainText("identity.created");
});

test("an owner restates an NHI's purpose; a bad value is refused and nothing changes", async ({ page }) => {
  await signInAs(page, "owner");
  await page.goto("/");
  await page.getByRole("link", { name: /Identities I own/ }).click();
  await expect(page).toHaveURL(/ownerId=/);
  await page.locator("tbody tr a").first().click();
  await expect(page.getByRole("form", { name: "Edit identity" })).toBeVisible();

  const purpose = page.getByLabel("Purpose");
  const before = await purpose.inputValue();
  await purpose.fill("x");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Describe the purpose in at least 3 characters.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Purpose")).toHaveValue(before);

  const text = `Rotates payment webhooks secrets nightly (${Date.now()})`;
  await page.getByLabel("Purpose").fill(text);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved. The change is in the audit log.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Purpose")).toHaveValue(text);
  await expect(page.getByTestId("identity-history")).toContainText("identity.updated by marcus.chen@acme.example");
});

test("the inventory fits a 1440 px wide screen: every column, the next attestation included, without sideways scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signInAs(page, "admin");
  await page.goto("/identities");
  await expect(page.locator("tbody tr").first()).toBeVisible();
  const frame = page.locator("table").first().locator("xpath=..");
  expect(await frame.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
  await expect(page.getByRole("columnheader", { name: "Next attestation" })).toBeInViewport();
});
