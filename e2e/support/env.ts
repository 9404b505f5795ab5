// Ports are configurable so several checkouts can run their e2e suites side by side.
const port = Number(process.env.E2E_OIDC_PORT ?? 3101);

/** The local OpenID Connect provider the e2e tests start, and the app is configured to trust. */
export const E2E_OIDC = {
  port,
  issuer: `http://127.0.0.1:${port}`,
  clientId: "gov-e2e",
  clientSecret: "gov-e2e-client-secret",
};

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3100);

/**
 * The directory the LDAP e2e test starts (lib/testing/slapd.ts) on a port and
 * with an admin password fixed here, so the app, started before the test, can
 * name it in an environment variable (the import reads a directory only that way).
 */
const ldapPort = Number(process.env.E2E_LDAP_PORT ?? 3102);
export const E2E_LDAP = {
  port: ldapPort,
  secret: "e2e-only-directory-admin-password",
  /** Searched from the suffix: what the import reads. */
  importUrl: `ldap://cn%3Dadmin%2Cdc%3Dexample%2Cdc%3Dorg:e2e-only-directory-admin-password@127.0.0.1:${ldapPort}/dc=example,dc=org`,
};

/**
 * The mail server and the Slack API the notifications test starts (a real
 * SMTP server, and a stand-in for Slack's Web API), on ports fixed here so the
 * app, started before the test, is configured to send to them.
 */
export const E2E_SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 3103);
const slackPort = Number(process.env.E2E_SLACK_PORT ?? 3104);
export const E2E_SLACK = {
  port: slackPort,
  apiUrl: `http://127.0.0.1:${slackPort}/api`,
  token: "xoxb-e2e-only",
  signingSecret: "e2e-only-slack-signing-secret",
};
