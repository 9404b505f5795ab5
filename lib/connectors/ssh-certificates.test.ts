import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Db } from "@/db/client";
import { connectors, entitlements, pamSessions, sshCertificates } from "@/db/schema";
import { importSshLog } from "@/lib/ingest/ssh/log-import";
import { handOutCredential, type SshCertificate } from "@/lib/jit/credential";
import { releaseRequest } from "@/lib/jit/end";
import { updatePolicy } from "@/lib/jit/policies";
import { approvedFor, jitOrg } from "@/lib/jit/test-fixtures";
import type { Caller } from "@/lib/caller";
import { testDatabase, uniq } from "@/lib/testing/harness";
import { createConnector, getConnector } from "./admin";
import { deliverOne, dispatchAccessEvents } from "./dispatch";
import { buildKrl } from "./ssh-ca";
import { sshConfig, trustedCaKeys } from "./ssh";

const run = promisify(execFile);
const SSHD = "/usr/sbin/sshd";
/** A real sshd (Debian's openssh-server) on a loopback port, as root: .ci/run installs it. */
const available = existsSync(SSHD) && process.getuid?.() === 0;
const PRINCIPAL = "payments-ops";

let dir: string;
let port: number;
let sshd: ChildProcess | null = null;
const files = () => ({
  cas: path.join(dir, "trusted-cas"),
  krl: path.join(dir, "revoked.krl"),
  key: path.join(dir, "user"),
  cert: path.join(dir, "user-cert.pub"),
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
}

const listening = (p: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(p, "127.0.0.1", () => {
      socket.end();
      resolve(true);
    }).on("error", () => resolve(false));
  });

/** Logs in as root with the user key and this certificate; "ok", or why sshd refused. */
async function ssh(certificate: string): Promise<string> {
  writeFileSync(files().cert, `${certificate}\n`);
  try {
    const { stdout } = await run("ssh", [
      ...["-i", files().key, "-o", `CertificateFile=${files().cert}`, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"],
      ...["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR"],
      ...["-p", String(port), "root@127.0.0.1", "echo ok"],
    ]);
    return stdout.trim();
  } catch (e) {
    return `refused: ${((e as { stderr?: string }).stderr ?? "").trim()}`;
  }
}

async function deliverAll(db: Db, admin: Parameters<typeof getConnector>[1], connectorId: string) {
  await dispatchAccessEvents(db);
  for (const d of (await getConnector(db, admin, connectorId, { status: "pending" })).deliveries.rows) await deliverOne(db, d.delivery.id);
}

describe.skipIf(!available)("short-lived SSH certificates against a real sshd", () => {
  beforeAll(async () => {
    vi.stubEnv("SSH_CA_KEY", "ssh-ca-sealing-key-for-tests-only-0000000000");
    dir = mkdtempSync(path.join(os.tmpdir(), "gov-sshd-"));
    port = await freePort();
    mkdirSync("/run/sshd", { recursive: true });
    mkdirSync(path.join(dir, "principals"));
    writeFileSync(path.join(dir, "principals", "root"), `${PRINCIPAL}\n`);
    writeFileSync(files().cas, "");
    writeFileSync(files().krl, await buildKrl([]));
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host")]);
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", files().key]);
    writeFileSync(
      path.join(dir, "sshd_config"),
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${path.join(dir, "host")}`,
        `PidFile ${path.join(dir, "sshd.pid")}`,
        `TrustedUserCAKeys ${files().cas}`,
        `AuthorizedPrincipalsFile ${path.join(dir, "principals", "%u")}`,
        `RevokedKeys ${files().krl}`,
        "AuthorizedKeysFile none",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "UsePAM no",
        "StrictModes no",
        "LogLevel VERBOSE",
      ].join("\n") + "\n",
    );
    sshd = spawn(SSHD, ["-D", "-f", path.join(dir, "sshd_config"), "-E", path.join(dir, "sshd.log")], { stdio: "ignore" });
    for (let i = 0; i < 50 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => {
    sshd?.kill();
    vi.unstubAllEnvs();
    if (dir && !process.env.KEEP_SSHD_DIR) rmSync(dir, { recursive: true, force: true });
  });

  async function setUp() {
    const { db } = await testDatabase();
    const org = await jitOrg(db);
    await db.update(entitlements).set({ externalRef: PRINCIPAL }).where(eq(entitlements.id, org.entitlement.id));
    const connector = await createConnector(db, org.admin, { name: uniq("payments hosts"), kind: "ssh", systemId: org.system.id, url: files().krl });
    // The connector's CA as the target trusts it (configuration management would write this file).
    const [row] = await db.select().from(connectors).where(eq(connectors.id, connector.id));
    writeFileSync(files().cas, trustedCaKeys(sshConfig(row)));
    // People see the CA's public key, never its private key, sealed or not.
    expect(JSON.stringify(connector.config)).not.toContain("sealedPrivateKey");
    expect(JSON.stringify(row.config)).not.toContain("PRIVATE KEY");
    await updatePolicy(db, org.admin, org.policy.id, { activation: "credential" });
    return { db, connector, ...org };
  }

  const approved = (s: { db: Db; requester: Caller; approvers: Caller[]; entitlement: { id: string } }, seconds: number) => approvedFor(s.db, s, seconds);

  const publicKey = async () => (await run("cat", [`${files().key}.pub`])).stdout.trim();

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
    const accepted = readFileSync(path.join(dir, "sshd.log"), "utf8")
      .split("\n")
      .find((l) => l.startsWith(`Accepted certificate ID "gov-grant-${r.grantId}"`))!;
    expect(accepted).toContain(`(serial ${issued.serial})`);
    const syslog = (at: Date, message: string) => `${at.toISOString()} payments-host-1 sshd[4242]: ${message}`;
    writeFileSync(
      path.join(dir, "auth.log"),
      [
        syslog(loggedInAt, accepted),
        syslog(loggedInAt, "Accepted publickey for root from 127.0.0.1 port 50022 ssh2: ED25519-CERT SHA256:x ID x"),
        syslog(new Date(), "Disconnected from user root 127.0.0.1 port 50022"),
        "Dec  3 20:01:02 payments-host-1 cron[99]: not sshd",
      ].join("\n") + "\n",
    );
    const imported = await importSshLog(s.db, { system: s.system.name, paths: [path.join(dir, "auth.log")] });
    expect(imported.sessionEvents).toEqual({ inserted: 2, duplicates: 0 });
    const [evidence] = await s.db.select().from(pamSessions).where(eq(pamSessions.requestId, r.id));
    expect(evidence).toMatchObject({ identityId: s.requester.identityId, grantId: r.grantId, outsideWindowCount: 0 });
    expect(evidence.endedAt).not.toBeNull();
    expect((await importSshLog(s.db, { system: s.system.name, paths: [path.join(dir, "auth.log")] })).sessionEvents).toEqual({ inserted: 0, duplicates: 2 });

    // From here the product does nothing until after the window's end: sshd refuses the certificate by itself.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, r.end.getTime() - Date.now()) + 1500));
    expect(await ssh(issued.certificate)).toMatch(/^refused: .*Permission denied/);
    expect(readFileSync(path.join(dir, "sshd.log"), "utf8")).toMatch(/Certificate invalid: expired/);

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
    expect(readFileSync(path.join(dir, "sshd.log"), "utf8")).toMatch(/ED25519-CERT SHA256:\S+ revoked by file/);
    const rows = await s.db.select().from(sshCertificates).where(eq(sshCertificates.requestId, r2.id));
    expect(rows.map((c) => [c.serial, c.revokedAt !== null]).sort()).toEqual(
      [
        [second.serial, true],
        [third.serial, true],
      ].sort(),
    );
  }, 60_000);
});

describe.skipIf(available)("short-lived SSH certificates", () => {
  it("is skipped: no sshd at /usr/sbin/sshd, or not running as root", () => {});
});
