import { execFile, execFileSync } from "node:child_process";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { DeliveryError } from "./types";

const run = promisify(execFile);
/** OpenSSH's own tool signs and builds revocation lists: the formats are its, and so are their checks. */
const SSH_KEYGEN = process.env.SSH_KEYGEN ?? "ssh-keygen";

/**
 * The key that seals CA private keys at rest: from SSH_CA_KEY (a secret of at
 * least 32 characters) or the file SSH_CA_KEY_FILE, never from the database.
 */
function sealingKey(): Buffer {
  const file = process.env.SSH_CA_KEY_FILE;
  const secret = file ? readFileSync(file, "utf8").trim() : process.env.SSH_CA_KEY;
  if (!secret || secret.length < 32)
    throw new DeliveryError("no key to seal SSH CA keys: set SSH_CA_KEY (32 characters or more) or SSH_CA_KEY_FILE on the server");
  return Buffer.from(hkdfSync("sha256", secret, "gov-ssh-ca", "ssh ca private keys", 32));
}

export const sealingKeyConfigured = () => {
  try {
    sealingKey();
    return true;
  } catch {
    return false;
  }
};

/** AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>`, base64url. */
export function seal(plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), body].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

export function unseal(sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || !body) throw new DeliveryError("a sealed CA key is malformed");
  const decipher = createDecipheriv("aes-256-gcm", sealingKey(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new DeliveryError("a CA key does not open with this server's SSH_CA_KEY: was it changed?");
  }
}

/** One certificate authority as a connector stores it: its public key in the clear, its private key sealed. */
export type StoredCa = { publicKey: string; fingerprint: string; sealedPrivateKey: string; createdAt: string; retiredAt?: string };

/** A new Ed25519 certificate authority (made by ssh-keygen in a private temporary directory, removed at once). */
export function generateCa(comment: string): StoredCa {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gov-ca-"));
  try {
    const key = path.join(dir, "ca");
    execFileSync(SSH_KEYGEN, ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key]);
    const publicKey = readFileSync(`${key}.pub`, "utf8").trim();
    const fingerprint = execFileSync(SSH_KEYGEN, ["-l", "-E", "sha256", "-f", `${key}.pub`], { encoding: "utf8" }).split(" ")[1];
    return { publicKey, fingerprint, sealedPrivateKey: seal(readFileSync(key, "utf8")), createdAt: new Date().toISOString() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "gov-ssh-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const OPENSSH_PUBLIC_KEY =
  /^(ssh-ed25519|ecdsa-sha2-nistp(256|384|521)|ssh-rsa|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,2}( [^\n\r\0]{0,200})?$/;

/** A user's public key as OpenSSH writes it, checked by ssh-keygen itself; its SHA256 fingerprint. Null: not one. */
export async function publicKeyFingerprint(publicKey: string): Promise<string | null> {
  const key = publicKey.trim();
  if (!OPENSSH_PUBLIC_KEY.test(key) || key.length > 16_384) return null;
  return inTempDir(async (dir) => {
    await writeFile(path.join(dir, "user.pub"), `${key}\n`);
    try {
      const { stdout } = await run(SSH_KEYGEN, ["-l", "-E", "sha256", "-f", path.join(dir, "user.pub")]);
      const [bits, fingerprint] = stdout.split(" ");
      // RSA keys under 2048 bits are refused: OpenSSH itself no longer accepts them.
      if (key.startsWith("ssh-rsa") && Number(bits) < 2048) return null;
      return fingerprint ?? null;
    } catch {
      return null;
    }
  });
}

/** Times as ssh-keygen reads them (YYYYMMDDHHMMSS, with Z: UTC). */
const sshTime = (d: Date) => `${d.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;

/**
 * Signs a user's public key with the CA: a certificate for these principals,
 * valid from validAfter until validBefore (sshd refuses it outside that window
 * by itself), with this key ID (what sshd logs at login) and serial (what the
 * revocation list names), and critical options such as source-address.
 */
export async function signCertificate(
  ca: StoredCa,
  c: { publicKey: string; keyId: string; principals: string[]; validAfter: Date; validBefore: Date; serial: number; sourceAddresses?: string[] },
): Promise<string> {
  return inTempDir(async (dir) => {
    const caKey = path.join(dir, "ca");
    await writeFile(caKey, unseal(ca.sealedPrivateKey), { mode: 0o600 });
    await writeFile(path.join(dir, "user.pub"), `${c.publicKey.trim()}\n`);
    const args = [
      "-q",
      "-s",
      caKey,
      "-I",
      c.keyId,
      "-n",
      c.principals.join(","),
      "-V",
      `${sshTime(c.validAfter)}:${sshTime(c.validBefore)}`,
      "-z",
      String(c.serial),
    ];
    if (c.sourceAddresses?.length) args.push("-O", `source-address=${c.sourceAddresses.join(",")}`);
    try {
      await run(SSH_KEYGEN, [...args, path.join(dir, "user.pub")]);
    } catch (e) {
      throw new DeliveryError(`ssh-keygen could not sign the key: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
    }
    return (await readFile(path.join(dir, "user-cert.pub"), "utf8")).trim();
  });
}

/**
 * The key revocation list sshd reads from RevokedKeys: the revoked serials of
 * each CA (an empty list when none, since sshd refuses every key when the file
 * is missing), as ssh-keygen builds it.
 */
export async function buildKrl(revoked: { ca: StoredCa; serials: number[] }[]): Promise<Buffer> {
  return inTempDir(async (dir) => {
    const krl = path.join(dir, "revoked.krl");
    let first = true;
    for (const [i, { ca, serials }] of revoked.entries()) {
      if (serials.length === 0) continue;
      await writeFile(path.join(dir, `ca${i}.pub`), `${ca.publicKey}\n`);
      await writeFile(path.join(dir, `spec${i}`), serials.map((s) => `serial: ${s}\n`).join(""));
      await run(SSH_KEYGEN, ["-q", "-k", ...(first ? [] : ["-u"]), "-f", krl, "-s", path.join(dir, `ca${i}.pub`), path.join(dir, `spec${i}`)]);
      first = false;
    }
    if (first) {
      await writeFile(path.join(dir, "empty"), "");
      await run(SSH_KEYGEN, ["-q", "-k", "-f", krl, path.join(dir, "empty")]);
    }
    return readFile(krl);
  });
}
