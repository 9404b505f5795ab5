import { expect, test } from "@playwright/test";
import { signInAs } from "../support/auth";

type Row = { id: string; name: string; displayName: string; ownerId: string | null; ownerName: string | null; kind: string };

test("an admin offboards a person: the leaver timeline shows what ended, and their NHIs are re-homed awaiting attestation", async ({ page }) => {
  await signInAs(page, "admin");
  const personas = new Set(["Priya Raman", "Marcus Chen", "Sofia Alvarez", "Tom Okafor", "Lena Novak", "Grace Liu"]);
  // Someone who owns NHIs and is not one of the demo personas other tests sign in as.
  const nhis: Row[] = (await (await page.request.get("/api/v1/identities?kind=service_account&status=active&pageSize=200")).json()).rows;
  const owned = nhis.filter((n) => n.ownerId && n.ownerName && !personas.has(n.ownerName));
  expect(owned.length).toBeGreaterThan(0);
  const leaverId = owned[0].ownerId!;
  const theirs = owned.filter((n) => n.ownerId === leaverId).map((n) => n.name);
  const before = (await (await page.request.get(`/api/v1/identities/${leaverId}/access`)).json()).grants.length;
  expect(before).toBeGreaterThan(0);

  await page.goto(`/identities/${leaverId}`);
  await page.getByRole("button", { name: "Offboard…" }).click();
  const dialog = page.getByRole("group", { name: /^Offboard / });
  await dialog.getByRole("button", { name: "Offboard now" }).click();
  await expect(dialog.getByRole("alert")).toContainText("Say why the person is offboarded.");
  await dialog.getByLabel("Why is the person offboarded").fill("Resigned; last day today (HR-2231)");
  await dialog.getByRole("button", { name: "Offboard now" }).click();

  const timeline = page.getByTestId("lifecycle-timeline");
  await expect(timeline).toContainText("leaver");
  await expect(timeline).toContainText("from admin");
  await expect(timeline).toContainText(`${before === 1 ? "1 grant" : `${before} grants`} ended`);
  await expect(page.getByTestId("rehomed-nhis")).toContainText(/\d+ NHIs? re-homed/);
  const first = nhis.find((n) => n.name === theirs[0])!;
  const moved = (await (await page.request.get(`/api/v1/identities/${first.id}`)).json()).identity;
  expect(moved.ownerId).not.toBe(leaverId);
  expect(moved.rehomedFromId).toBe(leaverId);
  expect((await (await page.request.get(`/api/v1/identities/${leaverId}/access`)).json()).grants).toEqual([]);

  // The NHIs moved to their backup owners or the leaver's manager, and wait on the orphan list until attested.
  const orphans = (await (await page.request.get("/api/v1/orphans?pageSize=200")).json()).rows as {
    id: string;
    name: string;
    rehomedFromName: string | null;
  }[];
  const rehomed = orphans.filter((o) => theirs.includes(o.name));
  expect(rehomed.length).toBeGreaterThan(0);
  const nhi = nhis.find((n) => n.name === rehomed[0].name)!;
  await page.goto(`/identities/${nhi.id}`);
  await expect(page.getByText(/re-homed .*, awaiting attestation/)).toBeVisible();
  await page.goto(`/attestations?orphanQ=${encodeURIComponent(rehomed[0].name)}`);
  await expect(page.getByRole("link", { name: rehomed[0].name }).first()).toBeVisible();
  await expect(page.getByText(/awaiting attestation/).first()).toBeVisible();
});
