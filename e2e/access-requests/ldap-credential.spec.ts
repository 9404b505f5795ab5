import { expect, test } from "@playwright/test";
import { GRANTS, SUFFIX, slapdAvailable, startSlapd, type TestSlapd } from "../../lib/testing/slapd";
import { call } from "../support/api";
import { approvedCredentialRequest } from "../support/credentials";
import { signInAs } from "../support/auth";
import { E2E_LDAP } from "../support/env";

// Stopped in a hook, which runs even when the test runs out of time.
let slapd: TestSlapd | undefined;
test.afterAll(() => slapd?.stop());

test("directory access: the groups imported, the connector added in the form, an account of one's own on a phone that the directory refuses once released", async ({
  page,
}) => {
  // CI installs slapd: there the test always runs; elsewhere it needs the same.
  if (process.env.CI) expect(slapdAvailable(), "no slapd with the ppolicy overlay").toBe(true);
  else test.skip(!slapdAvailable(), "no slapd with the ppolicy overlay");
  test.setTimeout(180_000);
  slapd = await startSlapd({ port: E2E_LDAP.port, secret: E2E_LDAP.secret });
  const system = `corp-ldap-${Date.now()}`;

  // The admin imports the directory's groups (the app reads it from the variable naming it) and adds the connector in the form.
  await signInAs(page, "admin");
  const imported = await call<{ groups: { created: number } }>(page, "POST", "/api/v1/imports/ldap-groups", { system, urlEnv: "E2E_LDAP_URL" });
  expect(imported.groups.created).toBe(2);
  await page.goto("/admin/connectors");
  const form = page.getByRole("form", { name: "New connector" });
  await form.getByLabel("Directory groups (LDAP)").check();
  await form.getByRole("textbox", { name: "Name" }).fill(`${system} groups`);
  await form.getByLabel("System", { exact: true }).selectOption({ label: system });
  // A URL that names no container is refused in the form, on its field.
  await form.getByRole("textbox", { name: /Directory URL/ }).fill(E2E_LDAP.importUrl.replace(`/${SUFFIX}`, ""));
  await form.getByRole("button", { name: "Add connector" }).click();
  await expect(form).toContainText("container DN");
  await form.getByRole("textbox", { name: /Directory URL/ }).fill(E2E_LDAP.importUrl.replace(SUFFIX, GRANTS));
  await form.getByRole("button", { name: "Add connector" }).click();
  await expect(page).toHaveURL(/\/admin\/connectors\/[0-9a-f-]{36}$/);
  // The bind password is never shown again.
  expect(await page.content()).not.toContain(E2E_LDAP.secret);

  const requestId = await approvedCredentialRequest(page, {
    policyName: `Database administrators (${system})`,
    entitlementText: "dba",
    justification: "Rotate the replication user's password",
  });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/access-requests/${requestId}`);
  const panel = page.getByTestId("credential-panel");
  await expect(panel).toContainText("the directory refuses it after the window ends");
  await panel.getByRole("button", { name: "Get connection details" }).click();
  const bindDn = (await panel.getByTestId("credential-bind dn").textContent())!;
  const password = (await panel.getByTestId("credential-password").textContent())!;
  expect(bindDn).toMatch(/^cn=gov_[0-9a-f]{32},ou=gov-grants,dc=example,dc=org$/);
  await page.screenshot({ path: test.info().outputPath("ldap-credential-phone.png"), fullPage: true });
  expect(await slapd.bind(bindDn, password)).toBe("ok");
  expect(await slapd.members(`cn=dba,ou=groups,${SUFFIX}`)).toContain(bindDn);
  await page.reload();
  await expect(page.getByTestId("credential-issued")).toContainText("member of cn=dba,ou=groups");
  expect(await page.content()).not.toContain(password);

  // Released: the directory refuses the account as soon as the removal is delivered.
  await page.getByRole("button", { name: "Done: release now" }).click();
  await expect(page.getByTestId("request-status")).toContainText("released");
  await expect.poll(() => slapd!.bind(bindDn, password), { timeout: 30_000, message: "refused after release" }).toBe("refused");
  expect(await slapd.members(`cn=dba,ou=groups,${SUFFIX}`)).not.toContain(bindDn);
});
