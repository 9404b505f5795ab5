import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { call } from "../support/api";
import { approvedCredentialRequest } from "../support/credentials";
import { signInAs } from "../support/auth";

/** A PostgreSQL server that authenticates roles by password, as .ci/run starts it; without one the test says it is skipped. */
const TARGET = process.env.CREDENTIAL_TEST_PG_URL;

async function login(connectionString: string): Promise<string> {
  const client = postgres(connectionString, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    return `read ${(await client<{ n: number }[]>`select count(*)::int as n from e2e_cred_orders`)[0].n}`;
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  } finally {
    await client.end({ timeout: 1 });
  }
}

test("a JIT request hands out a database account of its own, in the browser and on a phone, that the server refuses once released", async ({ page }) => {
  // CI starts the server and names it: there the test always runs; elsewhere it needs the same.
  if (process.env.CI) expect(TARGET, "no password-authenticating PostgreSQL server at CREDENTIAL_TEST_PG_URL").toBeTruthy();
  else test.skip(!TARGET, "no password-authenticating PostgreSQL server at CREDENTIAL_TEST_PG_URL");
  test.setTimeout(180_000);
  const role = `e2e_orders_reader_${Date.now()}`;
  const admin = postgres(TARGET!, { max: 1, onnotice: () => {} });
  await admin`create table if not exists e2e_cred_orders (id int)`;
  await admin`create role ${admin(role)} nologin`;
  await admin`grant select on e2e_cred_orders to ${admin(role)}`;
  try {
    // The admin brings the server's roles in, connects it, and makes its reader role requestable with a credential of its own.
    await signInAs(page, "admin");
    const system = `orders-db-${Date.now()}`;
    await call(page, "POST", "/api/v1/imports/pg-roles", { system, urlEnv: "E2E_PG_TARGET_URL" });
    await call(page, "POST", "/api/v1/connectors", {
      name: `${system} roles`,
      kind: "postgres",
      systemId: (await call<{ systems: { id: string; name: string }[] }>(page, "GET", "/api/v1/systems")).systems.find((s) => s.name === system)!.id,
      urlEnv: "E2E_PG_TARGET_URL",
    });
    // Lena asks; an approver approves; Lena takes the connection details on her request's page.
    const requestId = await approvedCredentialRequest(page, {
      policyName: `Orders reader (${system})`,
      entitlementText: role,
      justification: "Reconcile yesterday's orders export",
    });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/access-requests/${requestId}`);
    const panel = page.getByTestId("credential-panel");
    await expect(panel).toContainText("the server refuses it after the window ends");
    await panel.getByRole("button", { name: "Get connection details" }).click();
    const connection = (await panel.getByTestId("credential-connection string").textContent())!;
    expect(connection).toMatch(/^postgres:\/\/gov_[0-9a-f]{32}:/);
    await expect(panel).toContainText("Shown once");
    await page.screenshot({ path: test.info().outputPath("credential-phone.png"), fullPage: true });
    expect(await login(connection)).toBe("read 0");
    // What the page keeps after a reload: the account and its validity, never the password.
    await page.reload();
    await expect(page.getByTestId("credential-issued")).toContainText("handed out 1 time");
    expect(await page.content()).not.toContain(connection.split(":")[2].split("@")[0]);
    await expect(page.getByTestId("request-history")).toContainText("Credential handed out");

    // Done early: released, the server refuses the account as soon as the removal is delivered.
    await page.getByRole("button", { name: "Done: release now" }).click();
    await expect(page.getByTestId("request-status")).toContainText("released");
    await expect.poll(() => login(connection), { timeout: 30_000, message: "refused after release" }).toMatch(/^refused: /);
  } finally {
    await admin`drop owned by ${admin(role)}`.catch(() => {});
    await admin`drop role if exists ${admin(role)}`.catch(() => {});
    await admin.end({ timeout: 5 });
  }
});
