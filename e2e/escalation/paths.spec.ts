import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";
import { call, launchCampaignOver, me } from "../support/api";

// A small account: build-bot (a service account) may pass lambda-* roles and
// create and invoke functions, and lambda-admin holds AdministratorAccess;
// analyst and the viewer role only read; viewer trusts any AWS principal.
const account = JSON.parse(readFileSync(path.resolve("e2e/fixtures/escalation-account.json"), "utf8"));

type Escalation = {
  computedAt: string | null;
  privilegeLevel: string;
  reachesAdmin: boolean;
  escalation: { steps: { pathClass: string; actions: { action: string }[] }[] }[];
};
type Row = { id: string; name: string };

async function identityNamed(page: import("@playwright/test").Page, name: string) {
  const { rows } = await call<{ rows: Row[] }>(page, "GET", `/api/v1/identities?q=${encodeURIComponent(name)}`);
  const row = rows.find((r) => r.name === name);
  expect(row, `identity ${name}`).toBeTruthy();
  return row!.id;
}

test("an imported account's escalation path shows on the identity page and as a reviewer's evidence", async ({ page }) => {
  await signInAs(page, "reviewer");
  const sofia = await me(page);

  // Only administrators import; a reviewer is refused before the body is read.
  const refused = await page.request.post("/api/v1/imports/aws-iam", { data: { authorizationDetails: account } });
  expect(refused.status()).toBe(403);

  await signInAs(page, "admin");
  const priya = await me(page);
  const bad = await page.request.post("/api/v1/imports/aws-iam", { data: { authorizationDetails: "not an object" } });
  expect(bad.status()).toBe(422);
  const summary = await call<{ accountId: string; identities: { created: number; updated: number; unchanged: number } }>(
    page,
    "POST",
    "/api/v1/imports/aws-iam",
    { authorizationDetails: account },
  );
  expect(summary.accountId).toBe("246813579024");

  // The analysis runs as a job shortly after the import commits.
  const bot = await identityNamed(page, "build-bot");
  await expect
    .poll(async () => (await call<Escalation>(page, "GET", `/api/v1/identities/${bot}/escalation`)).computedAt, {
      timeout: 30_000,
      message: "escalation analysis ran",
    })
    .not.toBeNull();
  const verdict = await call<Escalation>(page, "GET", `/api/v1/identities/${bot}/escalation`);
  expect(verdict.privilegeLevel).toBe("admin");
  expect(verdict.escalation[0].steps[0].actions.map((a) => a.action).sort()).toEqual(["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]);

  // The identity page draws the path step by step.
  await page.goto(`/identities/${bot}`);
  const panel = page.getByTestId("can-become");
  await expect(panel.getByTestId("can-become-verdict")).toHaveText(/Can escalate to administrator in 2 steps/);
  const steps = panel.getByTestId("path-step");
  await expect(steps).toHaveCount(2);
  await expect(steps.first()).toContainText("creates a Lambda function running as the role and invokes it");
  await expect(steps.first()).toContainText("iam:PassRole on arn:aws:iam::246813579024:role/lambda-admin");
  await expect(steps.first()).toContainText(`policy/BuildBotDeploy statement "PassLambdaRoles"`);
  await expect(steps.nth(1)).toContainText("AdministratorAccess");
  await panel.getByRole("link", { name: "role/lambda-admin" }).first().click();
  await expect(page.getByTestId("can-become-verdict")).toHaveText(/Holds administrator-equivalent access/);

  // A read-only user is standard, not privileged, and reaches nothing.
  await page.goto(`/identities/${await identityNamed(page, "analyst")}`);
  await expect(page.getByTestId("can-become-verdict")).toHaveText(/Cannot reach administrator access; its effective access only reads/);

  // A reviewer certifying the bot's deploy policy sees where it leads.
  const detail = await call<{ grants: { grant: { id: string }; entitlementName: string }[] }>(page, "GET", `/api/v1/identities/${bot}`);
  const grant = detail.grants.find((g) => g.entitlementName === "BuildBotDeploy")!;
  const campaignId = await launchCampaignOver(page, `Escalation evidence ${Date.now()}`, [grant.grant.id], sofia, priya);
  await signInAs(page, "reviewer");
  await page.goto(`/certifications/reviews?campaignId=${campaignId}`);
  const row = page.getByTestId("review-row");
  await expect(row).toHaveCount(1);
  const evidence = row.getByTestId("identity-verdict");
  await expect(evidence).toContainText("admin");
  await expect(evidence).toContainText("can escalate to admin via lambda:CreateFunction + lambda:InvokeFunction + iam:PassRole to role/lambda-admin");
  await expect(evidence).toContainText("(+1 step)");
  await evidence.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/identities/${bot}#can-become$`));
  await expect(page.getByTestId("path-step")).toHaveCount(2);
});
