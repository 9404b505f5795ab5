import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { cache } from "react";
import { z } from "zod";
import { getDb, isDemoMode } from "@/db/client";
import type { Role } from "@/db/schema";
import { personaKeys, personas } from "@/db/seed/personas";
import { findHumanByEmail, resolveCaller, type Caller } from "./caller";
import { identityForOidcProfile, oidcSettings, rolesFromClaim } from "./oidc";
import { authSecret } from "./secret";

declare module "next-auth" {
  interface User {
    identityId?: string;
    claimRoles?: Role[];
  }
}
declare module "@auth/core/jwt" {
  interface JWT {
    identityId?: string;
    claimRoles?: Role[];
  }
}

const personaInput = z.object({ persona: z.enum(personaKeys) });

function buildConfig(): NextAuthConfig {
  const providers: NextAuthConfig["providers"] = [];
  const oidc = oidcSettings();
  if (isDemoMode()) {
    providers.push(
      Credentials({
        id: "demo",
        name: "Demo persona",
        credentials: { persona: { label: "Persona" } },
        async authorize(input) {
          const parsed = personaInput.safeParse(input);
          if (!parsed.success) throw new CredentialsSignin("Unknown persona");
          const persona = personas.find((p) => p.key === parsed.data.persona)!;
          const found = await findHumanByEmail(await getDb(), persona.email);
          if (!found || found.status !== "active") return null;
          return { id: found.id, identityId: found.id, name: persona.name, email: persona.email };
        },
      }),
    );
  }
  if (oidc) {
    providers.push({
      id: "oidc",
      name: oidc.name,
      type: "oidc",
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      authorization: { params: { scope: "openid email profile" } },
    });
  }
  return {
    secret: authSecret(),
    trustHost: true,
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc" || !oidc) return account?.provider === "demo";
        const identityId = await identityForOidcProfile(await getDb(), oidc.issuer, profile);
        if (!identityId) return false;
        user.identityId = identityId;
        user.claimRoles = rolesFromClaim((profile ?? {}) as Record<string, unknown>, oidc.rolesClaim);
        return true;
      },
      jwt({ token, user }) {
        if (user?.identityId) {
          token.identityId = user.identityId;
          token.claimRoles = user.claimRoles ?? [];
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, identityId: token.identityId, claimRoles: token.claimRoles };
      },
    },
  };
}

// Lazy configuration: environment and secrets are read at request time, not at build.
export const { handlers, auth, signIn, signOut } = NextAuth(() => buildConfig());

/**
 * The signed-in caller with fresh roles from the database (or the IdP claim),
 * resolved once per request. Null when nobody is signed in.
 */
export const getCaller = cache(async (): Promise<Caller | null> => {
  const session = (await auth()) as { identityId?: string } | null;
  if (!session?.identityId) return null;
  const token = session as { identityId: string; claimRoles?: Role[] };
  return resolveCaller(await getDb(), token.identityId, token.claimRoles);
});
