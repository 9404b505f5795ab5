import { lt } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { chatInteractionReceipts } from "@/db/schema";
import { findHumanByEmail, resolveCaller, type Caller } from "@/lib/caller";
import { AppError, ValidationError } from "@/lib/errors";
import { decideRequest } from "@/lib/jit/decide";
import { chatConfig } from "@/lib/notifications/config";
import { SLACK_ACTIONS, openSlackView, respondToSlack, slackEscape, slackUserEmail } from "@/lib/notifications/slack";
import { verifySlackSignature } from "./signature";

export const MAX_INTERACTION_BYTES = 64 * 1024;
const DENY_VIEW = "jit_deny";
const REASON_BLOCK = "reason";

export type SlackAnswer = { status: number; body?: unknown };

const refusal = (status: number, message: string): SlackAnswer => ({
  status,
  body: { error: { code: status === 401 ? "unauthenticated" : "invalid", message } },
});

const actionPayload = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().max(64) }),
  trigger_id: z.string().max(256).optional(),
  response_url: z.string().url().max(2048).optional(),
  actions: z
    .array(z.object({ action_id: z.string().max(256), value: z.string().max(256).optional() }))
    .min(1)
    .max(5),
});
const submissionPayload = z.object({
  type: z.literal("view_submission"),
  user: z.object({ id: z.string().max(64) }),
  view: z.object({
    callback_id: z.string().max(256),
    private_metadata: z.string().max(3000),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().max(3000).nullable().optional() }))) }),
  }),
});
const payloadSchema = z.discriminatedUnion("type", [actionPayload, submissionPayload]);
const denyMetadata = z.object({ requestId: z.uuid(), responseUrl: z.string().url().max(2048).optional() });

/** Only Slack's own hosts (or the API a test or a proxy points at) get our replies: a payload cannot make us call elsewhere. */
function trustedResponseUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const parsed = new URL(url);
  const config = chatConfig();
  const apiOrigin = config?.mode === "bot" ? new URL(config.apiUrl).origin : null;
  return parsed.origin === "https://hooks.slack.com" || parsed.origin === apiOrigin ? url : undefined;
}

/** The person behind a Slack user: Slack's email for them, matched to an active person; as a caller acting via Slack. */
async function callerOf(db: Db, slackUserId: string): Promise<Caller | string> {
  const email = await slackUserEmail(slackUserId).catch(() => null);
  if (!email) return "Slack did not give your email, so the app cannot tell who you are. Decide in the app instead.";
  const person = await findHumanByEmail(db, email);
  const caller = person && (await resolveCaller(db, person.id));
  if (!caller) return `No active person in the app has the email ${email}.`;
  return { ...caller, via: "Slack" };
}

const whyNot = (e: unknown) => (e instanceof AppError ? e.message : "Something went wrong on our side. It has been logged.");

/**
 * One signed interaction from Slack: a click on Approve or Deny in a request's
 * message, or the reason typed into the deny form. The signature (and its
 * timestamp) is checked over the raw body, a replayed signature is refused,
 * and the decision goes through decideRequest, exactly as in the app: the
 * same approver rules, separation of duties, thresholds and audit.
 */
export async function handleSlackInteraction(db: Db, rawBody: string, headers: Headers, now = new Date()): Promise<SlackAnswer> {
  const secret = process.env.SLACK_SIGNING_SECRET;
  if (!secret) return refusal(404, "Chat interactions are not configured (SLACK_SIGNING_SECRET).");
  if (Buffer.byteLength(rawBody) > MAX_INTERACTION_BYTES) return refusal(413, "The interaction is too large.");
  const signature = headers.get("x-slack-signature");
  const verdict = verifySlackSignature(secret, rawBody, headers.get("x-slack-request-timestamp"), signature, now.getTime() / 1000);
  if (verdict === "missing") return refusal(401, "The request is not signed (X-Slack-Signature and X-Slack-Request-Timestamp).");
  if (verdict === "stale") return refusal(401, "The request's timestamp is more than five minutes from now: refused as a possible replay.");
  if (verdict === "forged") return refusal(401, "The request's signature does not match.");

  // A signature is good for five minutes; within them, the same one twice is a replay.
  await db.delete(chatInteractionReceipts).where(lt(chatInteractionReceipts.receivedAt, new Date(now.getTime() - 10 * 60_000)));
  const [fresh] = await db.insert(chatInteractionReceipts).values({ signature: signature! }).onConflictDoNothing().returning();
  if (!fresh) return refusal(401, "This request was already received: refused as a replay.");

  let payload: z.infer<typeof payloadSchema>;
  try {
    payload = payloadSchema.parse(JSON.parse(new URLSearchParams(rawBody).get("payload") ?? ""));
  } catch {
    return refusal(400, "The body must be Slack's form field payload holding a block_actions or view_submission interaction.");
  }

  if (payload.type === "block_actions") {
    const action = payload.actions[0];
    const responseUrl = trustedResponseUrl(payload.response_url);
    if (action.action_id === SLACK_ACTIONS.open) return { status: 200 };
    if (action.action_id !== SLACK_ACTIONS.approve && action.action_id !== SLACK_ACTIONS.deny) return refusal(400, `Unknown action ${action.action_id}.`);
    const requestId = z.uuid().safeParse(action.value);
    if (!requestId.success) return refusal(400, "The action does not name a request.");
    const caller = await callerOf(db, payload.user.id);
    const tell = async (text: string, replace: boolean) => {
      if (responseUrl)
        await respondToSlack(responseUrl, replace ? { replace_original: true, text } : { replace_original: false, response_type: "ephemeral", text });
    };
    if (typeof caller === "string") {
      await tell(caller, false);
      return { status: 200 };
    }
    if (action.action_id === SLACK_ACTIONS.deny) {
      // A denial needs its reason, as in the app: Slack asks for it in a form, which comes back as a view_submission.
      if (!payload.trigger_id) return refusal(400, "A deny click must carry its trigger_id.");
      await openSlackView(payload.trigger_id, {
        type: "modal",
        callback_id: DENY_VIEW,
        private_metadata: JSON.stringify({ requestId: requestId.data, responseUrl }),
        title: { type: "plain_text", text: "Deny the request" },
        submit: { type: "plain_text", text: "Deny" },
        close: { type: "plain_text", text: "Back" },
        blocks: [
          {
            type: "input",
            block_id: REASON_BLOCK,
            label: { type: "plain_text", text: "Why is it denied?" },
            element: { type: "plain_text_input", action_id: REASON_BLOCK, multiline: true, max_length: 2000 },
          },
        ],
      }).catch((e) => console.error("[gov] slack views.open:", (e as Error).message));
      return { status: 200 };
    }
    try {
      await decideRequest(db, caller, requestId.data, "approve", {});
      await tell(`✅ Approved by ${slackEscape(caller.name)} in Slack.`, true);
    } catch (e) {
      if (!(e instanceof AppError)) console.error("[gov] slack approve:", e);
      await tell(`Not approved: ${slackEscape(whyNot(e))}`, false);
    }
    return { status: 200 };
  }

  if (payload.view.callback_id !== DENY_VIEW) return refusal(400, `Unknown form ${payload.view.callback_id}.`);
  let meta: z.infer<typeof denyMetadata>;
  try {
    meta = denyMetadata.parse(JSON.parse(payload.view.private_metadata));
  } catch {
    return refusal(400, "The form does not name a request.");
  }
  const caller = await callerOf(db, payload.user.id);
  if (typeof caller === "string") return { status: 200, body: { response_action: "errors", errors: { [REASON_BLOCK]: caller } } };
  const comment = payload.view.state.values[REASON_BLOCK]?.[REASON_BLOCK]?.value ?? "";
  try {
    await decideRequest(db, caller, meta.requestId, "deny", { comment });
  } catch (e) {
    if (!(e instanceof AppError)) console.error("[gov] slack deny:", e);
    const message = e instanceof ValidationError ? (Object.values(e.fieldErrors ?? {})[0]?.[0] ?? e.message) : whyNot(e);
    return { status: 200, body: { response_action: "errors", errors: { [REASON_BLOCK]: message } } };
  }
  const responseUrl = trustedResponseUrl(meta.responseUrl);
  if (responseUrl)
    await respondToSlack(responseUrl, { replace_original: true, text: `⛔ Denied by ${slackEscape(caller.name)} in Slack: ${slackEscape(comment.trim())}` });
  return { status: 200, body: { response_action: "clear" } };
}
