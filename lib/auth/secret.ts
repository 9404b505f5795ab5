import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { isDemoMode } from "@/db/client";

/**
 * AUTH_SECRET signs sessions. A zero-setup demo generates one and keeps it in
 * ./.data so sessions survive restarts; anything else must configure it, since
 * several instances have to share the same secret.
 */
export function authSecret(): string {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  if (!isDemoMode()) throw new Error("AUTH_SECRET must be set when demo mode is off.");
  const file = path.resolve(".data/auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
