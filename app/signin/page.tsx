import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { isDemoMode } from "@/db/client";
import { personas } from "@/db/seed/personas";
import { getCaller, signIn } from "@/lib/auth/auth";
import { oidcSettings } from "@/lib/auth/oidc";
import { safeRedirectPath } from "@/lib/auth/redirect";
import { signInPersona } from "@/lib/http/sign-in";
import { appOrigin } from "@/lib/http/origin";
import { formText } from "@/lib/http/client";

export const metadata = { title: "Sign in" };

const errors: Record<string, string> = {
  AccessDenied: "Your account may not sign in here. It may be disabled or offboarded.",
  CredentialsSignin: "That persona could not sign in.",
  Configuration: "Sign-in is misconfigured on the server. Check the OIDC settings.",
  RateLimited: "Too many failed sign-ins from your address. Wait a minute and try again.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string | string[]; error?: string | string[] }> }) {
  const { callbackUrl, error: rawError } = await searchParams;
  // Only a path on this app may be the destination after sign-in (no open redirects).
  const redirectTo = safeRedirectPath(callbackUrl, appOrigin(await headers()));
  const error = typeof rawError === "string" ? rawError : undefined;
  if (await getCaller()) redirect(redirectTo);
  const demo = isDemoMode();
  const oidc = oidcSettings();

  async function pickPersona(formData: FormData) {
    "use server";
    await signInPersona(formText(formData, "persona"), redirectTo);
  }
  async function signInOidc() {
    "use server";
    await signIn("oidc", { redirectTo });
  }

  return (
    <main className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center px-6 py-12">
      <h1 className="text-3xl font-semibold tracking-tight">Access Governance</h1>
      <p className="mt-2 text-slate-600">Who should have access, who owns it, and what privilege is actually used — for people and non-human identities.</p>
      {error && (
        <p role="alert" className="mt-6 rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
          {(Object.hasOwn(errors, error) && errors[error]) || "Sign-in failed. Try again."}
        </p>
      )}
      {oidc && (
        <form action={signInOidc} className="mt-8">
          <button className="w-full rounded-md bg-brand-600 px-4 py-3 font-medium text-white hover:bg-brand-700">Sign in with {oidc.name}</button>
        </form>
      )}
      {demo && (
        <section className="mt-8" aria-labelledby="personas">
          <h2 id="personas" className="text-sm font-semibold uppercase tracking-wide text-slate-500">
            Demo: sign in as a persona
          </h2>
          <div className="mt-3 grid gap-3 sm:grid-cols-2">
            {personas.map((p) => (
              <form key={p.key} action={pickPersona}>
                <input type="hidden" name="persona" value={p.key} />
                <button
                  data-persona={p.key}
                  className="w-full rounded-lg border border-slate-200 bg-white p-4 text-left shadow-sm hover:border-brand-600 hover:shadow"
                >
                  <span className="block font-medium">{p.name}</span>
                  <span className="block text-sm text-slate-500">{p.title}</span>
                  <span className="mt-2 block text-sm text-slate-700">{p.blurb}</span>
                </button>
              </form>
            ))}
          </div>
        </section>
      )}
      {!demo && !oidc && (
        <p className="mt-8 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          No sign-in method is configured. Set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or DEMO=1 for the demo personas.
        </p>
      )}
    </main>
  );
}
