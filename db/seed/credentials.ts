import type { credentials } from "../schema";
import type { SystemSpec } from "./catalog";
import type { Nhi, NhiKind } from "./nhis";
import { HOUR, Rng, SEED_BASE, between, daysAfter, daysBefore } from "./random";

export type CredentialRow = typeof credentials.$inferInsert;

const ALNUM_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function credentialFor(kind: NhiKind, system: SystemSpec, rng: Rng): CredentialRow["type"] | null {
  switch (kind) {
    case "certificate":
      return "certificate";
    case "workload_role":
      return rng.chance(0.1) ? "access_key" : null;
    case "bot":
      return rng.chance(0.6) ? (system.kind === "github" && rng.chance(0.4) ? "ssh_key" : "api_token") : null;
    case "ai_agent":
      return system.kind === "aws_account" ? (rng.chance(0.2) ? "access_key" : null) : "api_token";
    case "api_key":
      return "api_token";
    case "service_account":
      if (system.kind === "aws_account") return "access_key";
      if (system.kind === "database") return "password";
      if (system.kind === "idp") return "client_secret";
      if (system.kind === "github") return "ssh_key";
      if (system.name === "snowflake-analytics") return rng.chance(0.5) ? "password" : "ssh_key";
      return "api_token";
  }
}

function label(type: CredentialRow["type"], system: SystemSpec, rng: Rng): string {
  switch (type) {
    case "access_key":
      return `AKIA…${rng.chars(4, ALNUM_UPPER)}`;
    case "api_token":
      if (system.kind === "github") return `${rng.chance(0.5) ? "ghp_" : "ghs_"}…${rng.chars(4, ALNUM)}`;
      if (system.kind === "vault") return `hvs.…${rng.chars(4, ALNUM)}`;
      if (system.kind === "idp") return `00${rng.chars(2, ALNUM)}…${rng.chars(4, ALNUM)}`;
      if (system.name === "datadog") return `dd…${rng.hex(4)}`;
      return `sha256:${rng.hex(4)}…${rng.hex(4)}`;
    case "ssh_key":
      return `SHA256:${rng.chars(6, ALNUM)}…`;
    case "password":
      return `scram-sha-256 v${rng.int(1, 6)}`;
    default:
      return `sha256:${rng.hex(4)}…${rng.hex(4)}`;
  }
}

/** Credential metadata: when issued, rotated, expiring; never a secret. */
export function buildCredentials(nhis: Nhi[], now: Date, ids: Rng): CredentialRow[] {
  const rng = new Rng(SEED_BASE + 3);
  const rows: CredentialRow[] = [];
  const windowStart = daysBefore(now, 90);
  for (const nhi of nhis) {
    const type = credentialFor(nhi.kind, nhi.system.spec, rng);
    if (!type) continue;
    const many = (nhi.kind === "api_key" || nhi.kind === "service_account") && rng.chance(0.3) ? 2 : 1;
    const mine: CredentialRow[] = [];
    for (let i = 0; i < many; i++) {
      let issuedAt: Date;
      let expiresAt: Date | null = null;
      let lastRotatedAt: Date | null = null;
      if (type === "certificate") {
        const r = rng.next();
        expiresAt = r < 0.08 ? daysBefore(now, rng.int(1, 45)) : r < 0.2 ? daysAfter(now, rng.int(1, 30)) : daysAfter(now, rng.int(31, 395));
        const validity = rng.chance(0.6) ? 90 : 397;
        issuedAt = daysBefore(expiresAt, validity);
        if (issuedAt > daysBefore(now, 10)) issuedAt = daysBefore(now, rng.int(10, 20));
        if (issuedAt < nhi.createdAt) issuedAt = new Date(nhi.createdAt.getTime() + HOUR);
      } else {
        const from = new Date(Math.max(nhi.createdAt.getTime(), daysBefore(now, 900).getTime()));
        issuedAt = between(rng, from, new Date(Math.max(from.getTime() + HOUR, daysBefore(now, 10).getTime())));
        if (!rng.chance(0.3)) lastRotatedAt = between(rng, issuedAt, daysBefore(now, 1));
        if (!rng.chance(0.4)) expiresAt = daysAfter(lastRotatedAt ?? issuedAt, rng.pick([90, 180, 365, 365, 730]));
      }
      const revoked = nhi.status === "decommissioned" || rng.chance(0.06);
      // Last use before the 90-day window for some; the usage step sets recent use from events.
      const lastUsedAt = issuedAt < daysBefore(windowStart, 5) && rng.chance(0.4) ? between(rng, issuedAt, daysBefore(windowStart, 1)) : null;
      mine.push({
        id: ids.uuid(),
        identityId: nhi.id,
        type,
        label: label(type, nhi.system.spec, rng),
        status: revoked ? "revoked" : "active",
        issuedAt,
        lastRotatedAt,
        expiresAt,
        lastUsedAt,
        createdAt: issuedAt,
        updatedAt: lastRotatedAt ?? issuedAt,
      });
    }
    rows.push(...mine);
  }
  return rows;
}
