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
