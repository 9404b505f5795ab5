import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuditKeyError, auditKeyRing, currentAuditKey, DEMO_AUDIT_KEY_FILE, deriveAuditKey } from "./audit-key";

const A = "first-audit-key-for-these-tests-000000000000";
const B = "second-audit-key-for-these-tests-00000000000";
const only = (env: Record<string, string | undefined>) => {
  for (const name of ["AUDIT_KEY", "AUDIT_KEY_FILE", "AUDIT_PREVIOUS_KEYS"]) vi.stubEnv(name, env[name] ?? "");
  if (env.DEMO !== undefined) vi.stubEnv("DEMO", env.DEMO);
};

describe("the audit key", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("comes from AUDIT_KEY, with retired keys from AUDIT_PREVIOUS_KEYS, each under its own id", () => {
    only({ AUDIT_KEY: A, AUDIT_PREVIOUS_KEYS: `${B}, ${A}` });
    const ring = auditKeyRing();
    expect(ring.current?.id).toBe(deriveAuditKey(A).id);
    expect([...ring.byId.keys()].sort()).toEqual([deriveAuditKey(A).id, deriveAuditKey(B).id].sort());
    expect(deriveAuditKey(A).id).toMatch(/^[0-9a-f]{16}$/);
    // Rows and checkpoints are signed with different keys derived from the one secret.
    expect(deriveAuditKey(A).rows.equals(deriveAuditKey(A).checkpoints)).toBe(false);
  });

  it("comes from AUDIT_KEY_FILE: the first line signs, later lines are retired keys", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gov-audit-key-"));
    try {
      const file = path.join(dir, "key");
      writeFileSync(file, `${B}\n\n${A}\n`);
      only({ AUDIT_KEY_FILE: file });
      expect(currentAuditKey().id).toBe(deriveAuditKey(B).id);
      expect(auditKeyRing().byId.has(deriveAuditKey(A).id)).toBe(true);
      only({ AUDIT_KEY_FILE: path.join(dir, "missing") });
      expect(() => auditKeyRing()).toThrow(`AUDIT_KEY_FILE ${path.join(dir, "missing")} cannot be read`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses weak or ambiguous configuration", () => {
    only({ AUDIT_KEY: "short" });
    expect(() => auditKeyRing()).toThrow(
      new AuditKeyError("AUDIT_KEY must be at least 32 characters of random data (generate one with `openssl rand -base64 32`)."),
    );
    only({ AUDIT_KEY: A, AUDIT_KEY_FILE: "/etc/hostname" });
    expect(() => auditKeyRing()).toThrow("Set AUDIT_KEY or AUDIT_KEY_FILE, not both.");
  });

  it("must be configured outside demo mode: nothing is signed without it", () => {
    only({ DEMO: "0" });
    expect(auditKeyRing().current).toBeNull();
    expect(() => currentAuditKey()).toThrow(
      /^AUDIT_KEY or AUDIT_KEY_FILE must be set when demo mode is off: every audit row is signed with that key, which must live outside the database/,
    );
    // Verification can still check retired keys' rows, but signs nothing.
    only({ DEMO: "0", AUDIT_PREVIOUS_KEYS: A });
    expect(auditKeyRing()).toMatchObject({ current: null, byId: new Map([[deriveAuditKey(A).id, deriveAuditKey(A)]]) });
  });

  it("is generated into ./.data in demo mode, by writers only", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gov-audit-demo-"));
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      only({ DEMO: "1" });
      expect(auditKeyRing().current).toBeNull();
      expect(existsSync(DEMO_AUDIT_KEY_FILE)).toBe(false);
      const key = currentAuditKey();
      expect(statSync(DEMO_AUDIT_KEY_FILE).mode & 0o777).toBe(0o600);
      expect(key.id).toBe(deriveAuditKey(readFileSync(DEMO_AUDIT_KEY_FILE, "utf8")).id);
      expect(auditKeyRing().current?.id).toBe(key.id);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
