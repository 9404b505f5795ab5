import { randomInt } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { authorizationDetails } from "../../lib/escalation/test-account";
import { call } from "../support/api";
import { signInAs } from "../support/auth";
import { dashboardAsApiSees, fmt, risk } from "./support";

type FindingRow = { id: string; identityName: string; title: string; firstSeenAt: string };

/**
 * A small AWS account of its own (an account id and a person no other run uses), imported by an
 * admin: the person and a CI user escalate to administrator through a deployer role that can pass
 * an administrator role to Lambda. Waits until the analysis has raised the person's finding and a
 * reconciliation pass has counted it on the dashboard.
 */
async function importEscalatingAccount(page: Page) {
  const account = String(randomInt(100000, 999999)) + String(randomInt(100000, 999999));
  const person = `e2e-esc-${account.slice(-6)}`;
  await signInAs(page, "admin");
  await call(page, "POST", "/api/v1/imports/aws-iam", { authorizationDetails: authorizationDetails(account, { deployerCanPass: true, person }) });
  let finding: FindingRow | undefined;
  await expect
    .poll(
      async () => {
        const list = await (await page.request.get(`/api/v1/findings?kind=escalation_to_admin&q=${person}`)).json();
        finding = list.rows?.[0];
        const r = await risk(page);
        // The pass that counted it ran after the analysis raised the finding.
        return !!finding && !!r.reachAdmin && !!r.asOf && new Date(r.asOf) > new Date(finding.firstSeenAt);
      },
      { timeout: 120_000, intervals: [1000, 2000] },
    )
    .toBe(true);
  return { account, person, finding: finding! };
}

test("the CISO sees who can reach administrator, people and each NHI kind, and filters findings by path class", async ({ page }) => {
  test.setTimeout(240_000);
  const { person, finding } = await importEscalatingAccount(page);

  await signInAs(page, "auditor");
  // The page and the API must describe the same pass.
  const r = await dashboardAsApiSees(page);
  const reach = r.reachAdmin!;
  expect(reach.people).toBeGreaterThanOrEqual(1);
  expect(reach.escalates).toBeGreaterThanOrEqual(3);

  const tile = page.getByTestId("tile-reach-admin");
  await expect(tile.getByTestId("tile-value")).toHaveText(fmt(reach.total));
  await expect(tile).toContainText(`${fmt(reach.holds)} hold it, ${fmt(reach.escalates)} can escalate to it`);
  await expect(tile).toContainText(`of ${fmt(reach.analysed)} AWS identities analysed`);
  // People first, then each NHI kind, in the dashboard's words.
  await expect(tile.getByTestId("reach-admin-human")).toContainText("People");
  const people = reach.byKind.find((k) => k.kind === "human")!;
  await expect(tile.getByTestId("reach-admin-human").locator("td").nth(2)).toHaveText(fmt(people.escalates));
  await expect(tile.getByTestId("reach-admin-service_account")).toContainText("Service account");
  await expect(tile.getByTestId("reach-admin-workload_role")).toContainText("Workload role");
  // Its trend draws people and NHIs.
  await expect(page.getByTestId("reach-admin-trend-chart").locator("svg.recharts-surface").first()).toBeVisible();
  await expect(page.getByTestId("reach-admin-trend-chart").locator(".recharts-legend-wrapper")).toContainText("Non-human identities");
  await expect(page.getByTestId("reach-admin-trend-chart").locator(".recharts-legend-wrapper")).toContainText("People");

  // The people who escalate lead to their findings.
  await tile
    .getByTestId("reach-admin-human")
    .getByRole("link", { name: fmt(people.escalates) })
    .click();
  await expect(page).toHaveURL(/\/reconciliation\?kind=escalation_to_admin&identityKind=human$/);
  await expect(page.locator(`[data-finding="${finding.id}"]`)).toBeVisible();

  // The findings list by path class: the person's path starts by assuming the deployer role.
  await page.goto("/reconciliation");
  await page.getByLabel("Escalation path").selectOption({ label: "Assumes a role that trusts it" });
  await expect(page).toHaveURL(/pathClass=assume-role/);
  const api = await (await page.request.get("/api/v1/findings?pathClass=assume-role")).json();
  await expect(page.getByTestId("findings-count")).toHaveText(`${fmt(api.total)} open finding${api.total === 1 ? "" : "s"}`);
  await expect(page.getByRole("button", { name: /^Can escalate to administrator/ })).toBeVisible();
  await expect(page.getByTestId("finding-row").filter({ hasNotText: "Can escalate to administrator" })).toHaveCount(0);
  await page.getByLabel("Search findings").fill(person);
  await expect(page).toHaveURL(new RegExp(`q=${person}`));
  const row = page.locator(`[data-finding="${finding.id}"]`);
  await expect(row).toContainText(`${person} can become administrator`);
  // Its path, step by step: who acts on whom, each action on its resource, the policy and statement allowing it.
  await row.getByText("The path, step by step").click();
  const steps = row.getByTestId("path-step");
  await expect(steps).toHaveCount(3);
  await expect(steps.nth(0)).toContainText(`user/${person} → role/deployer`);
  await expect(steps.nth(0)).toContainText(`sts:AssumeRole on arn:aws:iam::`);
  await expect(steps.nth(0)).toContainText(`user/${person}#inline/assume-deployer statement #1`);
  await expect(steps.nth(1)).toContainText("role/deployer → role/lambda-admin");
  await expect(steps.nth(1)).toContainText("lambda:CreateFunction");
  await expect(steps.nth(1)).toContainText("iam:PassRole");
  await expect(steps.nth(2)).toContainText("administrator access");

  // Another class leaves it out; one the catalogue lacks is ignored, and the list says so.
  await page.getByLabel("Escalation path").selectOption("lambda-create-invoke");
  await expect(row).toHaveCount(0);
  await page.goto("/reconciliation?pathClass=not-a-class");
  await expect(page.getByTestId("path-class-ignored")).toContainText("“not-a-class” is not an escalation path class, so that filter is ignored.");
  await expect(page.getByTestId("findings-count")).toBeVisible();
  expect((await page.request.get("/api/v1/findings?pathClass=not-a-class")).status()).toBe(422);
});

test("an open trust policy shows its role and the statement trusting anyone; the inventory lists who can reach admin", async ({ page }) => {
  test.setTimeout(240_000);
  const { account, person } = await importEscalatingAccount(page);
  await signInAs(page, "auditor");

  const roleArn = `arn:aws:iam::${account}:role/public`;
  const open = await (await page.request.get("/api/v1/findings?kind=open_trust_policy&pageSize=200")).json();
  const trust = open.rows.find((f: { details: { roleArn?: string } }) => f.details.roleArn === roleArn);
  expect(trust, "the open role's finding").toBeTruthy();
  await page.goto(`/reconciliation?kind=open_trust_policy&identityId=${trust.identityId}`);
  const row = page.locator(`[data-finding="${trust.id}"]`);
  await row.getByText("The trusting statement").click();
  const statement = row.getByTestId("trust-statement");
  await expect(statement).toContainText(roleArn);
  await expect(statement).toContainText("statement #1 of its trust policy");
  await expect(statement).toContainText("AWS: *");
  await expect(statement).toContainText("sts:AssumeRole");

  // The inventory's "can reach admin" level: the person is there, the read-only viewer is not.
  await page.goto(`/identities?level=reaches_admin&q=${person}`);
  await expect(page.getByLabel("Privilege level")).toHaveValue("reaches_admin");
  await expect(page.getByRole("link", { name: person, exact: true })).toBeVisible();
  const viewers = await (await page.request.get(`/api/v1/identities?level=reaches_admin&q=viewer&pageSize=200`)).json();
  expect(viewers.rows.filter((v: { name: string; systemName: string }) => v.name === "viewer" && v.systemName.includes(account))).toEqual([]);
});
