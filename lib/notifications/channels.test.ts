import { eq, inArray } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { notificationDeliveries, notificationPreferences, notifications } from "@/db/schema";
import { makeCaller, testDb } from "@/lib/testing/harness";
import { freePort } from "@/lib/testing/net";
import { startSmtp } from "@/lib/testing/smtp";
import { deliveryHealth } from "./deliveries";
import { notify } from "./notify";
import { getMyNotificationPreferences, setMyNotificationPreferences, setNotificationDefaults } from "./preferences";
import { backoffMs, sendDigests, sendDue } from "./send";
import { startFakeSlack } from "@/lib/testing/slack";

type Smtp = Awaited<ReturnType<typeof startSmtp>>;
let smtp: Smtp;
let smtpPort: number;
const saved = { ...process.env };

beforeAll(async () => {
  smtpPort = await freePort();
  smtp = await startSmtp(smtpPort);
  Object.assign(process.env, { SMTP_URL: smtp.url, MAIL_FROM: "Access governance <gov@test.example>", AUTH_URL: "https://gov.test.example" });
});
afterAll(async () => {
  await smtp.stop();
  for (const k of ["SMTP_URL", "MAIL_FROM", "AUTH_URL", "SLACK_BOT_TOKEN", "SLACK_API_URL", "SLACK_WEBHOOK_URL"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});
afterEach(() => smtp.received.splice(0));

async function deliveriesOf(notificationIds: string[]) {
  return (await testDb()).select().from(notificationDeliveries).where(inArray(notificationDeliveries.notificationId, notificationIds));
}
async function noticesOf(recipientId: string) {
  return (await testDb()).select().from(notifications).where(eq(notifications.recipientId, recipientId));
}
const later = (ms: number) => new Date(Date.now() + ms);

describe("notices leave the app", () => {
  it("mails an approval request with a plain-text and an HTML body and a deep link, once", async () => {
    const db = await testDb();
    const approver = await makeCaller(db, ["approver"]);
    await db.transaction((tx) =>
      notify(tx, [approver.identityId], {
        kind: "jit.pending",
        title: "Approval needed: <b>ann</b> requests prod",
        body: "60 minutes.\r\nBcc: x@evil",
        link: "/access-requests/abc",
      }),
    );
    const [notice] = await noticesOf(approver.identityId);
    expect(await deliveriesOf([notice.id])).toMatchObject([{ channel: "email", status: "pending", attempts: 0 }]);

    expect(await sendDue(db, "email")).toEqual({ sent: 1, failed: 0, dead: 0 });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.to).toEqual([approver.email]);
    expect(mail.from).toBe("gov@test.example");
    expect(mail.parsed.subject).toBe("Approval needed: <b>ann</b> requests prod");
    expect(mail.parsed.text).toContain("Open: https://gov.test.example/access-requests/abc");
    expect(mail.parsed.html).toContain('href="https://gov.test.example/access-requests/abc"');
    // Markup in a title is text in the HTML body, never markup.
    expect(mail.parsed.html).toContain("&lt;b&gt;ann&lt;/b&gt;");
    expect(mail.parsed.headers.has("bcc")).toBe(false);
    expect(await deliveriesOf([notice.id])).toMatchObject([{ status: "sent", attempts: 1, lastError: null }]);
    // Sent is sent: another pass sends nothing again.
    expect(await sendDue(db, "email")).toEqual({ sent: 0, failed: 0, dead: 0 });
  });

  it("loses nothing in a mail outage: the change commits, the mail waits, backs off and goes when the server is back", async () => {
    const db = await testDb();
    const a = await makeCaller(db, ["approver"]);
    const b = await makeCaller(db, ["approver"]);
    await smtp.stop();
    await db.transaction((tx) => notify(tx, [a.identityId, b.identityId], { kind: "jit.pending", title: "Approval needed during the outage" }));
    const ids = [...(await noticesOf(a.identityId)), ...(await noticesOf(b.identityId))].map((n) => n.id);
    expect(ids).toHaveLength(2);

    // One unreachable server costs one attempt for the pass; both deliveries back off, untried or tried.
    const first = await sendDue(db, "email");
    expect(first).toEqual({ sent: 0, failed: 2, dead: 0 });
    const waiting = await deliveriesOf(ids);
    expect(waiting.every((d) => d.status === "pending" && d.lastError && d.nextAttemptAt > new Date())).toBe(true);
    // Not yet due: a pass now sends nothing and changes nothing.
    expect(await sendDue(db, "email")).toEqual({ sent: 0, failed: 0, dead: 0 });

    smtp = await startSmtp(smtpPort);
    expect(await sendDue(db, "email", later(backoffMs(1) + 1000))).toEqual({ sent: 2, failed: 0, dead: 0 });
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual([a.email, b.email].sort());
    expect((await deliveriesOf(ids)).every((d) => d.status === "sent")).toBe(true);
  });

  it("gives up at once on an address the server refuses, keeping the reason", async () => {
    const db = await testDb();
    const person = await makeCaller(db, ["approver"]);
    await db
      .update((await import("@/db/schema")).identities)
      .set({ email: `refused@test.example` })
      .where(eq((await import("@/db/schema")).identities.id, person.identityId));
    await db.transaction((tx) => notify(tx, [person.identityId], { kind: "jit.pending", title: "To a dead mailbox" }));
    const [notice] = await noticesOf(person.identityId);
    expect(await sendDue(db, "email")).toEqual({ sent: 0, failed: 0, dead: 1 });
    expect((await deliveriesOf([notice.id]))[0]).toMatchObject({ status: "dead", lastError: expect.stringContaining("550") });
    // Admins see it among the troubled deliveries, with its error; an auditor may read them too, nobody else.
    const admin = await makeCaller(db, ["admin"]);
    expect((await deliveryHealth(db, admin)).troubled.find((t) => t.title === "To a dead mailbox")).toMatchObject({ status: "dead", channel: "email" });
    await expect(deliveryHealth(db, person)).rejects.toMatchObject({ status: 403 });
  });

  it("follows each person's choice per event, the admins' default otherwise, and gathers digests into one mail", async () => {
    const db = await testDb();
    const admin = await makeCaller(db, ["admin"]);
    const quiet = await makeCaller(db, ["approver"]);
    const digest = await makeCaller(db, ["approver"]);
    const other = await makeCaller(db, ["reviewer"]);
    await setMyNotificationPreferences(db, quiet, { approval_needed: [] });
    await setMyNotificationPreferences(db, digest, { approval_needed: ["digest"], request_decided: ["digest"] });
    await setNotificationDefaults(db, admin, { review_reminder: [] });
    try {
      await db.transaction(async (tx) => {
        await notify(tx, [quiet.identityId, digest.identityId], { kind: "jit.pending", title: "First request" });
        await notify(tx, [digest.identityId], { kind: "jit.denied", title: "Your request was denied", link: "/access-requests/1" });
        await notify(tx, [other.identityId], { kind: "review.reminder", title: "Reviews due" });
      });
      const all = await deliveriesOf(
        [...(await noticesOf(quiet.identityId)), ...(await noticesOf(digest.identityId)), ...(await noticesOf(other.identityId))].map((n) => n.id),
      );
      // The in-app inbox always has all three notices; only the digest person's two leave the app, and later.
      expect(all.map((d) => d.channel)).toEqual(["digest", "digest"]);
      expect(await sendDue(db, "email")).toEqual({ sent: 0, failed: 0, dead: 0 });

      expect(await sendDigests(db)).toMatchObject({ sent: 2, people: 1 });
      expect(smtp.received).toHaveLength(1);
      const [mail] = smtp.received;
      expect(mail.to).toEqual([digest.email]);
      expect(mail.parsed.subject).toBe("2 notices from the last day");
      expect(mail.parsed.text).toContain("First request");
      expect(mail.parsed.text).toContain("https://gov.test.example/access-requests/1");
      expect(await sendDigests(db)).toMatchObject({ sent: 0, people: 0 });
    } finally {
      await setNotificationDefaults(db, admin, { review_reminder: null });
    }
  });

  it("validates preferences, keeps them personal and audited, and lets only admins set the defaults", async () => {
    const db = await testDb();
    const person = await makeCaller(db, ["auditor"]);
    const approver = await makeCaller(db, ["approver"]);
    const mine = await getMyNotificationPreferences(db, person);
    expect(mine.available).toMatchObject({ email: true, chat: false, address: person.email });
    expect(mine.events.find((e) => e.event === "approval_needed")).toMatchObject({ channels: ["email", "chat"], source: "default" });

    for (const bad of [
      {},
      { approval_needed: ["email", "digest"] },
      { approval_needed: ["email", "email"] },
      { approval_needed: ["sms"] },
      { approval_needed: "email" },
      { no_such_event: ["email"] },
      { approval_needed: ["email\u0000"] },
    ]) {
      await expect(setMyNotificationPreferences(db, person, bad)).rejects.toMatchObject({ status: 422 });
    }
    expect(await db.select().from(notificationPreferences).where(eq(notificationPreferences.identityId, person.identityId))).toEqual([]);

    // Choosing where one's own notices go is not a governance decision: a read-only auditor may.
    const set = await setMyNotificationPreferences(db, person, { attestation_due: ["digest"] });
    expect(set.events.find((e) => e.event === "attestation_due")).toMatchObject({ channels: ["digest"], source: "yours" });
    const back = await setMyNotificationPreferences(db, person, { attestation_due: null });
    expect(back.events.find((e) => e.event === "attestation_due")).toMatchObject({ channels: ["email"], source: "default" });
    await expect(setNotificationDefaults(db, approver, { approval_needed: [] })).rejects.toMatchObject({ status: 403 });
    await expect(setNotificationDefaults(db, person, { approval_needed: [] })).rejects.toMatchObject({ status: 403 });
    const token = { ...approver, token: { id: "t", name: "ci", scopes: new Set<never>() } };
    await expect(setMyNotificationPreferences(db, token, { approval_needed: [] })).rejects.toMatchObject({ status: 403 });
    const { auditLog } = await import("@/db/schema");
    const audit = await db.select().from(auditLog).where(eq(auditLog.entityId, person.identityId));
    expect(audit.filter((r) => r.action === "notification.preferences_set")).toHaveLength(2);
  });

  it("posts to chat: a direct message with Approve and Deny for approvals, or the webhook's channel naming the person", async () => {
    const db = await testDb();
    const approver = await makeCaller(db, ["approver"]);
    const slack = await startFakeSlack(await freePort(), { U1: approver.email! });
    Object.assign(process.env, { SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.apiUrl });
    try {
      await setMyNotificationPreferences(db, approver, { approval_needed: ["chat"] });
      const subjectId = "00000000-0000-4000-8000-000000000001";
      await db.transaction((tx) =>
        notify(tx, [approver.identityId], { kind: "jit.pending", title: "Approval needed: <!channel> & co", link: "/access-requests/x", subjectId }),
      );
      expect(await sendDue(db, "chat")).toEqual({ sent: 1, failed: 0, dead: 0 });
      const post = slack.calls.find((c) => c.path === "/api/chat.postMessage")!;
      expect(post.body.channel).toBe("U1");
      // A hostile title cannot ping a channel: Slack's markup is escaped.
      expect(post.body.text).toBe("Approval needed: &lt;!channel&gt; &amp; co");
      const actions = (post.body.blocks as { type: string; elements?: { action_id: string; value?: string; url?: string }[] }[]).find(
        (b) => b.type === "actions",
      )!;
      expect(actions.elements!.map((e) => e.action_id)).toEqual(["jit_approve", "jit_deny", "open"]);
      expect(actions.elements![0].value).toBe(subjectId);
      expect(actions.elements![2].url).toBe("https://gov.test.example/access-requests/x");

      // Slack down: the delivery waits; back up: it goes.
      slack.setDown(true);
      await db.transaction((tx) => notify(tx, [approver.identityId], { kind: "jit.pending", title: "While Slack is down" }));
      expect(await sendDue(db, "chat")).toEqual({ sent: 0, failed: 1, dead: 0 });
      slack.setDown(false);
      expect(await sendDue(db, "chat", later(backoffMs(1) + 1000))).toEqual({ sent: 1, failed: 0, dead: 0 });

      // Someone Slack does not know: given up at once, with the reason.
      const stranger = await makeCaller(db, ["approver"]);
      await setMyNotificationPreferences(db, stranger, { approval_needed: ["chat"] });
      await db.transaction((tx) => notify(tx, [stranger.identityId], { kind: "jit.pending", title: "To nobody in Slack" }));
      expect(await sendDue(db, "chat")).toEqual({ sent: 0, failed: 0, dead: 1 });

      delete process.env.SLACK_BOT_TOKEN;
      process.env.SLACK_WEBHOOK_URL = slack.webhookUrl;
      await db.transaction((tx) => notify(tx, [approver.identityId], { kind: "jit.pending", title: "Via the webhook", subjectId }));
      expect(await sendDue(db, "chat")).toEqual({ sent: 1, failed: 0, dead: 0 });
      const hook = slack.calls.find((c) => c.path.startsWith("/webhook"))!;
      expect(hook.body.text).toBe(`For ${approver.name}: Via the webhook`);
      // A webhook cannot receive the click, so it offers only the link.
      expect(JSON.stringify(hook.body.blocks)).not.toContain("jit_approve");
    } finally {
      delete process.env.SLACK_BOT_TOKEN;
      delete process.env.SLACK_WEBHOOK_URL;
      delete process.env.SLACK_API_URL;
      await slack.stop();
    }
  });
});
