import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";
import { dashboardAsApiSees, fmt, reconciled } from "./support";

test("the CISO opens the risk dashboard: charts render and the tiles carry the reconciliation's numbers", async ({ page }) => {
  test.setTimeout(150_000);
  await signInAs(page, "auditor");
  await reconciled(page);

  // The page and the API must describe the same pass.
  const r = await dashboardAsApiSees(page);
  const f = r.figures;
  // The seeded organisation has standing privilege, orphans and open findings: a dashboard of zeros would be a defect.
  expect(f.standingPrivileged).toBeGreaterThan(0);
  expect(f.openFindings).toBeGreaterThan(0);
  expect(f.orphans).toBeGreaterThan(0);

  await expect(page.getByRole("heading", { name: "Risk dashboard" })).toBeVisible();
  await expect(page.getByTestId("as-of")).toContainText("As of");

  const tile = (id: string) => page.getByTestId(id).getByTestId("tile-value");
  await expect(tile("tile-standing")).toHaveText(fmt(f.standingPrivileged));
  await expect(tile("tile-unused")).toHaveText(fmt(f.privilegedApproved - f.privilegedUsed));
  await expect(tile("tile-after-approval")).toHaveText(fmt(f.activeAfterApproval));
  await expect(tile("tile-findings")).toHaveText(fmt(f.openFindings));
  await expect(tile("tile-orphans")).toHaveText(fmt(f.orphans));
  await expect(tile("tile-overdue-reviews")).toHaveText(fmt(f.overdueReviews));
  await expect(tile("tile-overdue-attestations")).toHaveText(fmt(f.overdueAttestations));
  for (const s of ["critical", "high", "medium", "low"]) await expect(page.getByTestId(`severity-${s}`)).toContainText(fmt(f[`findings.severity.${s}`] ?? 0));
  // Trend tiles compare with 30 days ago, which the snapshots computed from history.
  await expect(page.getByTestId("tile-standing").getByTestId("tile-delta")).toContainText("vs 30 days ago");

  // Every chart draws a Recharts surface, with its legend or axis text.
  for (const id of [
    "privilege-trend-chart",
    "standing-trend-chart",
    "jit-chart",
    "creep-chart",
    "findings-by-system-chart",
    "findings-by-identity-kind-chart",
    "kind-chart",
  ]) {
    await expect(page.getByTestId(id).locator("svg.recharts-surface").first()).toBeVisible();
  }
  await expect(page.getByTestId("privilege-trend-chart").locator(".recharts-area")).toHaveCount(2);
  await expect(page.getByTestId("privilege-trend-chart").locator(".recharts-legend-wrapper")).toContainText("Approved privileged");
  await expect(page.getByTestId("privilege-trend-chart").locator(".recharts-legend-wrapper")).toContainText("Used in prior 30 days");
  await expect(page.getByTestId("standing-trend-chart").locator(".recharts-legend-wrapper")).toContainText("Standing privileged");
  await expect(page.getByTestId("jit-chart").locator(".recharts-legend-wrapper")).toContainText("Break-glass");
  // Bars are labelled with their counts, and their names link to the findings behind them.
  const busiest = r.findingsBySystem.find((s) => s.key !== "none")!;
  const bySystem = page.getByTestId("findings-by-system-chart");
  await expect(bySystem.getByText(fmt(busiest.count), { exact: true }).first()).toBeVisible();
  await expect(bySystem.getByRole("link", { name: busiest.key, exact: true })).toHaveAttribute("href", /^\/reconciliation\?systemId=[0-9a-f-]{36}$/);
  const people = r.findingsByIdentityKind.find((k) => k.key === "human");
  if (people)
    await expect(page.getByTestId("findings-by-identity-kind-chart").getByRole("link", { name: "People", exact: true })).toHaveAttribute(
      "href",
      "/reconciliation?identityKind=human",
    );

  // The creep chart names the top identity and links to it.
  const top = r.topCreep[0];
  const topLink = page.getByTestId("creep-chart").locator(`a[href="/identities/${top.identityId}"]`);
  await expect(topLink).toHaveCount(1);
  await topLink.click();
  await expect(page).toHaveURL(new RegExp(`/identities/${top.identityId}$`));
  await expect(page.getByTestId("identity-reconciliation")).toContainText(`${top.creepScore}`);
});

test("a tile opens the findings list with its filter, and the count matches", async ({ page }) => {
  await signInAs(page, "auditor");
  const r = await reconciled(page);
  await page.goto("/");
  await page.getByTestId("tile-after-approval").getByRole("link", { name: "Active after approval ended" }).click();
  await expect(page).toHaveURL(/\/reconciliation\?kind=active_after_approval$/);
  await expect(page.getByRole("button", { name: /Active after approval ended/ })).toHaveAttribute("aria-pressed", "true");
  expect(r.figures["findings.kind.active_after_approval"]).toBeGreaterThan(0);
  const api = await (await page.request.get("/api/v1/findings?kind=active_after_approval")).json();
  expect(api.total).toBeGreaterThan(0);
  await expect(page.getByTestId("findings-count")).toHaveText(`${fmt(api.total)} open findings`);
  await expect(page.getByTestId("finding-row").first()).toContainText("still active after its approval ended");
});

test("frameworks show open findings per control and link to them", async ({ page }) => {
  await signInAs(page, "auditor");
  await reconciled(page);
  const { controls } = await (await page.request.get("/api/v1/reconciliation/frameworks")).json();
  const nhi5 = controls.find((c: { id: string }) => c.id === "NHI5");
  expect(nhi5.open).toBeGreaterThan(0);
  await page.goto("/reconciliation/frameworks");
  await expect(page.getByRole("heading", { name: "OWASP NHI Top 10 (2025)" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "NIST CSF 2.0" })).toBeVisible();
  const card = page.getByTestId("control-NHI5");
  await expect(card).toContainText("Overprivileged NHI");
  await card.getByRole("link", { name: "Findings for NHI5:2025 →" }).click();
  await expect(page).toHaveURL(/\/reconciliation\?control=NHI5$/);
  await expect(page.getByTestId("findings-count")).toHaveText(`${fmt(nhi5.open)} open findings`);
});

test("an identity's page shows its reconciliation and leads to the action-level view", async ({ page }) => {
  await signInAs(page, "auditor");
  await reconciled(page);
  const { rows } = await (await page.request.get("/api/v1/findings?kind=approved_unused&identityKind=workload_role&pageSize=1")).json();
  const id = rows[0].identityId;
  await page.goto(`/identities/${id}`);
  const card = page.getByTestId("identity-reconciliation");
  await expect(card).toContainText("Creep score");
  await expect(card.getByTestId("identity-findings")).toContainText(rows[0].title);
  await card.getByRole("link", { name: "Action-level reconciliation →" }).click();
  await expect(page).toHaveURL(new RegExp(`/reconciliation/identities\\?identityId=${id}$`));
  await expect(page.getByTestId("recon-summary")).toContainText("Approved actions");
  await expect(page.getByRole("heading", { name: rows[0].identityName })).toBeVisible();
});
