import type { SourceFile, SourceSkip, SourceUse } from "@/lib/usage/source";
import { readLogFiles } from "@/lib/usage/files";

/**
 * One sshd line of an authentication log as syslog writes it: rsyslog's or
 * journald's ISO time (`2026-12-03T20:01:02.123456+00:00 host sshd[1234]: …`),
 * or the traditional one without a year (`Dec  3 20:01:02 host sshd[1234]: …`,
 * read in UTC, in the latest year that does not put it in the future).
 */
export type SshLogLine = { line: number; at: Date; host: string; pid: string; message: string };
type Unreadable = { unreadable: number };

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))\s+(\S+)\s+sshd(?:-session)?\[(\d+)\]:\s(.*)$/;
const TRADITIONAL = /^([A-Z][a-z]{2})\s+(\d{1,2})\s(\d{2}):(\d{2}):(\d{2})\s+(\S+)\s+sshd(?:-session)?\[(\d+)\]:\s(.*)$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The sshd lines of a log (other programs' lines are not records at all; an sshd-looking line that does not parse is counted). */
export function parseSshLog(text: string, now = new Date()): (SshLogLine | Unreadable)[] {
  const out: (SshLogLine | Unreadable)[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, "");
    if (!raw.includes("sshd")) continue;
    const iso = ISO.exec(raw);
    if (iso) {
      const at = new Date(iso[1]);
      if (!Number.isNaN(at.getTime())) out.push({ line: i + 1, at, host: iso[2], pid: iso[3], message: iso[4].slice(0, 2000) });
      else out.push({ unreadable: i + 1 });
      continue;
    }
    const t = TRADITIONAL.exec(raw);
    const month = t ? MONTHS.indexOf(t[1]) : -1;
    if (!t || month < 0) {
      if (/sshd(-session)?\[\d+\]:/.test(raw)) out.push({ unreadable: i + 1 });
      continue;
    }
    let at = new Date(Date.UTC(now.getUTCFullYear(), month, Number(t[2]), Number(t[3]), Number(t[4]), Number(t[5])));
    if (at.getTime() > now.getTime() + 86_400_000)
      at = new Date(Date.UTC(now.getUTCFullYear() - 1, month, Number(t[2]), Number(t[3]), Number(t[4]), Number(t[5])));
    out.push({ line: i + 1, at, host: t[6], pid: t[7], message: t[8].slice(0, 2000) });
  }
  return out;
}

export const readSshLog = (paths: string[]): AsyncGenerator<SourceFile<SshLogLine | Unreadable>> =>
  readLogFiles(paths, {
    accept: (n) => /^(auth|secure|sshd?)(\.log)?(\.\d+)?(\.gz)?$/i.test(n) || /\.log(\.\d+)?(\.gz)?$/i.test(n),
    parse: (t) => parseSshLog(t),
  });

/** sshd (OpenSSH 9) accepting a certificate: its key ID and serial, the CA that signed it. */
const ACCEPTED = /^Accepted certificate ID "([^"]{1,200})" \(serial (\d{1,20})\) signed by (\S+) CA (SHA256:[A-Za-z0-9+/=]{1,100})/;
/** The end of that connection (the same sshd process). */
const DISCONNECTED = /^(Disconnected from user \S+|Received disconnect from|Connection closed by authenticating user|pam_unix\(sshd:session\): session closed)/;

/**
 * Classifies sshd's lines into session evidence: the acceptance of a
 * certificate the product signed starts a session of the grant its key ID
 * names (principal: the key ID), the same sshd process's disconnection ends
 * it. Stateful (which process logged in with which certificate): one
 * classifier per import, fed the lines in order.
 */
export function sshLogClassifier() {
  const open = new Map<string, string>();
  return (record: SshLogLine | Unreadable): SourceUse | SourceSkip => {
    if ((record as Unreadable).unreadable) return { skip: "unreadable line" };
    const e = record as SshLogLine;
    const sessionId = `${e.host}:${e.pid}:${e.at.toISOString().slice(0, 10)}`;
    const accepted = ACCEPTED.exec(e.message);
    if (accepted) {
      const keyId = accepted[1];
      if (!keyId.startsWith("gov-grant-")) return { skip: "certificate not issued here", principal: keyId };
      open.set(`${e.host}:${e.pid}`, sessionId);
      open.set(`key:${e.host}:${e.pid}`, keyId);
      return {
        skip: "session start",
        session: { kind: "start", eventId: `${sessionId}.${e.line}.start`, principal: keyId, sessionId, occurredAt: e.at, detail: e.message.slice(0, 500) },
      };
    }
    if (DISCONNECTED.test(e.message)) {
      const started = open.get(`${e.host}:${e.pid}`);
      const keyId = open.get(`key:${e.host}:${e.pid}`);
      if (!started || !keyId) return { skip: "not a certificate session" };
      open.delete(`${e.host}:${e.pid}`);
      open.delete(`key:${e.host}:${e.pid}`);
      return {
        skip: "session end",
        session: { kind: "end", eventId: `${started}.${e.line}.end`, principal: keyId, sessionId: started, occurredAt: e.at, detail: e.message.slice(0, 500) },
      };
    }
    return { skip: "not a session line" };
  };
}
