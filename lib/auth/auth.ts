import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { cache } from "react";
import { z } from "zod";
import { getDb, isDemoMode } from "@/db/client";
import type { Role, SessionProvider } from "@/db/schema";
import { personaKeys, personas } from "@/db/seed/personas";
import { findHumanByEmail, type Caller } from "@/lib/caller";
import { identityForOidcProfile, oidcSettings, rolesFromClaim } from "./oidc";
import { safeRedirectPath } from "./redirect";
import { authSecret } from "./secret";
import { SESSION_MAX_AGE_SECONDS, callerForSession, endSession, startSession, type SessionClaims } from "./sessions";
import { redirect } from "next/navigation";

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
    /** The session record (auth_sessions) this cookie stands for. */
    sessionId?: string;
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
    // The cookie names a session record; the record, checked on every request, decides (sessions.ts).
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc" || !oidc) return account?.provider === "demo";
        const identityId = await identityForOidcProfile(await getDb(), oidc.issuer, profile);
        if (!identityId) return false;
        user.identityId = identityId;
        user.claimRoles = rolesFromClaim(profile ?? {}, oidc.rolesClaim);
        return true;
      },
      async jwt({ token, user, account }) {
        if (user?.identityId && account) {
          token.identityId = user.identityId;
          token.claimRoles = user.claimRoles ?? [];
          const actor = { id: user.identityId, label: user.email ?? user.name ?? user.identityId };
          token.sessionId = await startSession(await getDb(), actor, account.provider as SessionProvider);
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, identityId: token.identityId, sessionId: token.sessionId, claimRoles: token.claimRoles };
      },
      // Wherever next-auth is about to send the browser (callbackUrl, redirectTo): a path on this app, or "/".
      redirect({ url, baseUrl }) {
        return new URL(safeRedirectPath(url, new URL(baseUrl).origin), baseUrl).href;
      },
    },
    events: {
      // Sign-out ends the session record too: a copy of the cookie kept from before is refused.
      async signOut(message) {
        if ("token" in message) await endSession(await getDb(), message.token?.sessionId, "signed out");
      },
    },
  };
}

// Lazy configuration: environment and secrets are read at request time, not at build.
export const { handlers, auth, signIn, signOut } = NextAuth(() => buildConfig());

/**
 * The signed-in caller with fresh roles from the database (or the IdP claim),
 * resolved once per request through the session record. Null when nobody is
 * signed in, or the session was ended, expired or is not honoured here.
 */
export const getCaller = cache(async (): Promise<Caller | null> => {
  const session = (await auth()) as SessionClaims;
  if (!session?.sessionId) return null;
  return callerForSession(await getDb(), session);
});

/**
 * The caller of a page, or a redirect to sign-in. Next renders a page
 * alongside its layout, not after it, so a page cannot count on the layout's
 * own redirect having stopped a request whose session just ended.
 */
export async function requireCaller(): Promise<Caller> {
  const caller = await getCaller();
  if (!caller) redirect("/signin");
  return caller;
}
