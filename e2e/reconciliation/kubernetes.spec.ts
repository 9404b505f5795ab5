import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";
import { call } from "../support/api";

// The cluster of lib/ingest/k8s/fixtures: payments/deployer has held the secret-reader role in payments since
// March (its binding's creationTimestamp) and its audit log shows no use of it.
const fixture = readFileSync(path.resolve("lib/ingest/k8s/fixtures/rbac-list.json"), "utf8")
  .replace("OWNER_EMAIL", "marcus.chen@acme.example")
  .replace("ADMIN_EMAIL", "priya.raman@acme.example");

type Finding = { id: string; title: string; identityId: string; grantId: string | null; convertible: boolean };

test("a Kubernetes service account's unused `get secrets` is a finding, converted to just-in-time from the findings list", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");
  const cluster = `e2e-${Date.now()}`;
  const summary = await call<{ systemId: string; serviceAccounts: { created: number } }>(page, "POST", "/api/v1/imports/k8s-rbac", {
    cluster,
    lists: [JSON.parse(fixture)],
  });
  expect(summary.serviceAccounts.created).toBe(3);
  // Its audit log: the deployer read pods, never secrets.
  const day = new Date(Date.now() - 86_400_000).toISOString();
  const event = JSON.stringify({
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    auditID: `e2e-${cluster}`,
    stage: "ResponseComplete",
    verb: "list",
    requestURI: "/api/v1/namespaces/payments/pods",
    user: { username: "system:serviceaccount:payments:deployer" },
    objectRef: { resource: "pods", namespace: "payments", apiVersion: "v1" },
    responseStatus: { code: 200 },
    stageTimestamp: day,
  });
  const usage = await page.request.post(`/api/v1/imports/k8s-audit?cluster=${cluster}`, { data: event, headers: { "content-type": "application/x-ndjson" } });
  expect(usage.status(), await usage.text()).toBe(200);
  expect((await usage.json()).usage.inserted).toBe(1);

  const { rows: ids } = await call<{ rows: { id: string; name: string }[] }>(page, "GET", `/api/v1/identities?systemId=${summary.systemId}&q=deployer`);
  const deployer = ids.find((r) => r.name === "payments/deployer")!.id;
  await call(page, "POST", "/api/v1/reconciliation/run");
  let target: Finding | undefined;
  await expect
    .poll(
      async () => {
        const list = await call<{ rows: Finding[] }>(page, "GET", `/api/v1/findings?kind=approved_unused&identityId=${deployer}`);
        target = list.rows.find((r) => r.title === "payments/secret-reader not used in 90 days");
        return !!target;
      },
      { timeout: 60_000, intervals: [1000, 2000] },
    )
    .toBe(true);
  expect(target!.convertible).toBe(true);

  await page.goto(`/reconciliation?kind=approved_unused&identityId=${deployer}`);
  const row = page.locator(`[data-finding="${target!.id}"]`);
  await expect(row).toContainText("payments/secret-reader not used in 90 days");
  await row.getByRole("checkbox").check();
  const bar = page.getByTestId("bulk-bar");
  await bar.getByRole("button", { name: "Convert to just-in-time…" }).click();
  await bar.getByLabel("Reason (optional)").fill("Reads secrets only when deploying: request it then");
  await bar.getByRole("button", { name: "Convert 1 to just-in-time finding" }).click();
  await expect(page.getByTestId("action-result")).toContainText("Converted 1 standing grant to just-in-time eligibility.");
  await expect(row).toHaveCount(0);

  // The standing grant is gone from the service account's access.
  const access = await call<{ grants: { grantId: string }[] }>(page, "GET", `/api/v1/identities/${deployer}/access`);
  expect(access.grants.map((g) => g.grantId)).not.toContain(target!.grantId);
});
