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
