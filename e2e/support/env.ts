/** The local OpenID Connect provider the e2e tests start, and the app is configured to trust. */
export const E2E_OIDC = {
  port: 3101,
  issuer: "http://127.0.0.1:3101",
  clientId: "gov-e2e",
  clientSecret: "gov-e2e-client-secret",
};
