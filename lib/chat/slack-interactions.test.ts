import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, jitApprovals } from "@/db/schema";
import { createRequest } from "@/lib/jit/request";
import { asking, jitOrg, requestRow } from "@/lib/jit/test-fixtures";
import { testDb } from "@/lib/testing/harness";
import { freePort } from "@/lib/testing/net";
import { signedSlackRequest, startFakeSlack } from "@/lib/testing/slack";
import { handleSlackInteraction } from "./slack-interactions";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
let slack: Awaited<ReturnType<typeof startFakeSlack>>;
const users: Record<string, string> = {};

beforeAll(async () => {
  slack = await startFakeSlack(await freePort(), users);
  Object.assign(process.env, { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.apiUrl });
});
afterAll(async () => {
  for (const k of ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_API_URL"]) delete process.env[k];
  await slack.stop();
});

const click = (user: string, action: "jit_approve" | "jit_deny", requestId: string, responseUrl = slack.responseUrl) => ({
  type: "block_actions",
  user: { id: user },
  trigger_id: "trigger-1",
  response_url: responseUrl,
  actions: [{ action_id: action, value: requestId }],
});
const denyForm = (user: string, requestId: string, reason: string) => ({
  type: "view_submission",
  user: { id: user },
  view: {
    callback_id: "jit_deny",
    private_metadata: JSON.stringify({ requestId, responseUrl: slack.responseUrl }),
    state: { values: { reason: { reason: { value: reason } } } },
  },
});
const send = async (payload: unknown, timestamp?: number) => {
  const { body, headers } = signedSlackRequest(SECRET, payload, timestamp);
  return handleSlackInteraction(await testDb(), body, headers);
};
const responses = () => slack.calls.filter((c) => c.path.startsWith("/response")).map((c) => c.body);

async function pendingRequest() {
  const db = await testDb();
  const org = await jitOrg(db);
  org.approvers.forEach((a, i) => (users[`U${a.identityId.slice(0, 6)}${i}`] = a.email!));
  users[`R${org.requester.identityId.slice(0, 6)}`] = org.requester.email!;
  // Asked with no chat configured: on a shared PostgreSQL the approvers' chat deliveries would land in another test file's sender.
  const token = process.env.SLACK_BOT_TOKEN;
  delete process.env.SLACK_BOT_TOKEN;
  const request = await createRequest(db, org.requester, asking(org.entitlement.id)).finally(() => (process.env.SLACK_BOT_TOKEN = token));
  const slackId = (email: string) => Object.entries(users).find(([, e]) => e === email)![0];
  return { ...org, request, approverSlack: slackId(org.approvers[0].email!), requesterSlack: slackId(org.requester.email!) };
}

describe("Slack interactions", () => {
  it("approves through the same decision as the app, audited as done via Slack, and updates the message", async () => {
    const db = await testDb();
    const { request, approverSlack, approvers } = await pendingRequest();
    slack.calls.splice(0);
    expect(await send(click(approverSlack, "jit_approve", request.id))).toEqual({ status: 200 });
    expect((await requestRow(db, request.id)).status).toMatch(/approved|active/);
    const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, request.id));
    expect(audit.find((r) => r.action === "jit.approval_recorded")!.actorLabel).toBe(`${approvers[0].email} (via Slack)`);
    expect(responses()).toEqual([{ replace_original: true, text: `✅ Approved by ${approvers[0].name} in Slack.` }]);
  });

  it("refuses forged, stale, replayed and unsigned requests, changing nothing", async () => {
    const db = await testDb();
    const { request, approverSlack } = await pendingRequest();
    const good = signedSlackRequest(SECRET, click(approverSlack, "jit_approve", request.id));

    const forged = signedSlackRequest("not-the-secret", click(approverSlack, "jit_approve", request.id));
    expect(await handleSlackInteraction(db, forged.body, forged.headers)).toMatchObject({ status: 401 });
    // The body changed after signing (another request id slipped in): forged.
    const tampered = good.body.replace(request.id.slice(0, 8), "00000000");
    expect(await handleSlackInteraction(db, tampered, good.headers)).toMatchObject({ status: 401 });
    const stale = signedSlackRequest(SECRET, click(approverSlack, "jit_approve", request.id), Math.floor(Date.now() / 1000) - 301);
    expect(await handleSlackInteraction(db, stale.body, stale.headers)).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringContaining("five minutes") } },
    });
    const future = signedSlackRequest(SECRET, click(approverSlack, "jit_approve", request.id), Math.floor(Date.now() / 1000) + 301);
    expect(await handleSlackInteraction(db, future.body, future.headers)).toMatchObject({ status: 401 });
    expect(await handleSlackInteraction(db, good.body, new Headers())).toMatchObject({ status: 401 });
    expect(await db.select().from(jitApprovals).where(eq(jitApprovals.requestId, request.id))).toEqual([]);

    expect(await handleSlackInteraction(db, good.body, good.headers)).toEqual({ status: 200 });
    expect(await handleSlackInteraction(db, good.body, good.headers)).toMatchObject({
      status: 401,
      body: { error: { message: expect.stringContaining("replay") } },
    });
    expect(await db.select().from(jitApprovals).where(eq(jitApprovals.requestId, request.id))).toHaveLength(1);
  });

  it("holds the app's rules: no self-approval, strangers refused, garbage answered 4xx", async () => {
    const db = await testDb();
    const { request, requesterSlack } = await pendingRequest();
    slack.calls.splice(0);
    // The requester is not among the approvers; whoever clicks, the domain rule answers.
    expect(await send(click(requesterSlack, "jit_approve", request.id))).toEqual({ status: 200 });
    expect(responses()).toEqual([{ replace_original: false, response_type: "ephemeral", text: expect.stringMatching(/^Not approved: /) }]);
    expect((await requestRow(db, request.id)).status).toBe("pending");

    slack.calls.splice(0);
    expect(await send(click("UNKNOWN", "jit_approve", request.id))).toEqual({ status: 200 });
    expect(responses()[0].text).toMatch(/cannot tell who you are/);

    // A response_url elsewhere than Slack is never called.
    slack.calls.splice(0);
    await send(click(requesterSlack, "jit_approve", request.id, "http://169.254.169.254/latest"));
    expect(slack.calls.filter((c) => c.path.startsWith("/response"))).toEqual([]);

    for (const garbage of [
      {},
      { type: "block_actions" },
      { type: "message_action", user: { id: "U" } },
      click(requesterSlack, "jit_approve", "not-a-uuid\u0000"),
    ]) {
      expect((await send(garbage)).status).toBe(400);
    }
    const notForm = signedSlackRequest(SECRET, "x");
    const raw = "payload=%7Bbroken";
    const { headers } = signedSlackRequest(SECRET, {});
    headers.set("x-slack-signature", (await import("./signature")).slackSignature(SECRET, headers.get("x-slack-request-timestamp")!, raw));
    expect((await handleSlackInteraction(db, raw, headers)).status).toBe(400);
    expect((await handleSlackInteraction(db, notForm.body, notForm.headers)).status).toBe(400);
    expect((await requestRow(db, request.id)).status).toBe("pending");
  });

  it("denies with a reason asked for in a Slack form, refusing an empty one as the app does", async () => {
    const db = await testDb();
    const { request, approverSlack, approvers } = await pendingRequest();
    slack.calls.splice(0);
    expect(await send(click(approverSlack, "jit_deny", request.id))).toEqual({ status: 200 });
    const view = slack.calls.find((c) => c.path === "/api/views.open")!.body;
    expect(view).toMatchObject({ trigger_id: "trigger-1", view: { callback_id: "jit_deny", type: "modal" } });
    expect((await requestRow(db, request.id)).status).toBe("pending");

    expect(await send(denyForm(approverSlack, request.id, " "))).toEqual({
      status: 200,
      body: { response_action: "errors", errors: { reason: "Say why the request is denied." } },
    });
    expect((await requestRow(db, request.id)).status).toBe("pending");
    expect(await send(denyForm(approverSlack, request.id, "No change ticket for this"))).toEqual({ status: 200, body: { response_action: "clear" } });
    expect((await requestRow(db, request.id)).status).toBe("denied");
    expect(responses().at(-1)).toEqual({ replace_original: true, text: `⛔ Denied by ${approvers[0].name} in Slack: No change ticket for this` });
  });

  it("answers 404 when chat interactions are not configured", async () => {
    const db = await testDb();
    delete process.env.SLACK_SIGNING_SECRET;
    try {
      expect(await handleSlackInteraction(db, "payload={}", new Headers())).toMatchObject({ status: 404 });
    } finally {
      process.env.SLACK_SIGNING_SECRET = SECRET;
    }
  });
});
