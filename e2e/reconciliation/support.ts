import { expect, type Page } from "@playwright/test";

export type Risk = {
  asOf: string | null;
  figures: Record<string, number>;
  topCreep: { identityId: string; name: string; creepScore: number }[];
  findingsBySystem: { key: string; count: number }[];
  findingsByIdentityKind: { key: string; count: number }[];
  reachAdmin: {
    analysed: number;
    total: number;
    holds: number;
    escalates: number;
    people: number;
    nhi: number;
    byKind: { kind: string; holds: number; escalates: number; total: number }[];
  } | null;
};

export const fmt = (n: number) => Math.round(n).toLocaleString("en");

export async function risk(page: Page): Promise<Risk> {
  const res = await page.request.get("/api/v1/dashboard/risk");
  expect(res.status()).toBe(200);
  return res.json();
}

/** The reconciliation pass the server starts at boot may still be running: wait for its snapshot. */
export async function reconciled(page: Page): Promise<Risk> {
  let latest: Risk | null = null;
  await expect
    .poll(
      async () => {
        latest = await risk(page);
        return latest.asOf !== null && (latest.figures.openFindings ?? 0) > 0;
      },
      { timeout: 90_000, intervals: [1000, 2000] },
    )
    .toBe(true);
  return latest!;
}

/** Opens the dashboard and reads the API until both describe the same pass: an hourly or queued pass may land in between. */
export async function dashboardAsApiSees(page: Page): Promise<Risk> {
  let r: Risk | null = null;
  await expect(async () => {
    await page.goto("/");
    r = await risk(page);
    await expect(page.getByTestId("as-of").locator("time")).toHaveAttribute("datetime", new Date(r.asOf!).toISOString());
  }).toPass({ timeout: 30_000 });
  return r!;
}
