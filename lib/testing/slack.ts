import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { slackSignature } from "@/lib/chat/signature";

export type SlackCall = { path: string; body: Record<string, unknown>; authorization: string | undefined };

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = "";
    req.on("data", (c) => (data += c)).on("end", () => resolve(data));
  });

/**
 * Slack's Web API as far as the product uses it (users.lookupByEmail,
 * users.info, chat.postMessage, views.open), an incoming webhook and
 * response_url endpoints, on a loopback port; it records every call.
 * `users` maps Slack user ids to emails.
 */
export async function startFakeSlack(port: number, users: Record<string, string>, token = "xoxb-test") {
  const calls: SlackCall[] = [];
  let down = false;
  const server = createServer((req, res) => void answer(req, res));
  async function answer(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const path = req.url ?? "/";
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    calls.push({ path, body, authorization: req.headers.authorization });
    const reply = (json: unknown, status = 200) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    if (down) return reply({ ok: false, error: "service_unavailable" }, 503);
    if (path.startsWith("/webhook") || path.startsWith("/response")) return res.writeHead(200).end("ok");
    if (req.headers.authorization !== `Bearer ${token}`) return reply({ ok: false, error: "invalid_auth" });
    if (path === "/api/users.lookupByEmail") {
      const id = Object.entries(users).find(([, e]) => e.toLowerCase() === String(body.email).toLowerCase())?.[0];
      return reply(id ? { ok: true, user: { id } } : { ok: false, error: "users_not_found" });
    }
    if (path === "/api/users.info") {
      const email = users[String(body.user)];
      return reply(email ? { ok: true, user: { id: body.user, profile: { email } } } : { ok: false, error: "user_not_found" });
    }
    if (path === "/api/chat.postMessage" || path === "/api/views.open") return reply({ ok: true });
    reply({ ok: false, error: "unknown_method" }, 404);
  }
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${port}`;
  return {
    calls,
    token,
    apiUrl: `${origin}/api`,
    webhookUrl: `${origin}/webhook/T000/B000`,
    responseUrl: `${origin}/response/1`,
    setDown: (value: boolean) => (down = value),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A request body and headers signed the way Slack signs them (secret, timestamp in seconds). */
export function signedSlackRequest(secret: string, payload: unknown, timestamp = Math.floor(Date.now() / 1000)) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const headers = new Headers({
    "content-type": "application/x-www-form-urlencoded",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": slackSignature(secret, String(timestamp), body),
  });
  return { body, headers };
}
