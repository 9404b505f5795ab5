import { writeFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { sshdAvailable, startSshd, type TestSshd } from "../../lib/testing/sshd";
import { call } from "../support/api";
import { approvedCredentialRequest } from "../support/credentials";
import { signInAs } from "../support/auth";

// Stopped in a hook, which runs even when the test runs out of time (a finally in the test body does not).
let sshd: TestSshd | undefined;
test.afterAll(() => sshd?.stop());

test("SSH access: an admin adds a CA, the requester signs their key on a phone, logs in with a real ssh, the session joins the request, release revokes it", async ({
  page,
}) => {
  // CI installs openssh-server and runs as root: there the test always runs; elsewhere it needs the same.
  if (process.env.CI) expect(sshdAvailable(), "no sshd at /usr/sbin/sshd, or not root").toBe(true);
  else test.skip(!sshdAvailable(), "no sshd at /usr/sbin/sshd, or not root");
  test.setTimeout(180_000);
  const stamp = Date.now();
  const role = `ssh-ops-${stamp}`;
  // The entitlement: a cluster role, brought in by the Kubernetes import (its reference is the SSH principal).
  const principal = `clusterrole:${role}`;
  sshd = await startSshd(principal);
  {
    await signInAs(page, "admin");
    const cluster = `hosts-${stamp}`;
    await call(page, "POST", "/api/v1/imports/k8s-rbac", {
      cluster,
      lists: [{ kind: "List", items: [{ kind: "ClusterRole", metadata: { name: role }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] }] }],
    });

    // The connector, added in the form; its page shows the CA the hosts must trust.
    await page.goto("/admin/connectors");
    const form = page.getByRole("form", { name: "New connector" });
    await form.getByLabel("SSH certificates").check();
    await form.getByRole("textbox", { name: "Name" }).fill(`${cluster} ssh`);
    // The import names the system after the cluster.
    const system = `k8s-${cluster}`;
    await form.getByLabel("System", { exact: true }).selectOption({ label: system });
    await form.getByRole("textbox", { name: /Revocation list file/ }).fill(sshd.krl);
    await form.getByRole("button", { name: "Add connector" }).click();
    await expect(page).toHaveURL(/\/admin\/connectors\/[0-9a-f-]{36}$/);
    const authorities = page.getByTestId("ssh-authorities");
    await expect(authorities).toContainText("signs now");
    writeFileSync(sshd.trustedCas, `${await page.getByTestId("trusted-ca-keys").textContent()}\n`);

    const requestId = await approvedCredentialRequest(page, {
      policyName: `Host operators (${cluster})`,
      entitlementText: role,
      justification: "Restart the stuck payment workers",
    });

    // On a phone: paste the public key, get the certificate, log in with it.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/access-requests/${requestId}`);
    const panel = page.getByTestId("credential-panel");
    await expect(panel).toContainText("SSH certificate for your own key");
    await panel.getByRole("button", { name: "Get a certificate" }).click();
    await expect(panel.getByRole("alert")).toContainText("Paste your SSH public key");
    await panel.getByLabel("SSH public key").fill(sshd.publicKey);
    await panel.getByRole("button", { name: "Get a certificate" }).click();
    const certificate = (await panel.getByTestId("credential-certificate").textContent())!;
    expect(certificate).toMatch(/^ssh-ed25519-cert-v01@openssh\.com /);
    await page.screenshot({ path: test.info().outputPath("ssh-certificate-phone.png"), fullPage: true });
    const loggedInAt = new Date();
    expect(await sshd.ssh(certificate)).toBe("ok");

    // The host's log, as syslog writes sshd's lines: the session joins the request.
    const accepted = sshd
      .log()
      .split("\n")
      .find((l) => l.startsWith("Accepted certificate ID"))!;
    const line = (at: Date, message: string) => `${at.toISOString()} payments-host-1 sshd[777]: ${message}`;
    await signInAs(page, "admin");
    const imported = await page.request.post(`/api/v1/imports/ssh-log?system=${encodeURIComponent(system)}`, {
      data: [line(loggedInAt, accepted), line(new Date(), "Disconnected from user root 127.0.0.1 port 40000")].join("\n") + "\n",
      headers: { "content-type": "text/plain" },
    });
    expect(imported.status(), await imported.text()).toBe(200);
    await signInAs(page, "requester");
    await page.goto(`/access-requests/${requestId}`);
    await expect(page.getByText("Sessions (1)")).toBeVisible();
    await expect(page.getByTestId("credential-issued")).toContainText(principal);

    // Done early: released, the certificate is revoked and sshd refuses it.
    await page.getByRole("button", { name: "Done: release now" }).click();
    await expect(page.getByTestId("request-status")).toContainText("released");
    await expect.poll(() => sshd!.ssh(certificate), { timeout: 30_000, message: "refused after release" }).toMatch(/^refused: /);
  }
});
