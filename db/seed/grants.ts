import type { grants, PrivilegeLevel } from "../schema";
import type { EntitlementSpec, TeamName } from "./catalog";
import type { Nhi, SeedSystem } from "./nhis";
import type { Org } from "./org";
import type { PersonaKey } from "./personas";
import { DAY, HOUR, Rng, SEED_BASE, between, daysAfter, daysBefore } from "./random";

export type SeedEntitlement = { id: string; system: SeedSystem; spec: EntitlementSpec; ownerId: string | null };

export type GrantRow = typeof grants.$inferInsert;

/** What the usage generator needs to know about one grant. */
export type GrantInfo = {
  id: string;
  identityId: string;
  human: boolean;
  /** Short name used in role session names. */
  identityName: string;
  service: string;
  entitlement: SeedEntitlement;
  type: "standing" | "eligible";
  startsAt: Date;
  /** Usage stops here: revocation, decommissioning or the person's last day. */
  endsAt: Date | null;
};

type Ref = readonly [system: string, entitlement: string];

const BASELINE: Ref[] = [
  ["github-acme", "write"],
  ["github-acme", "read"],
  ["k8s-prod-eu", "view"],
  ["k8s-prod-us", "view"],
  ["aws-prod", "ReadOnlyAccess"],
  ["aws-staging", "ReadOnlyAccess"],
  ["aws-prod", "CloudWatchLogsReadOnlyAccess"],
  ["datadog", "Datadog Read Only Role"],
  ["datadog", "Datadog Standard Role"],
];

const TEAM_STANDARD: Record<TeamName, Ref[]> = {
  Platform: [
    ["aws-prod", "AmazonEC2ContainerRegistryReadOnly"],
    ["aws-staging", "AmazonS3ReadOnlyAccess"],
  ],
  Payments: [
    ["payments-db-prod", "payments_ro"],
    ["payments-db-prod", "reporting_ro"],
    ["vault-prod", "secrets-read"],
  ],
  Data: [
    ["snowflake-analytics", "ANALYST"],
    ["snowflake-analytics", "REPORTER"],
    ["aws-prod", "AmazonS3ReadOnlyAccess"],
  ],
  SRE: [
    ["datadog", "Datadog Standard Role"],
    ["vault-prod", "secrets-read"],
  ],
  Security: [
    ["vault-prod", "secrets-read"],
    ["okta", "Read-Only Administrator"],
    ["aws-prod", "AWSBillingReadOnlyAccess"],
  ],
  Identity: [["okta", "Read-Only Administrator"]],
  Mobile: [["aws-staging", "AmazonS3ReadOnlyAccess"]],
  Growth: [
    ["snowflake-analytics", "REPORTER"],
    ["aws-staging", "AmazonS3ReadOnlyAccess"],
  ],
};

const TEAM_PRIVILEGED: Record<TeamName | "exec", Ref[]> = {
  Platform: [
    ["aws-prod", "AdministratorAccess"],
    ["aws-prod", "PowerUserAccess"],
    ["aws-staging", "AdministratorAccess"],
    ["github-acme", "repo-admin"],
    ["k8s-prod-eu", "cluster-admin"],
    ["vault-prod", "secrets-write"],
  ],
  SRE: [
    ["k8s-prod-eu", "cluster-admin"],
    ["k8s-prod-us", "cluster-admin"],
    ["aws-prod", "PowerUserAccess"],
    ["datadog", "Datadog Admin Role"],
    ["k8s-prod-us", "namespace-admin"],
    ["aws-prod", "AdministratorAccess"],
  ],
  Security: [
    ["vault-prod", "root"],
    ["okta", "Super Administrator"],
    ["aws-prod", "IAMFullAccess"],
    ["aws-prod", "SecretsManagerReadWrite"],
    ["github-acme", "org-owner"],
  ],
  Identity: [
    ["okta", "Super Administrator"],
    ["okta", "Organization Administrator"],
    ["okta", "Application Administrator"],
    ["aws-prod", "IAMFullAccess"],
  ],
  Payments: [
    ["payments-db-prod", "payments_rw"],
    ["payments-db-prod", "ledger_migrator"],
    ["k8s-prod-eu", "namespace-admin"],
    ["github-acme", "repo-admin"],
    ["payments-db-prod", "superuser"],
  ],
  Data: [
    ["snowflake-analytics", "SYSADMIN"],
    ["snowflake-analytics", "TRANSFORMER"],
    ["snowflake-analytics", "ACCOUNTADMIN"],
    ["aws-prod", "AmazonS3FullAccess"],
  ],
  Mobile: [
    ["github-acme", "repo-admin"],
    ["k8s-prod-eu", "edit"],
    ["aws-staging", "PowerUserAccess"],
  ],
  Growth: [
    ["github-acme", "maintain"],
    ["k8s-prod-us", "edit"],
    ["aws-staging", "PowerUserAccess"],
  ],
  exec: [
    ["github-acme", "org-owner"],
    ["aws-prod", "AdministratorAccess"],
    ["okta", "Super Administrator"],
  ],
};

/** Hand-picked access for the personas, so each demo story has something to show. */
const PERSONA_GRANTS: Record<PersonaKey, { ref: Ref; type: "standing" | "eligible" }[]> = {
  admin: [
    { ref: ["okta", "Super Administrator"], type: "standing" },
    { ref: ["aws-prod", "IAMFullAccess"], type: "standing" },
    { ref: ["okta", "Read-Only Administrator"], type: "standing" },
    { ref: ["vault-prod", "root"], type: "eligible" },
  ],
  owner: [
    { ref: ["aws-prod", "AdministratorAccess"], type: "standing" },
    { ref: ["github-acme", "repo-admin"], type: "standing" },
    { ref: ["aws-staging", "PowerUserAccess"], type: "standing" },
    { ref: ["k8s-prod-eu", "cluster-admin"], type: "eligible" },
  ],
  reviewer: [
    { ref: ["payments-db-prod", "payments_rw"], type: "standing" },
    { ref: ["github-acme", "repo-admin"], type: "standing" },
    { ref: ["payments-db-prod", "superuser"], type: "eligible" },
  ],
  approver: [
    { ref: ["k8s-prod-eu", "cluster-admin"], type: "standing" },
    { ref: ["k8s-prod-us", "cluster-admin"], type: "standing" },
    { ref: ["datadog", "Datadog Admin Role"], type: "standing" },
    { ref: ["aws-prod", "PowerUserAccess"], type: "standing" },
    { ref: ["aws-prod", "AdministratorAccess"], type: "eligible" },
  ],
  requester: [
    { ref: ["github-acme", "write"], type: "standing" },
    { ref: ["payments-db-prod", "payments_ro"], type: "standing" },
    { ref: ["k8s-prod-eu", "view"], type: "standing" },
    { ref: ["payments-db-prod", "payments_rw"], type: "eligible" },
    { ref: ["k8s-prod-eu", "namespace-admin"], type: "eligible" },
    { ref: ["aws-prod", "PowerUserAccess"], type: "eligible" },
  ],
  auditor: [
    { ref: ["okta", "Read-Only Administrator"], type: "standing" },
    { ref: ["datadog", "Datadog Read Only Role"], type: "standing" },
    { ref: ["aws-prod", "AWSBillingReadOnlyAccess"], type: "standing" },
  ],
};

const REVOKE_REASONS = [
  "Revoked in access review: no longer needed",
  "Moved to another team",
  "Replaced by just-in-time eligibility",
  "Unused for more than 90 days",
  "Duplicate of a group-based grant",
];

export type GrantPlan = { rows: GrantRow[]; infos: GrantInfo[]; liveKeys: Set<string> };

export function buildGrants(org: Org, nhis: Nhi[], entitlements: SeedEntitlement[], now: Date, ids: Rng): GrantPlan {
  const rng = new Rng(SEED_BASE + 4);
  const byRef = new Map<string, SeedEntitlement>(entitlements.map((e) => [`${e.system.spec.name}/${e.spec.name}`, e]));
  const bySystem = new Map<string, SeedEntitlement[]>();
  for (const e of entitlements) {
    const list = bySystem.get(e.system.id) ?? [];
    list.push(e);
    bySystem.set(e.system.id, list);
  }
  const resolve = (refs: readonly Ref[]) => refs.map(([s, n]) => byRef.get(`${s}/${n}`)).filter((e): e is SeedEntitlement => !!e);

  const peopleById = new Map(org.people.map((p) => [p.id, p]));
  const securityAdmin = org.byPersona.admin;
  // Quarterly access reviews, most recent first.
  const campaigns = [25, 115, 205, 295, 385].map((d) => {
    const at = daysBefore(now, d);
    return { at, ref: `campaign:${at.getUTCFullYear()}-q${Math.floor(at.getUTCMonth() / 3) + 1}-access-review` };
  });

  const rows: GrantRow[] = [];
  const infos: GrantInfo[] = [];
  const liveKeys = new Set<string>();

  const add = (
    subject: {
      id: string;
      human: boolean;
      name: string;
      service: string;
      createdAt: Date;
      approverId: string | null;
      endsAt: Date | null;
      decommissionedAt: Date | null;
    },
    ent: SeedEntitlement,
    type: "standing" | "eligible",
  ) => {
    const key = `${subject.id}:${ent.id}`;
    if (liveKeys.has(key)) return;
    const earliest = Math.max(subject.createdAt.getTime() + HOUR, daysBefore(now, 700).getTime());
    const latest = daysBefore(now, 30).getTime();
    const startsAt = earliest < latest ? between(rng, new Date(earliest), new Date(latest)) : new Date(subject.createdAt.getTime() + HOUR);

    const row: GrantRow = {
      id: ids.uuid(),
      identityId: subject.id,
      entitlementId: ent.id,
      type,
      provenance: "none",
      startsAt,
      createdAt: startsAt,
      updatedAt: startsAt,
    };
    const p = rng.next();
    if (p < 0.5) {
      row.provenance = "imported";
      row.provenanceRef = `import:${ent.system.spec.source}:initial-sync`;
    } else if (p < 0.8) {
      row.provenance = "campaign_decision";
      row.approvedById = subject.approverId ?? securityAdmin.id;
      const lapsed = rng.chance(0.13);
      const eligibleCampaigns = campaigns.filter((c) => c.at > startsAt && (!lapsed || c.at < daysBefore(now, 180)));
      const campaign = eligibleCampaigns.length > 0 ? rng.pick(eligibleCampaigns) : null;
      const approvedAt = campaign
        ? new Date(campaign.at.getTime() + rng.int(1, 12) * DAY + rng.int(9, 17) * HOUR)
        : new Date(startsAt.getTime() - rng.int(1, 3) * DAY);
      row.approvedAt = approvedAt;
      row.provenanceRef = campaign ? `${campaign.ref}/decision/${rng.hex(8)}` : `request:${rng.hex(8)}`;
      row.approvalExpiresAt = daysAfter(approvedAt, lapsed && campaign ? 180 : 365);
      row.updatedAt = approvedAt > startsAt ? approvedAt : startsAt;
    } else if (p < 0.9) {
      row.provenance = "policy";
      row.provenanceRef = subject.human ? "policy:engineering-baseline" : `policy:workload-defaults:${ent.system.spec.name}`;
      row.approvedAt = startsAt;
    }

    let endsAt = subject.endsAt;
    if (subject.decommissionedAt) {
      row.revokedAt = subject.decommissionedAt > startsAt ? subject.decommissionedAt : new Date(startsAt.getTime() + DAY);
      row.revokedById = subject.approverId ?? securityAdmin.id;
      row.revokeReason = "Identity decommissioned";
    } else if (rng.chance(0.04)) {
      row.revokedAt = between(rng, new Date(startsAt.getTime() + 10 * DAY), daysBefore(now, 1));
      row.revokedById = rng.chance(0.5) && subject.approverId ? subject.approverId : securityAdmin.id;
      row.revokeReason = rng.pick(REVOKE_REASONS);
    }
    if (row.revokedAt) {
      row.updatedAt = row.revokedAt;
      endsAt = endsAt && endsAt < row.revokedAt ? endsAt : row.revokedAt;
    } else {
      liveKeys.add(key);
    }
    rows.push(row);
    infos.push({
      id: row.id!,
      identityId: subject.id,
      human: subject.human,
      identityName: subject.name,
      service: subject.service,
      entitlement: ent,
      type,
      startsAt,
      endsAt,
    });
  };

  // People.
  for (const person of org.people) {
    const approverId = person.managerId ?? securityAdmin.id;
    const subject = {
      id: person.id,
      human: true,
      name: person.name,
      service: person.service,
      createdAt: person.startedAt,
      approverId,
      endsAt: person.leftAt,
      decommissionedAt: null,
    };
    if (person.personaKey) {
      for (const g of PERSONA_GRANTS[person.personaKey]) {
        const [e] = resolve([g.ref]);
        if (e) add(subject, e, g.type);
      }
    }
    const okta = byRef.get("okta/Engineering (group)");
    if (okta) add(subject, okta, "standing");
    const standard = resolve([...BASELINE, ...(person.team ? TEAM_STANDARD[person.team] : [])]);
    for (const e of rng.sample(standard, rng.int(1, 4))) add(subject, e, "standing");
    if (person.personaKey) continue;
    const privilegedTeam = person.team === "Platform" || person.team === "SRE" || person.team === "Security" || person.team === "Identity";
    const manager = person.level !== "ic";
    if (manager || (privilegedTeam && rng.chance(0.6)) || rng.chance(0.1)) {
      const pool = resolve(TEAM_PRIVILEGED[person.level === "exec" ? "exec" : (person.team ?? "Platform")]);
      for (const e of rng.sample(pool, rng.int(1, person.level === "exec" ? 2 : 3))) add(subject, e, rng.chance(0.08) ? "eligible" : "standing");
    }
  }

  // Non-human identities: access in their own system, about 30% privileged or admin.
  for (const nhi of nhis) {
    const owner = nhi.ownerId ? peopleById.get(nhi.ownerId) : undefined;
    const approverId = owner ? (owner.managerId ?? owner.id) : null;
    const subject = {
      id: nhi.id,
      human: false,
      name: nhi.name,
      service: nhi.service,
      createdAt: nhi.createdAt,
      approverId,
      endsAt: nhi.disabledAt,
      decommissionedAt: nhi.endedAt,
    };
    const pool = bySystem.get(nhi.system.id) ?? [];
    const count = rng.weighted([1, 2, 3, 4], [35, 35, 20, 10]);
    const chosen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const r = rng.next();
      const level: PrivilegeLevel = r < 0.7 ? "standard" : r < 0.91 ? "privileged" : "admin";
      const candidates = pool.filter((e) => !chosen.has(e.id) && e.spec.level === level);
      const fallback = pool.filter((e) => !chosen.has(e.id));
      const list = candidates.length > 0 ? candidates : fallback;
      if (list.length === 0) break;
      const e = rng.pick(list);
      chosen.add(e.id);
      add(subject, e, "standing");
    }
  }

  return { rows, infos, liveKeys };
}
