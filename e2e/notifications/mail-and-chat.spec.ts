import { expect, test } from "@playwright/test";
import { startSmtp, type CapturedMail } from "../../lib/testing/smtp";
import { signedSlackRequest, startFakeSlack } from "../../lib/testing/slack";
import { call } from "../support/api";
import { signInAs } from "../support/auth";
import { E2E_SLACK, E2E_SMTP_PORT } from "../support/env";
import { requestAccess } from "../support/jit";

const APPROVER = { slackId: "U0APPROVER", email: "tom.okafor@acme.example" };
let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
let slack: Awaited<ReturnType<typeof startFakeSlack>> | undefined;
test.beforeAll(async () => {
  smtp = await startSmtp(E2E_SMTP_PORT);
  slack = await startFakeSlack(E2E_SLACK.port, { [APPROVER.slackId]: APPROVER.email, U0REQUESTER: "lena.novak@acme.example" }, E2E_SLACK.token);
});
// Stopped in a hook, which runs even when the test runs out of time.
test.afterAll(async () => {
  await smtp?.stop();
  await slack?.stop();
});

/** The mail to `to` whose subject matches and that is about `about` (a request id): mails of earlier specs, retried once this server is up, arrive too. */
async function mailFor(to: string, subject: RegExp, about: string): Promise<CapturedMail> {
  let found: CapturedMail | undefined;
  const matches = (m: CapturedMail) => m.to.includes(to) && subject.test(m.parsed.subject ?? "") && (m.parsed.text ?? "").includes(about);
  await expect.poll(() => (found = smtp!.received.find(matches)), { timeout: 30_000 }).toBeTruthy();
  return found!;
}

test("an approver chooses where notices reach them, is mailed a request with a link, and approves it from Slack", async ({ page }) => {
  test.setTimeout(180_000);
  // Settings: every event listed with its default; a change is saved and kept.
  await signInAs(page, "approver");
  await page.goto("/notifications");
  await page.getByRole("link", { name: "Email, chat and digest settings" }).click();
  await expect(page.getByTestId("channel-status")).toContainText(`Email goes to ${APPROVER.email}.`);
  const reminders = page.getByLabel("Review reminders");
  await expect(reminders).toHaveValue("default");
  await reminders.selectOption({ label: "Daily digest email" });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved 1 choice.");
  await page.reload();
  await expect(page.getByLabel("Review reminders")).toHaveValue("digest");
  await expect(page.getByLabel("Approval needed")).toHaveValue("default");

  // The requester asks; the approver is mailed (text and HTML, with the deep link) and messaged in Slack.
  await signInAs(page, "requester");
  const id = await requestAccess(page, "PowerUserAccess", { minutes: 30, justification: "Rotate the ledger cache certificates" });
  const mail = await mailFor(APPROVER.email, /^Approval needed: Lena Novak requests .*PowerUserAccess/, id);
  expect(mail.parsed.text).toContain("Rotate the ledger cache certificates");
  const link = /Open: (\S+)/.exec(mail.parsed.text ?? "")![1];
  expect(new URL(link).pathname).toBe(`/access-requests/${id}`);
  expect(mail.parsed.html).toContain(`/access-requests/${id}`);

  let message: Record<string, unknown> | undefined;
  await expect
    .poll(() => (message = slack!.calls.find((c) => c.path === "/api/chat.postMessage" && JSON.stringify(c.body).includes(id))?.body), { timeout: 30_000 })
    .toBeTruthy();
  expect(message!.channel).toBe(APPROVER.slackId);
  expect(JSON.stringify(message!.blocks)).toContain('"action_id":"jit_approve"');

  // The mail's link opens the request for the approver.
  await signInAs(page, "approver");
  await page.goto(new URL(link).pathname);
  await expect(page.getByTestId("request-status")).toContainText("pending");

  // A forged click is refused; the approver's signed click approves, through the same rules as the app.
  const click = {
    type: "block_actions",
    user: { id: APPROVER.slackId },
    trigger_id: "t-1",
    response_url: `${E2E_SLACK.apiUrl.replace(/\/api$/, "")}/response/e2e`,
    actions: [{ action_id: "jit_approve", value: id }],
  };
  const forged = signedSlackRequest("not-the-signing-secret", click);
  const refused = await page.request.post("/api/chat/slack/interactions", { headers: Object.fromEntries(forged.headers), data: forged.body });
  expect(refused.status()).toBe(401);
  const signed = signedSlackRequest(E2E_SLACK.signingSecret, click);
  const answered = await page.request.post("/api/chat/slack/interactions", { headers: Object.fromEntries(signed.headers), data: signed.body });
  expect(answered.status()).toBe(200);
  const replay = await page.request.post("/api/chat/slack/interactions", { headers: Object.fromEntries(signed.headers), data: signed.body });
  expect(replay.status()).toBe(401);
  await expect(page.getByTestId("request-status")).toContainText("active", { timeout: 15_000 });
  expect(slack!.calls.find((c) => c.path === "/response/e2e")?.body).toEqual({ replace_original: true, text: "✅ Approved by Tom Okafor in Slack." });
  await page.reload();
  await expect(page.getByTestId("request-history")).toContainText("via Slack");

  // The requester hears of the decision by mail too; then gives the access back.
  await mailFor("lena.novak@acme.example", /approved|active/i, id);
  await signInAs(page, "requester");
  await call(page, "POST", `/api/v1/jit/requests/${id}/release`);

  // The admin sees what went out, and can change the defaults.
  await signInAs(page, "admin");
  await page.goto("/admin/notifications");
  await expect(page.getByTestId("delivery-counts")).toBeVisible();
  const emailRow = page
    .getByTestId("delivery-counts")
    .getByRole("row")
    .filter({ hasText: /^email/ });
  await expect(emailRow).not.toContainText(/^email0/);
  await expect(page.getByLabel("Credential tasks")).toHaveValue("digest");
});
