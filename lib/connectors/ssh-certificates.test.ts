import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { connectors, entitlements, findings, pamSessions, sshCertificates } from "@/db/schema";
import { importSshLog } from "@/lib/ingest/ssh/log-import";
import { handOutCredential, type SshCertificate } from "@/lib/jit/credential";
import { releaseRequest } from "@/lib/jit/end";
import { updatePolicy } from "@/lib/jit/policies";
import { approvedFor, jitOrg } from "@/lib/jit/test-fixtures";
import type { Caller } from "@/lib/caller";
import { testDatabase, uniq } from "@/lib/testing/harness";
import { sshdAvailable, startSshd, type TestSshd } from "@/lib/testing/sshd";
import { createConnector, getConnector } from "./admin";
import { deliverOne, dispatchAccessEvents } from "./dispatch";
import { publishKrl, sshConfig, trustedCaKeys } from "./ssh";
import { retireCa, rotateCa } from "./ssh-rotation";

const available = sshdAvailable();
const PRINCIPAL = "payments-ops";
let sshd: TestSshd;
const ssh = (certificate: string) => sshd.ssh(certificate);

async function deliverAll(db: Db, admin: Parameters<typeof getConnector>[1], connectorId: string) {
  await dispatchAccessEvents(db);
  for (const d of (await getConnector(db, admin, connectorId, { status: "pending" })).deliveries.rows) await deliverOne(db, d.delivery.id);
}

describe.skipIf(!available)("short-lived SSH certificates against a real sshd", () => {
  beforeAll(async () => {
    vi.stubEnv("SSH_CA_KEY", "ssh-ca-sealing-key-for-tests-only-0000000000");
    sshd = await startSshd(PRINCIPAL);
  });
  afterAll(() => {
    sshd?.stop();
    vi.unstubAllEnvs();
  });

  async function setUp() {
    const { db } = await testDatabase();
    const org = await jitOrg(db);
    await db.update(entitlements).set({ externalRef: PRINCIPAL }).where(eq(entitlements.id, org.entitlement.id));
    const connector = await createConnector(db, org.admin, { name: uniq("payments hosts"), kind: "ssh", systemId: org.system.id, url: sshd.krl });
    // The connector's CA as the target trusts it (configuration management would write this file).
    const [row] = await db.select().from(connectors).where(eq(connectors.id, connector.id));
    writeFileSync(sshd.trustedCas, trustedCaKeys(sshConfig(row)));
    // People see the CA's public key, never its private key, sealed or not.
    expect(JSON.stringify(connector.config)).not.toContain("sealedPrivateKey");
    expect(JSON.stringify(row.config)).not.toContain("PRIVATE KEY");
    await updatePolicy(db, org.admin, org.policy.id, { activation: "credential" });
    return { db, connector, ...org };
  }

  const approved = (s: { db: Db; requester: Caller; approvers: Caller[]; entitlement: { id: string } }, seconds: number) => approvedFor(s.db, s, seconds);

  const publicKey = async () => sshd.publicKey;

  it("sshd accepts the certificate inside the window and refuses it after, with the product stopped; an early release revokes it at once", async () => {
    const s = await setUp();
    const r = await approved(s, 5);
    // Bad keys and the wrong people change nothing.
    await expect(handOutCredential(s.db, s.requester, r.id, {})).rejects.toMatchObject({ status: 422 });
    await expect(handOutCredential(s.db, s.requester, r.id, { publicKey: "ssh-ed25519 AAAA\u0000 x" })).rejects.toMatchObject({ status: 422 });
    await expect(handOutCredential(s.db, s.requester, r.id, { publicKey: "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 short" })).rejects.toMatchObject({
      status: 422,
    });
    await expect(handOutCredential(s.db, s.approvers[0], r.id, { publicKey: await publicKey() })).rejects.toMatchObject({ status: 403 });
    expect(await s.db.select().from(sshCertificates).where(eq(sshCertificates.requestId, r.id))).toEqual([]);

    const issued = (await handOutCredential(s.db, s.requester, r.id, { publicKey: await publicKey() })) as SshCertificate;
    expect(issued).toMatchObject({ kind: "ssh_certificate", keyId: `gov-grant-${r.grantId}`, principals: [PRINCIPAL] });
    const loggedInAt = new Date();
    expect(await ssh(issued.certificate)).toBe("ok");

    // The host's authentication log, as syslog writes sshd's own lines (sshd -E writes them bare): the login is
    // session evidence of the requester, linked to the grant and its request.
    const accepted = sshd
      .log()
      .split("\n")
      .find((l) => l.startsWith(`Accepted certificate ID "gov-grant-${r.grantId}"`))!;
    expect(accepted).toContain(`(serial ${issued.serial})`);
    const syslog = (at: Date, message: string) => `${at.toISOString()} payments-host-1 sshd[4242]: ${message}`;
    writeFileSync(
      path.join(sshd.dir, "auth.log"),
      [
        syslog(loggedInAt, accepted),
        syslog(loggedInAt, "Accepted publickey for root from 127.0.0.1 port 50022 ssh2: ED25519-CERT SHA256:x ID x"),
        syslog(new Date(), "Disconnected from user root 127.0.0.1 port 50022"),
        "Dec  3 20:01:02 payments-host-1 cron[99]: not sshd",
      ].join("\n") + "\n",
    );
    const imported = await importSshLog(s.db, { system: s.system.name, paths: [path.join(sshd.dir, "auth.log")] });
    expect(imported.sessionEvents).toEqual({ inserted: 2, duplicates: 0 });
    const [evidence] = await s.db.select().from(pamSessions).where(eq(pamSessions.requestId, r.id));
    expect(evidence).toMatchObject({ identityId: s.requester.identityId, grantId: r.grantId, outsideWindowCount: 0 });
    expect(evidence.endedAt).not.toBeNull();
    expect((await importSshLog(s.db, { system: s.system.name, paths: [path.join(sshd.dir, "auth.log")] })).sessionEvents).toEqual({
      inserted: 0,
      duplicates: 2,
    });

    // From here the product does nothing until after the window's end: sshd refuses the certificate by itself.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, r.end.getTime() - Date.now()) + 1500));
    expect(await ssh(issued.certificate)).toMatch(/^refused: .*Permission denied/);
    expect(sshd.log()).toMatch(/Certificate invalid: expired/);

    // sshd does not end a session already open when its certificate expires: the host's log shows how long it ran on.
    const late = path.join(sshd.dir, "late.log");
    writeFileSync(
      late,
      [
        `${loggedInAt.toISOString()} payments-host-2 sshd[5151]: ${accepted}`,
        `${new Date(r.end.getTime() + 125_000).toISOString()} payments-host-2 sshd[5151]: Disconnected from user root 127.0.0.1 port 50023`,
      ].join("\n") + "\n",
    );
    await importSshLog(s.db, { system: s.system.name, paths: [late] });
    const [outlived] = await s.db
      .select()
      .from(findings)
      .where(and(eq(findings.grantId, r.grantId), eq(findings.kind, "session_outlived_grant")));
    expect(outlived).toMatchObject({ status: "open", identityId: s.requester.identityId, severity: "high" });
    expect(outlived.details).toMatchObject({ ended: true, outlivedSeconds: 125, sessionSource: `ssh-log:${s.system.name}` });
    // Imported again: the same finding, not a second.
    await importSshLog(s.db, { system: s.system.name, paths: [late] });
    expect(
      await s.db
        .select()
        .from(findings)
        .where(and(eq(findings.grantId, r.grantId), eq(findings.kind, "session_outlived_grant"))),
    ).toHaveLength(1);

    // Released early: the serial goes into the revocation list sshd reads, and the certificate is refused at once.
    const r2 = await approved(s, 600);
    const second = (await handOutCredential(s.db, s.requester, r2.id, { publicKey: await publicKey() })) as SshCertificate;
    expect(second.serial).toBeGreaterThan(issued.serial);
    expect(await ssh(second.certificate)).toBe("ok");
    // A new certificate for the same grant revokes the earlier one.
    const third = (await handOutCredential(s.db, s.requester, r2.id, { publicKey: await publicKey() })) as SshCertificate;
    expect(await ssh(second.certificate)).toMatch(/^refused: /);
    expect(await ssh(third.certificate)).toBe("ok");
    await releaseRequest(s.db, s.requester, r2.id, {});
    await deliverAll(s.db, s.admin, s.connector.id);
    expect(await ssh(third.certificate)).toMatch(/^refused: /);
    expect(sshd.log()).toMatch(/ED25519-CERT SHA256:\S+ revoked by file/);
    // CA rotation: a new CA signs, the old one stays trusted while its certificates live, then is retired.
    const r3 = await approved(s, 600);
    const before = (await handOutCredential(s.db, s.requester, r3.id, { publicKey: await publicKey() })) as SshCertificate;
    await expect(rotateCa(s.db, s.approvers[0], s.connector.id)).rejects.toMatchObject({ status: 403 });
    const rotated = await rotateCa(s.db, s.admin, s.connector.id);
    expect(rotated.cas).toHaveLength(2);
    expect(JSON.stringify(rotated)).not.toContain("sealed");
    writeFileSync(sshd.trustedCas, rotated.trustedCaKeys);
    expect(await ssh(before.certificate)).toBe("ok");
    await expect(retireCa(s.db, s.admin, s.connector.id, { fingerprint: before.caFingerprint })).rejects.toMatchObject({
      status: 409,
      message: expect.stringContaining("1 certificate signed by this CA stay valid"),
    });
    // A new certificate for the same access comes from the new CA (and revokes the old one).
    const after = (await handOutCredential(s.db, s.requester, r3.id, { publicKey: await publicKey() })) as SshCertificate;
    expect(after.caFingerprint).toBe(rotated.cas[1].fingerprint);
    expect(after.caFingerprint).not.toBe(before.caFingerprint);
    expect(await ssh(after.certificate)).toBe("ok");
    await expect(retireCa(s.db, s.admin, s.connector.id, { fingerprint: after.caFingerprint })).rejects.toMatchObject({ status: 409 });
    const retired = await retireCa(s.db, s.admin, s.connector.id, { fingerprint: before.caFingerprint });
    writeFileSync(sshd.trustedCas, retired.trustedCaKeys);
    expect(retired.trustedCaKeys.trim().split("\n")).toHaveLength(1);
    expect(await ssh(after.certificate)).toBe("ok");
    expect(await ssh(before.certificate)).toMatch(/^refused: /);

    const rows = await s.db.select().from(sshCertificates).where(eq(sshCertificates.requestId, r2.id));
    expect(rows.map((c) => [c.serial, c.revokedAt !== null]).sort()).toEqual(
      [
        [second.serial, true],
        [third.serial, true],
      ].sort(),
    );

    // The policy's source addresses become the certificate's source-address option: sshd takes it only from there.
    await expect(updatePolicy(s.db, s.admin, s.policy.id, { sourceAddresses: ["10.0.0.0/33"] })).rejects.toMatchObject({
      status: 422,
      fieldErrors: { "sourceAddresses.0": [expect.stringContaining("IPv4 or IPv6")] },
    });
    await expect(updatePolicy(s.db, s.admin, s.policy.id, { sourceAddresses: ["10.0.0.1, 10.0.0.2"] })).rejects.toMatchObject({ status: 422 });
    await updatePolicy(s.db, s.admin, s.policy.id, { sourceAddresses: ["192.0.2.0/24", "2001:db8::/32"] });
    const elsewhere = (await handOutCredential(s.db, s.requester, r3.id, { publicKey: await publicKey() })) as SshCertificate;
    expect(elsewhere.sourceAddresses).toEqual(["192.0.2.0/24", "2001:db8::/32"]);
    expect(await ssh(elsewhere.certificate)).toMatch(/^refused: /);
    expect(sshd.log()).toMatch(/not permitted to use this certificate for login|Refused by certificate options/);
    await updatePolicy(s.db, s.admin, s.policy.id, { sourceAddresses: ["127.0.0.1/32"] });
    const here = (await handOutCredential(s.db, s.requester, r3.id, { publicKey: await publicKey() })) as SshCertificate;
    expect(await ssh(here.certificate)).toBe("ok");
    const [stored] = await s.db.select().from(sshCertificates).where(eq(sshCertificates.serial, here.serial));
    expect(stored.sourceAddresses).toEqual(["127.0.0.1/32"]);
  }, 60_000);
});

describe("an SSH connector's revocation list path", () => {
  it("names a .krl file, and never replaces a file that is not a revocation list", async () => {
    vi.stubEnv("SSH_CA_KEY", "ssh-ca-sealing-key-for-tests-only-0000000000");
    try {
      const { db } = await testDatabase();
      const org = await jitOrg(db);
      for (const url of ["/etc/passwd", "relative/list.krl", "/tmp/x\u0000.krl"])
        await expect(createConnector(db, org.admin, { name: uniq("hosts"), kind: "ssh", systemId: org.system.id, url })).rejects.toMatchObject({
          status: 422,
          fieldErrors: { url: [expect.stringMatching(/\.krl file|NUL/)] },
        });
      const dir = mkdtempSync(path.join(os.tmpdir(), "gov-krl-"));
      try {
        const victim = path.join(dir, "precious.krl");
        writeFileSync(victim, "not a revocation list");
        const made = await createConnector(db, org.admin, { name: uniq("hosts"), kind: "ssh", systemId: org.system.id, url: victim });
        const [row] = await db.select().from(connectors).where(eq(connectors.id, made.id));
        await expect(publishKrl(db, row)).rejects.toThrow(/is not a key revocation list/);
        expect(readFileSync(victim, "utf8")).toBe("not a revocation list");
        // A new file, or a list written before, is written.
        await db
          .update(connectors)
          .set({ config: { ...sshConfig(row), krlPath: path.join(dir, "new.krl") } })
          .where(eq(connectors.id, row.id));
        const [moved] = await db.select().from(connectors).where(eq(connectors.id, row.id));
        expect(await publishKrl(db, moved)).toBeGreaterThan(0);
        expect(await publishKrl(db, moved)).toBeGreaterThan(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("short-lived SSH certificates' server", () => {
  // .ci/run installs openssh-server and runs as root: in CI the tests above must never be skipped for want of it.
  it("is present in CI (elsewhere the sshd tests skip without it)", () => {
    expect(available || !process.env.CI, "no sshd at /usr/sbin/sshd, or not root").toBe(true);
  });
});
