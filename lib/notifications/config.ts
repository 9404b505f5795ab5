/**
 * Which channels beyond the app are configured, read from the environment on
 * every use so a test (or an operator restarting with new settings) changes
 * them without a rebuild. Secrets stay here: nothing else reads these names.
 */
export type EmailConfig = { url: string; from: string | null };
export type ChatConfig = { mode: "bot"; token: string; apiUrl: string } | { mode: "webhook"; webhookUrl: string };

export function emailConfig(env = process.env): EmailConfig | null {
  return env.SMTP_URL ? { url: env.SMTP_URL, from: env.MAIL_FROM?.trim() || null } : null;
}

/** A bot token posts to each person directly and makes Approve / Deny buttons possible; an incoming webhook posts to one channel. */
export function chatConfig(env = process.env): ChatConfig | null {
  if (env.SLACK_BOT_TOKEN) return { mode: "bot", token: env.SLACK_BOT_TOKEN, apiUrl: (env.SLACK_API_URL ?? "https://slack.com/api").replace(/\/+$/, "") };
  if (env.SLACK_WEBHOOK_URL) return { mode: "webhook", webhookUrl: env.SLACK_WEBHOOK_URL };
  return null;
}

/** Where deep links in messages lead: the app's public address (AUTH_URL), as sign-in uses it. */
export const linkOrigin = (env = process.env) => (env.AUTH_URL ? new URL(env.AUTH_URL).origin : `http://localhost:${env.PORT ?? 3000}`);

export const deepLink = (link: string | null | undefined, env = process.env) => `${linkOrigin(env)}${link?.startsWith("/") ? link : "/notifications"}`;
