import nodemailer, { type Transporter } from "nodemailer";
import { deepLink, emailConfig, linkOrigin } from "./config";

export type OutgoingNotice = { kind: string; title: string; body: string | null; link: string | null };
export type Mail = { to: string; subject: string; text: string; html: string };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
// A subject is one line: a title carrying a newline must not add a header.
const oneLine = (s: string) =>
  s
    .replace(/[\r\n\t]+/g, " ")
    .trim()
    .slice(0, 200);

const FOOTER = (origin: string) => `You receive this from the access governance app. Choose what reaches you by email: ${origin}/notifications/settings`;

/** One notice as a mail: the title as subject, the body, and a deep link to where it is acted on. */
export function renderNotice(to: string, notice: OutgoingNotice, env = process.env): Mail {
  const url = deepLink(notice.link, env);
  const footer = FOOTER(linkOrigin(env));
  return {
    to,
    subject: oneLine(notice.title),
    text: [notice.title, notice.body, `Open: ${url}`, `--\n${footer}`].filter(Boolean).join("\n\n"),
    html: `<div style="font-family:sans-serif;max-width:560px"><h2 style="font-size:18px">${escapeHtml(notice.title)}</h2>${
      notice.body ? `<p style="white-space:pre-wrap">${escapeHtml(notice.body)}</p>` : ""
    }<p><a href="${escapeHtml(url)}" style="display:inline-block;padding:8px 14px;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:6px">Open in the app</a></p><p style="color:#666;font-size:12px">${escapeHtml(footer)}</p></div>`,
  };
}

/** Several notices in one mail, newest last: the daily digest. */
export function renderDigest(to: string, notices: OutgoingNotice[], env = process.env): Mail {
  const origin = linkOrigin(env);
  const subject = `${notices.length} ${notices.length === 1 ? "notice" : "notices"} from the last day`;
  const text = [subject, ...notices.map((n) => `- ${n.title}${n.body ? `\n  ${n.body}` : ""}\n  ${deepLink(n.link, env)}`), `--\n${FOOTER(origin)}`].join(
    "\n\n",
  );
  const items = notices
    .map(
      (n) =>
        `<li style="margin-bottom:10px"><a href="${escapeHtml(deepLink(n.link, env))}">${escapeHtml(n.title)}</a>${n.body ? `<br><span style="color:#444">${escapeHtml(n.body)}</span>` : ""}</li>`,
    )
    .join("");
  return {
    to,
    subject,
    text,
    html: `<div style="font-family:sans-serif;max-width:560px"><h2 style="font-size:18px">${escapeHtml(subject)}</h2><ul>${items}</ul><p style="color:#666;font-size:12px">${escapeHtml(FOOTER(origin))}</p></div>`,
  };
}

let cached: { url: string; transport: Transporter } | null = null;

/** Sends through SMTP_URL as MAIL_FROM. Short timeouts: a dead mail server fails an attempt fast and the delivery backs off. */
export async function sendMail(mail: Mail): Promise<void> {
  const config = emailConfig();
  if (!config) throw new Error("SMTP_URL is not set.");
  if (!config.from) throw new Error("MAIL_FROM is not set: say which address mail comes from.");
  if (cached?.url !== config.url) {
    cached?.transport.close();
    cached = {
      url: config.url,
      transport: nodemailer.createTransport(config.url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }),
    };
  }
  await cached.transport.sendMail({ from: config.from, ...mail });
}

/** A failure no retry can cure (the server refused the address), as opposed to an outage. */
export function isPermanentMailError(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === "number" && code >= 500 && code < 600 && (error as { command?: string }).command === "RCPT TO";
}
