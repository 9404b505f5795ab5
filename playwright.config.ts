import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import { E2E_LDAP, E2E_OIDC, E2E_PORT, E2E_SLACK, E2E_SMTP_PORT } from "./e2e/support/env";

const PORT = E2E_PORT;
// "localhost", not 127.0.0.1: Next.js reports request URLs as localhost, and the
// OIDC redirect URI must match the one the browser started from exactly.
const baseURL = `http://localhost:${PORT}`;

// Debian's Chromium where it is installed; otherwise Playwright's own browser.
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "e2e",
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  // One server with one embedded database; tests share it, so run them in order.
  workers: 1,
  timeout: 60_000,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL,
    trace: "on-first-retry",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  projects: [
    { name: "desktop", testIgnore: /phone\// },
    // Asking, approving and deciding review items on a phone (e2e/phone/): a 390 px wide touch screen.
    { name: "phone", testMatch: /phone\/.*\.spec\.ts$/, use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } },
  ],
  webServer: {
    // The production build, on a fresh embedded database seeded with the demo organisation.
    // A fresh database and fresh audit checkpoints: the old run's would rightly report its rows as deleted.
    command: `rm -rf .data/e2e .data/e2e-audit-checkpoints && npm run build && npx next start -p ${PORT}`,
    url: `${baseURL}/api/health`,
    timeout: 600_000,
    reuseExistingServer: !process.env.CI,
    stdout: "pipe",
    env: {
      DATABASE_URL: "pglite:.data/e2e",
      AUDIT_CHECKPOINT_DIR: ".data/e2e-audit-checkpoints",
      DEMO: "1",
      AUTH_SECRET: "e2e-only-secret-not-for-production-000000",
      NEXT_TELEMETRY_DISABLED: "1",
      OIDC_ISSUER: E2E_OIDC.issuer,
      OIDC_CLIENT_ID: E2E_OIDC.clientId,
      OIDC_CLIENT_SECRET: E2E_OIDC.clientSecret,
      OIDC_NAME: "Acme SSO",
      // Seals SSH connectors' CA keys (test only).
      SSH_CA_KEY: "e2e-only-ssh-ca-sealing-key-not-for-production-000",
      // A PostgreSQL server that authenticates roles by password (.ci/run starts one), for short-lived credentials.
      // The directory the LDAP test starts, for its import.
      E2E_LDAP_URL: E2E_LDAP.importUrl,
      // Mail and chat go to the servers the notifications test starts; deep links name this server.
      PORT: String(PORT),
      SMTP_URL: `smtp://127.0.0.1:${E2E_SMTP_PORT}`,
      MAIL_FROM: "Access governance <gov@acme.example>",
      SLACK_BOT_TOKEN: E2E_SLACK.token,
      SLACK_API_URL: E2E_SLACK.apiUrl,
      SLACK_SIGNING_SECRET: E2E_SLACK.signingSecret,
      ...(process.env.CREDENTIAL_TEST_PG_URL ? { E2E_PG_TARGET_URL: process.env.CREDENTIAL_TEST_PG_URL } : {}),
    },
  },
});
