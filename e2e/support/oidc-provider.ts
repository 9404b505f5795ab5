import type { Server } from "node:http";
import { E2E_OIDC } from "./env";

export type OidcAccount = { sub: string; email: string; name: string; roles: string[] };

/**
 * A real OpenID Connect provider (the `oidc-provider` package) on localhost,
 * with its development login form: any login name signs in as that account.
 */
export async function startOidcProvider(baseURL: string, accounts: Record<string, OidcAccount>): Promise<{ close: () => Promise<void> }> {
  const { default: Provider } = await import("oidc-provider");
  const provider = new Provider(E2E_OIDC.issuer, {
    clients: [
      {
        client_id: E2E_OIDC.clientId,
        client_secret: E2E_OIDC.clientSecret,
        redirect_uris: [`${baseURL}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "roles"] },
    // Put the requested claims in the ID token, where Auth.js reads the profile.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ["e2e-cookie-key"] },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: account.sub, email: account.email, email_verified: true, name: account.name, roles: account.roles };
        },
      };
    },
  } as never);
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(E2E_OIDC.port, "127.0.0.1", () => resolve(s));
  });
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}
