import { describe, expect, it } from "vitest";
import { parseSshLog, sshLogClassifier } from "./log";

const accepted = 'Accepted certificate ID "gov-grant-0f8fad5b-d9cb-469f-a165-70867728950e" (serial 7) signed by ED25519 CA SHA256:abc+/= via /etc/ssh/ca';

describe("sshd authentication logs", () => {
  it("reads syslog's traditional and ISO times, keeps only sshd's lines, and counts sshd lines it cannot read", () => {
    const now = new Date("2027-01-02T00:00:00Z");
    const lines = parseSshLog(
      [
        `Dec 31 23:59:58 host-a sshd[10]: ${accepted}`,
        `2027-01-01T00:00:01.5+01:00 host-b sshd-session[11]: Disconnected from user root 10.0.0.1 port 2`,
        "Jan  1 00:00:00 host-a cron[1]: something else",
        "garbage sshd[12]: \u0000\uD800",
        "",
      ].join("\r\n"),
      now,
    );
    expect(lines).toEqual([
      { line: 1, at: new Date("2026-12-31T23:59:58Z"), host: "host-a", pid: "10", message: accepted },
      { line: 2, at: new Date("2026-12-31T23:00:01.5Z"), host: "host-b", pid: "11", message: "Disconnected from user root 10.0.0.1 port 2" },
      { unreadable: 4 },
    ]);
  });

  it("starts a session at a certificate issued here and ends it at the same process's disconnection; others are skipped by reason", () => {
    const classify = sshLogClassifier();
    const at = new Date("2026-12-03T20:00:00Z");
    const start = classify({ line: 1, at, host: "h", pid: "5", message: accepted });
    expect(start).toMatchObject({
      skip: "session start",
      session: { kind: "start", principal: "gov-grant-0f8fad5b-d9cb-469f-a165-70867728950e", sessionId: "h:5:2026-12-03" },
    });
    expect(classify({ line: 2, at, host: "h", pid: "6", message: "Disconnected from user root 1.2.3.4 port 9" })).toEqual({
      skip: "not a certificate session",
    });
    expect(classify({ line: 3, at, host: "h", pid: "5", message: "Disconnected from user root 1.2.3.4 port 9" })).toMatchObject({
      session: { kind: "end", sessionId: "h:5:2026-12-03", eventId: "h:5:2026-12-03.3.end" },
    });
    expect(classify({ line: 4, at, host: "h", pid: "7", message: accepted.replace("gov-grant-", "laptop-") })).toMatchObject({
      skip: "certificate not issued here",
    });
    expect(classify({ unreadable: 9 })).toEqual({ skip: "unreadable line" });
  });
});
