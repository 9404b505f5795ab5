import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";
import { call } from "../support/api";

type Escalation = { computedAt: string | null; privilegeLevel: string; reachesAdmin: boolean; escalation: { steps: { pathClass: string }[] }[] };
type Finding = { identityId: string; title: string; path: { pathClass: string }[] | null };

const account = (namespace: string, name: string) => ({ kind: "ServiceAccount", name, namespace });
const binding = (kind: string, name: string, role: { kind: string; name: string }, subjects: object[], namespace?: string) => ({
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", ...role },
  subjects,
});

// payments/ci may create pods in payments, where payments/deployer is bound to cluster-admin.
const cluster = {
  kind: "List",
  items: [
    { kind: "ServiceAccount", metadata: { namespace: "payments", name: "ci" } },
    { kind: "ServiceAccount", metadata: { namespace: "payments", name: "deployer" } },
    { kind: "ClusterRole", metadata: { name: "cluster-admin" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
    { kind: "Role", metadata: { namespace: "payments", name: "pod-runner" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["create"] }] },
    binding("ClusterRoleBinding", "deployer-admin", { kind: "ClusterRole", name: "cluster-admin" }, [account("payments", "deployer")]),
    binding("RoleBinding", "ci-pods", { kind: "Role", name: "pod-runner" }, [account("payments", "ci")], "payments"),
  ],
};

test("who can become cluster-admin shows on the identity page and in the findings, step by step, on a phone too", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");
  const name = `e2e-paths-${Date.now()}`;
  const summary = await call<{ systemId: string }>(page, "POST", "/api/v1/imports/k8s-rbac", { cluster: name, lists: [cluster] });
  const { rows } = await call<{ rows: { id: string; name: string }[] }>(page, "GET", `/api/v1/identities?systemId=${summary.systemId}`);
  const ci = rows.find((r) => r.name === "payments/ci")!.id;
  const deployer = rows.find((r) => r.name === "payments/deployer")!.id;

  // The analysis runs as a job shortly after the import commits.
  await expect
    .poll(async () => (await call<Escalation>(page, "GET", `/api/v1/identities/${ci}/escalation`)).reachesAdmin, { timeout: 30_000, message: "analysed" })
    .toBe(true);
  const verdict = await call<Escalation>(page, "GET", `/api/v1/identities/${ci}/escalation`);
  expect(verdict.privilegeLevel).toBe("admin");
  expect(verdict.escalation[0].steps.map((s) => s.pathClass)).toEqual(["k8s-create-pod", "holds-admin"]);

  await page.goto(`/identities/${ci}`);
  const panel = page.getByTestId("can-become");
  await expect(panel.getByTestId("can-become-verdict")).toHaveText(/Can escalate to administrator in 2 steps/);
  const steps = panel.getByTestId("path-step");
  await expect(steps.first()).toContainText("runs a pod as a service account");
  await expect(steps.first()).toContainText("payments:create:core/pods on namespace payments");
  await expect(steps.first()).toContainText("payments/pod-runner");
  await expect(steps.first().getByRole("link", { name: "kubernetes.io" }).first()).toHaveAttribute("href", /kubernetes\.io/);
  await expect(steps.nth(1)).toContainText("cluster-admin");
  await page.setViewportSize({ width: 390, height: 844 });
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath("k8s-path-phone.png"), fullPage: true });
  // The path links to the account it goes through.
  await panel.getByRole("link", { name: "payments/deployer" }).first().click();
  await expect(page).toHaveURL(new RegExp(`/identities/${deployer}`));
  await expect(page.getByTestId("can-become-verdict")).toHaveText(/Holds administrator-equivalent access/);

  // The finding, filtered by its path class, draws the same path.
  const findings = await call<{ rows: Finding[] }>(
    page,
    "GET",
    `/api/v1/findings?kind=escalation_to_admin&pathClass=k8s-create-pod&systemId=${summary.systemId}`,
  );
  expect(findings.rows.map((f) => f.identityId)).toEqual([ci]);
  expect(findings.rows[0].title).toBe("payments/ci can become administrator: runs a pod as a service account (payments/deployer) → holds administrator access");
});
