import type { Page } from "@playwright/test";

export type Persona = "admin" | "owner" | "reviewer" | "approver" | "requester" | "auditor";

/** Signs in through the Auth.js endpoints (not the form), as the given demo persona. */
export async function signInAs(page: Page, persona: Persona) {
  await page.context().clearCookies();
  const { csrfToken } = await (await page.request.get("/api/auth/csrf")).json();
  const res = await page.request.post("/api/auth/callback/demo", { form: { csrfToken, persona, callbackUrl: "/" }, maxRedirects: 0 });
  if (res.status() !== 302) throw new Error(`persona sign-in failed with ${res.status()}`);
  const cookies = await page.context().cookies();
  if (!cookies.some((c) => c.name.endsWith("authjs.session-token"))) throw new Error("no session cookie after sign-in");
}
