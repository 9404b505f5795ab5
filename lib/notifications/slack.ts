import { chatConfig, deepLink } from "./config";
import type { OutgoingNotice } from "./email";

/** The buttons' action ids: the interaction endpoint (lib/chat) acts on exactly these. */
export const SLACK_ACTIONS = { approve: "jit_approve", deny: "jit_deny", open: "open" } as const;

/** Slack's mrkdwn treats &, < and > as markup: a requester's name must not become a link or a mention. */
export const slackEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export class ChatError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

type Block = Record<string, unknown>;

/** The message for one notice: its text, a link into the app, and Approve / Deny where a bot can receive the click. */
export function slackMessage(notice: OutgoingNotice & { subjectId: string | null }, opts: { interactive: boolean; forName?: string }) {
  const url = deepLink(notice.link);
  const lead = opts.forName ? `For ${slackEscape(opts.forName)}: ` : "";
  const text = `${lead}${slackEscape(notice.title)}`;
  const elements: Block[] = [];
  if (opts.interactive && notice.kind === "jit.pending" && notice.subjectId) {
    elements.push(
      { type: "button", action_id: SLACK_ACTIONS.approve, style: "primary", value: notice.subjectId, text: { type: "plain_text", text: "Approve" } },
      { type: "button", action_id: SLACK_ACTIONS.deny, style: "danger", value: notice.subjectId, text: { type: "plain_text", text: "Deny" } },
    );
  }
  elements.push({ type: "button", action_id: SLACK_ACTIONS.open, url, text: { type: "plain_text", text: "Open in the app" } });
  const blocks: Block[] = [
    { type: "section", text: { type: "mrkdwn", text: `*${text}*${notice.body ? `\n${slackEscape(notice.body)}` : ""}` } },
    { type: "actions", elements },
  ];
  return { text, blocks };
}

async function slackApi(method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const config = chatConfig();
  if (config?.mode !== "bot") throw new ChatError("SLACK_BOT_TOKEN is not set.", true);
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}/${method}`, {
      method: "POST",
      headers: { authorization: `Bearer ${config.token}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new ChatError(`Slack did not answer ${method}: ${(e as Error).message}`);
  }
  if (response.status === 429 || response.status >= 500) throw new ChatError(`Slack answered ${method} with HTTP ${response.status}.`);
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (!json) throw new ChatError(`Slack answered ${method} with something that is not JSON (HTTP ${response.status}).`);
  if (json.ok !== true) {
    const error = typeof json.error === "string" ? json.error : "unknown_error";
    // Auth and lookup errors will not heal by retrying; rate limits and outages may.
    throw new ChatError(
      `Slack refused ${method}: ${error}.`,
      !["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"].includes(error),
    );
  }
  return json;
}

/** The Slack user with this email (the people in chat are mapped to identities by email). */
export async function slackUserIdByEmail(email: string): Promise<string> {
  try {
    const json = await slackApi("users.lookupByEmail", { email });
    return String((json.user as { id: string }).id);
  } catch (e) {
    if (e instanceof ChatError && e.message.includes("users_not_found")) throw new ChatError(`No Slack user has the email ${email}.`, true);
    throw e;
  }
}

/** The email of a Slack user (an interaction names the user by Slack id only). */
export async function slackUserEmail(userId: string): Promise<string | null> {
  const json = await slackApi("users.info", { user: userId });
  return ((json.user as { profile?: { email?: string } }).profile?.email ?? null) || null;
}

export const openSlackView = (triggerId: string, view: Record<string, unknown>) => slackApi("views.open", { trigger_id: triggerId, view });

/** Sends one notice to one person: a direct message from the bot, or a post to the incoming webhook's channel naming them. */
export async function sendChat(to: { email: string | null; name: string }, notice: OutgoingNotice & { subjectId: string | null }): Promise<void> {
  const config = chatConfig();
  if (!config) throw new ChatError("No chat is configured (SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL).", true);
  if (config.mode === "bot") {
    if (!to.email) throw new ChatError(`${to.name} has no email to find them in Slack by.`, true);
    const channel = await slackUserIdByEmail(to.email);
    await slackApi("chat.postMessage", { channel, ...slackMessage(notice, { interactive: true }) });
    return;
  }
  let response: Response;
  try {
    response = await fetch(config.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(slackMessage(notice, { interactive: false, forName: to.name })),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new ChatError(`The Slack webhook did not answer: ${(e as Error).message}`);
  }
  if (!response.ok)
    throw new ChatError(`The Slack webhook answered HTTP ${response.status}.`, response.status >= 400 && response.status < 500 && response.status !== 429);
}

/** Replaces or follows up the message a button was clicked in (Slack's response_url). Best effort: the decision is already made. */
export async function respondToSlack(responseUrl: string, message: Record<string, unknown>): Promise<void> {
  await fetch(responseUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(5_000),
  }).catch((e) => console.error("[gov] slack response_url:", (e as Error).message));
}
