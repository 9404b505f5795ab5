import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { buildKrl } from "@/lib/connectors/ssh-ca";
import { freePort, waitListening } from "./net";

const run = promisify(execFile);
const SSHD = "/usr/sbin/sshd";

/** Whether a real sshd can be started here: Debian's openssh-server (.ci/run installs it), as root (to log in as root). */
export const sshdAvailable = () => existsSync(SSHD) && process.getuid?.() === 0;

export type TestSshd = {
  port: number;
  dir: string;
  /** The files the target reads: trusted CAs (TrustedUserCAKeys) and the revocation list (RevokedKeys). */
  trustedCas: string;
  krl: string;
  /** The user's key pair (its public half at `${key}.pub`). */
  key: string;
  publicKey: string;
  /** Logs in as root with the key and this certificate: "ok", or "refused: " and why. */
  ssh(certificate: string): Promise<string>;
  /** What sshd logged (bare lines, as -E writes them). */
  log(): string;
  stop(): void;
};

/**
 * Starts sshd on a free loopback port, trusting the CAs written to
 * `trustedCas`, letting root in for `principal`, reading the revocation list
 * at `krl` (empty at first), with a user key pair made for the test.
 */
export async function startSshd(principal: string): Promise<TestSshd> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gov-sshd-"));
  const port = await freePort();
  const trustedCas = path.join(dir, "trusted-cas");
  const krl = path.join(dir, "revoked.krl");
  const key = path.join(dir, "user");
  const cert = path.join(dir, "user-cert.pub");
  mkdirSync("/run/sshd", { recursive: true });
  mkdirSync(path.join(dir, "principals"));
  writeFileSync(path.join(dir, "principals", "root"), `${principal}\n`);
  writeFileSync(trustedCas, "");
  writeFileSync(krl, await buildKrl([]));
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "host")]);
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  writeFileSync(
    path.join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${path.join(dir, "host")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `TrustedUserCAKeys ${trustedCas}`,
      `AuthorizedPrincipalsFile ${path.join(dir, "principals", "%u")}`,
      `RevokedKeys ${krl}`,
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
  const sshd: ChildProcess = spawn(SSHD, ["-D", "-f", path.join(dir, "sshd_config"), "-E", path.join(dir, "sshd.log")], { stdio: "ignore" });
  await waitListening(port);
  return {
    port,
    dir,
    trustedCas,
    krl,
    key,
    publicKey: readFileSync(`${key}.pub`, "utf8").trim(),
    async ssh(certificate) {
      writeFileSync(cert, `${certificate}\n`);
      try {
        const { stdout } = await run("ssh", [
          ...["-i", key, "-o", `CertificateFile=${cert}`, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"],
          ...["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR"],
          ...["-p", String(port), "root@127.0.0.1", "echo ok"],
        ]);
        return stdout.trim();
      } catch (e) {
        return `refused: ${((e as { stderr?: string }).stderr ?? "").trim()}`;
      }
    },
    log: () => readFileSync(path.join(dir, "sshd.log"), "utf8"),
    stop() {
      sshd.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
