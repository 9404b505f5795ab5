import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { signInAs } from "../support/auth";

// Each of these, followed naively, sends the browser to evil.example.
const HOSTILE_CALLBACKS = ["/%5Cevil.example", "/%09/evil.example", "//evil.example", "https://evil.example/", "/%5C/evil.example/path"];

// Were a redirect to leave, the browser would land on this page rather than fail to resolve the name.
// (Matched by host: the app's own URLs carry "evil.example" in their query.)
async function trapOffsiteNavigation(context: BrowserContext) {
  await context.route(
    (url) => url.hostname.endsWith("evil.example"),
    (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<h1>evil</h1>" }),
  );
}

function expectOnApp(page: Page, baseURL: string | undefined) {
  expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
}

test("a signed-in visitor sent to the sign-in page with a hostile callbackUrl stays on the app", async ({ page, context, baseURL }) => {
  await trapOffsiteNavigation(context);
  await signInAs(page, "requester");
  for (const callbackUrl of HOSTILE_CALLBACKS) {
    await page.goto(`/signin?callbackUrl=${callbackUrl}`);
    expectOnApp(page, baseURL);
    await expect(page.getByTestId("signed-in-as")).toHaveText("Lena Novak");
  }
  // Line breaks in the destination neither fail the page nor leave the app.
  const crlf = await page.goto("/signin?callbackUrl=/%0D%0ALocation:%20https://evil.example/");
  expect(crlf?.status()).toBeLessThan(500);
  expectOnApp(page, baseURL);
});

test("picking a persona with a hostile callbackUrl lands on the app", async ({ page, context, baseURL }) => {
  await trapOffsiteNavigation(context);
  for (const callbackUrl of HOSTILE_CALLBACKS.slice(0, 2)) {
    await context.clearCookies();
    await page.goto(`/signin?callbackUrl=${callbackUrl}`);
    await page.locator('[data-persona="auditor"]').click();
    await expect(page.getByTestId("signed-in-as")).toHaveText("Grace Liu");
    expectOnApp(page, baseURL);
  }
  // A same-site destination is still honoured.
  await context.clearCookies();
  await page.goto(`/signin?callbackUrl=${encodeURIComponent("/audit")}`);
  await page.locator('[data-persona="auditor"]').click();
  await expect(page).toHaveURL(/\/audit$/);
});

test("a session cookie kept from before sign-out is refused afterwards", async ({ page, browser }) => {
  await page.goto("/signin");
  await page.locator('[data-persona="owner"]').click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("Marcus Chen");
  const kept = (await page.context().cookies()).filter((c) => c.name.endsWith("authjs.session-token"));
  expect(kept).toHaveLength(1);
  expect((await page.request.get("/api/v1/me")).status()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);

  // Someone replays the copied cookie in another browser.
  const replay = await browser.newContext();
  try {
    await replay.addCookies(kept);
    const me = await replay.request.get("/api/v1/me");
    expect(me.status()).toBe(401);
    const other = await replay.newPage();
    await other.goto("/");
    await expect(other).toHaveURL(/\/signin/);
  } finally {
    await replay.close();
  }
});

test("API answers are not cached, and a malformed Origin on a cookie write is 403, not 500", async ({ page }) => {
  await signInAs(page, "requester");
  const me = await page.request.get("/api/v1/me");
  expect(me.headers()["cache-control"]).toBe("no-store");
  expect(me.headers()["strict-transport-security"]).toBeUndefined(); // plain http here
  // The server stamps each request with its socket's protocol and address over anything the client claims.
  const claimed = await page.request.get("/api/v1/me", {
    headers: { "x-gov-peer-proto": "https", "x-gov-peer-address": "192.0.2.1", "x-forwarded-proto": "https" },
  });
  expect(claimed.headers()["strict-transport-security"]).toBeUndefined();
  for (const origin of ["null", "not a url"]) {
    const write = await page.request.post("/api/v1/notifications/read", { headers: { origin }, data: { all: true } });
    expect(write.status()).toBe(403);
  }
});
