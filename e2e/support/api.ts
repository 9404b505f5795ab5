import { expect, type Page } from "@playwright/test";

/** The signed-in caller's identity id. */
export async function me(page: Page): Promise<string> {
  return (await (await page.request.get("/api/v1/me")).json()).identityId;
}

/** A JSON API call that must succeed; returns its body. */
export async function call<T = Record<string, unknown>>(page: Page, method: "GET" | "POST", path: string, data?: unknown): Promise<T> {
  const res = method === "GET" ? await page.request.get(path) : await page.request.post(path, { data: data ?? {} });
  expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
  return res.json();
}

/** Creates and launches a one-stage campaign over these grants, reviewed by one named person. */
export async function launchCampaignOver(page: Page, name: string, grantIds: string[], reviewerId: string, fallbackReviewerId: string) {
  const day = 86_400_000;
  const campaign = await call<{ id: string }>(page, "POST", "/api/v1/campaigns", {
    name,
    scope: { grantIds },
    reviewerStrategy: "named",
    reviewerIds: [reviewerId],
    fallbackReviewerId,
    startsAt: new Date().toISOString(),
    dueAt: new Date(Date.now() + 14 * day).toISOString(),
  });
  await call(page, "POST", `/api/v1/campaigns/${campaign.id}/launch`);
  return campaign.id;
}

/** A live standing grant of an active NHI of this kind that `notOwnedBy` does not own (read as an admin), for a one-item campaign. */
export async function standingGrantOfAnNhi(page: Page, kind: string, notOwnedBy: string): Promise<string> {
  const nhis = await call<{ rows: { id: string; ownerId: string | null }[] }>(page, "GET", `/api/v1/identities?kind=${kind}&status=active&pageSize=50`);
  for (const n of nhis.rows.filter((r) => r.ownerId !== notOwnedBy)) {
    const detail = await call<{ grants: { grant: { id: string; revokedAt: string | null; type: string } }[] }>(page, "GET", `/api/v1/identities/${n.id}`);
    const grantId = detail.grants.find((g) => !g.grant.revokedAt && g.grant.type === "standing")?.grant.id;
    if (grantId) return grantId;
  }
  throw new Error(`no ${kind} with a standing grant outside ${notOwnedBy}'s`);
}
