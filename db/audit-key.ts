import { hkdfSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isDemoMode } from "./client";

/**
 * The audit key signs every audit row (HMAC-SHA256 over the row and its
 * predecessor's hash) and every checkpoint of the chain's head. It never
 * enters the database: whoever administers the database can read and rewrite
 * rows, and could recompute a plain hash chain, but cannot sign without it.
 *
 * One secret yields independent keys for rows and checkpoints (HKDF with
 * distinct labels) and a public key id, recorded in each row and checkpoint so
 * verification picks the right key after a rotation.
 */
export type AuditKey = { id: string; rows: Buffer; checkpoints: Buffer };

export type AuditKeyRing = {
  /** Signs new rows and checkpoints; null when no key is configured (verification then reports it). */
  current: AuditKey | null;
  /** Every key verification accepts, by id: the current one and AUDIT_PREVIOUS_KEYS. */
  byId: ReadonlyMap<string, AuditKey>;
};

export class AuditKeyError extends Error {}

const MIN_SECRET_LENGTH = 32;
export const DEMO_AUDIT_KEY_FILE = ".data/audit-key";

const derive = (secret: string, label: string, bytes: number) => Buffer.from(hkdfSync("sha256", secret, "gov audit", label, bytes));

export function deriveAuditKey(secret: string, source = "the audit key"): AuditKey {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new AuditKeyError(`${source} must be at least ${MIN_SECRET_LENGTH} characters of random data (generate one with \`openssl rand -base64 32\`).`);
  }
  return { id: derive(secret, "key id", 8).toString("hex"), rows: derive(secret, "rows", 32), checkpoints: derive(secret, "checkpoints", 32) };
}

/** A key file holds the current key on its first line and, optionally, older keys on the following lines. */
function readKeyFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new AuditKeyError(`AUDIT_KEY_FILE ${file} cannot be read: ${(error as Error).message}`);
  }
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 0) throw new AuditKeyError(`AUDIT_KEY_FILE ${file} is empty.`);
  return lines;
}

/** The zero-setup demo keeps a generated key beside its data, as it does the auth secret. */
function demoSecret(generate: boolean): string | null {
  const file = path.resolve(DEMO_AUDIT_KEY_FILE);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  if (!generate) return null;
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
  } catch (error) {
    // Another process (the CLI, a second dev server) created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readFileSync(file, "utf8").trim();
  }
  return secret;
}

function loadRing(env: NodeJS.ProcessEnv, generate: boolean): AuditKeyRing {
  if (env.AUDIT_KEY && env.AUDIT_KEY_FILE) throw new AuditKeyError("Set AUDIT_KEY or AUDIT_KEY_FILE, not both.");
  const previous = (env.AUDIT_PREVIOUS_KEYS ?? "").split(/[\s,]+/).filter(Boolean);
  let secrets: { secret: string; source: string }[];
  if (env.AUDIT_KEY) secrets = [{ secret: env.AUDIT_KEY, source: "AUDIT_KEY" }];
  else if (env.AUDIT_KEY_FILE) secrets = readKeyFile(env.AUDIT_KEY_FILE).map((secret, i) => ({ secret, source: `line ${i + 1} of AUDIT_KEY_FILE` }));
  else {
    const demo = isDemoMode() ? demoSecret(generate) : null;
    secrets = demo ? [{ secret: demo, source: DEMO_AUDIT_KEY_FILE }] : [];
  }
  secrets.push(...previous.map((secret, i) => ({ secret, source: `key ${i + 1} of AUDIT_PREVIOUS_KEYS` })));
  const keys = secrets.map(({ secret, source }) => deriveAuditKey(secret, source));
  const current = secrets.length > previous.length ? keys[0] : null;
  return { current, byId: new Map(keys.map((k) => [k.id, k])) };
}

// Derived once per configuration: appending rows is on every write path.
let cached: { signature: string; ring: AuditKeyRing } | null = null;

/**
 * The configured keys: AUDIT_KEY or AUDIT_KEY_FILE, plus AUDIT_PREVIOUS_KEYS.
 * In demo mode without either, the key in ./.data/audit-key (created when
 * `generate` is set: writers create it, verification never does).
 */
export function auditKeyRing({ generate = false } = {}): AuditKeyRing {
  const env = process.env;
  const signature = JSON.stringify([env.AUDIT_KEY, env.AUDIT_KEY_FILE, env.AUDIT_PREVIOUS_KEYS, env.DEMO, env.DATABASE_URL, process.cwd()]);
  if (cached?.signature === signature && (cached.ring.current || !generate)) return cached.ring;
  const ring = loadRing(env, generate);
  cached = { signature, ring };
  return ring;
}

/** The key new rows and checkpoints are signed with. Nothing is written to the audit log without one. */
export function currentAuditKey(): AuditKey {
  const key = auditKeyRing({ generate: true }).current;
  if (!key) {
    throw new AuditKeyError(
      "AUDIT_KEY or AUDIT_KEY_FILE must be set when demo mode is off: every audit row is signed with that key, which must live outside the database " +
        "(generate one with `openssl rand -base64 32`; all app instances and the CLI share it).",
    );
  }
  return key;
}
