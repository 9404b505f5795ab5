import { DEFAULT_ATTESTATION_INTERVAL_DAYS, type IdentityKind } from "../schema";
import { TEAM_NAMES, TEAM_NHI_WEIGHTS, TEAM_SERVICES, type SystemSpec, type TeamName } from "./catalog";
import { templates, uniqueName } from "./nhi-names";
import type { Org, Person } from "./org";
import { DAY, HOUR, Rng, SEED_BASE, WeightedPicker, between, daysAfter, daysBefore } from "./random";

export type NhiKind = Exclude<IdentityKind, "human">;

export type SeedSystem = { id: string; spec: SystemSpec; ownerId: string | null; awsWeight: number };

export type Nhi = {
  id: string;
  kind: NhiKind;
  name: string;
  externalId: string | null;
  system: SeedSystem;
  team: TeamName | null;
  service: string;
  ownerId: string | null;
  backupOwnerId: string | null;
  purpose: string;
  status: "active" | "disabled" | "decommissioned";
  createdAt: Date;
  /** When it was decommissioned (status decommissioned only). */
  endedAt: Date | null;
  /** When it was disabled (status disabled only): its access stays, its use stops. */
  disabledAt: Date | null;
  nextAttestationAt: Date | null;
  lastAttestedAt: Date | null;
};

const KINDS: readonly NhiKind[] = ["service_account", "api_key", "workload_role", "bot", "ai_agent", "certificate"];
const KIND_WEIGHTS = [35, 22, 20, 10, 7, 6];

/** How likely an NHI of a kind lives in a system (before the owner's team tilts it). */
function kindSystemWeight(kind: NhiKind, s: SeedSystem): number {
  const k = s.spec.kind;
  const n = s.spec.name;
  switch (kind) {
    case "service_account":
      if (k === "aws_account") return 1.2 * s.awsWeight;
      if (k === "kubernetes") return 3;
      if (k === "database") return 1.5;
      if (n === "snowflake-analytics") return 1.3;
      if (n === "datadog") return 0.7;
      if (k === "idp") return 0.8;
      if (k === "vault") return 1.2;
      return 0.3;
    case "api_key":
      if (n === "datadog") return 3;
      if (k === "github") return 2.5;
      if (k === "idp") return 1;
      if (n === "snowflake-analytics") return 1;
      if (k === "vault") return 1.5;
      return 0;
    case "workload_role":
      if (k === "aws_account") return 6 * s.awsWeight;
      if (k === "vault") return 1;
      return 0;
    case "bot":
      if (k === "github") return 5;
      if (k === "kubernetes") return 1;
      if (n === "datadog") return 1;
      return 0;
    case "ai_agent":
      if (k === "github") return 2;
      if (k === "aws_account") return s.awsWeight;
      if (n === "snowflake-analytics") return 1.5;
      if (n === "datadog") return 1;
      if (k === "idp") return 1;
      return 0;
    case "certificate":
      if (k === "kubernetes") return 2;
      if (k === "vault") return 1.5;
      if (k === "aws_account") return s.awsWeight;
      if (k === "idp") return 0.5;
      return 0;
  }
}

function teamAffinity(team: TeamName | null, s: SeedSystem): number {
  const k = s.spec.kind;
  const n = s.spec.name;
  if (k === "database") return team === "Payments" ? 4 : team === "Data" || team === "SRE" ? 1 : 0.2;
  switch (team) {
    case "Data":
      return n === "snowflake-analytics" ? 5 : 1;
    case "SRE":
      return n === "datadog" ? 2.5 : k === "kubernetes" ? 1.5 : 1;
    case "Security":
      return k === "vault" ? 3 : 1;
    case "Identity":
      return k === "idp" ? 5 : 1;
    case "Platform":
      return k === "github" ? 1.5 : k === "aws_account" ? 1.3 : 1;
    default:
      return 1;
  }
}

/** The NHIs: kind, system, owner, purpose and attestation state. */
export function buildNhis(count: number, org: Org, systems: SeedSystem[], now: Date, ids: Rng): Nhi[] {
  const rng = new Rng(SEED_BASE + 2);
  const { people, byPersona } = org;
  const marcus = byPersona.owner;

  const ownerWeight = (p: Person) => {
    if (p.level === "exec") return p.title === "VP Engineering" ? 0.3 : 0.15;
    if (p.personaKey === "auditor") return 0.3;
    let w = p.team ? TEAM_NHI_WEIGHTS[p.team] : 1;
    if (p.level === "head" || p.level === "manager") w *= 1.6;
    if (p === marcus) w *= 0.6; // on top of the ones guaranteed below
    return w;
  };
  const owners = new WeightedPicker(people, people.map(ownerWeight));
  const teammates = new Map<TeamName, Person[]>();
  for (const team of TEAM_NAMES)
    teammates.set(
      team,
      people.filter((p) => p.team === team),
    );

  const kindPicker = new WeightedPicker(KINDS, KIND_WEIGHTS);
  const systemPickers = new Map<string, WeightedPicker<SeedSystem>>();
  const systemPicker = (kind: NhiKind, team: TeamName | null) => {
    const key = `${kind}:${team}`;
    let picker = systemPickers.get(key);
    if (!picker) {
      picker = new WeightedPicker(
        systems,
        systems.map((s) => kindSystemWeight(kind, s) * teamAffinity(team, s)),
      );
      systemPickers.set(key, picker);
    }
    return picker;
  };
  const clusters = systems.filter((s) => s.spec.kind === "kubernetes").map((s) => s.spec.name);
  const taken = new Map<string, Set<string>>(systems.map((s) => [s.id, new Set<string>()]));

  const guaranteedForMarcus = Math.min(30, count);
  const nhis: Nhi[] = [];
  for (let i = 0; i < count; i++) {
    // About 2% have no owner at all (always at least one).
    const orphanedAtBirth = i >= guaranteedForMarcus && (rng.chance(0.02) || i === guaranteedForMarcus + 7);
    const owner = orphanedAtBirth ? null : i < guaranteedForMarcus ? marcus : owners.pick(rng);
    const team = owner?.team ?? rng.pick(TEAM_NAMES);
    const kind = i < guaranteedForMarcus && i % 3 === 0 ? "workload_role" : kindPicker.pick(rng);
    const system = systemPicker(kind, team).pick(rng);
    // Prefer a name nobody in this system has taken; try other services before adding a number.
    const names = taken.get(system.id)!;
    let service = owner && rng.chance(0.5) ? owner.service : rng.pick(TEAM_SERVICES[team]);
    let options = templates(kind, system, service, rng, clusters);
    let fresh = options.filter((t) => !names.has(t.name));
    for (let attempt = 0; fresh.length === 0 && attempt < 4; attempt++) {
      service = rng.pick(attempt < 2 ? TEAM_SERVICES[team] : TEAM_SERVICES[rng.pick(TEAM_NAMES)]);
      options = templates(kind, system, service, rng, clusters);
      fresh = options.filter((t) => !names.has(t.name));
    }
    const template = fresh.length > 0 ? rng.pick(fresh) : rng.pick(options);
    const name = uniqueName(names, template.name, system.spec);
    names.add(name);
    let externalId = template.externalId ?? null;
    if (externalId && name !== template.name) externalId = externalId.slice(0, externalId.length - template.name.length) + name;

    let backupOwnerId: string | null = null;
    if (owner && !rng.chance(0.15)) {
      const mates = (owner.team ? teammates.get(owner.team)! : people).filter((p) => p !== owner);
      backupOwnerId = mates.length > 0 ? rng.pick(mates).id : owner.managerId;
    }

    const earliest = Math.max(owner ? owner.startedAt.getTime() + 7 * DAY : 0, now.getTime() - 1400 * DAY);
    const latest = owner?.leftAt ? owner.leftAt.getTime() - 30 * DAY : now.getTime() - 7 * DAY;
    const createdAt = between(rng, new Date(Math.min(earliest, latest - DAY)), new Date(latest));

    const roll = rng.next();
    const status: Nhi["status"] = roll < 0.03 ? "decommissioned" : roll < 0.04 ? "disabled" : "active";
    const endedAt =
      status === "decommissioned" ? between(rng, new Date(Math.max(createdAt.getTime() + 7 * DAY, now.getTime() - 200 * DAY)), daysBefore(now, 2)) : null;

    const disabledAt = status === "disabled" ? between(rng, new Date(Math.max(createdAt.getTime() + DAY, now.getTime() - 60 * DAY)), daysBefore(now, 3)) : null;

    let nextAttestationAt: Date | null = null;
    let lastAttestedAt: Date | null = null;
    if (status !== "decommissioned") {
      const overdue = rng.chance(0.12);
      // Scheduled as the default policy would have: due at most one interval ahead, one interval after the last attestation.
      nextAttestationAt = new Date(
        Math.floor(daysAfter(now, overdue ? -rng.int(1, 60) : rng.int(1, DEFAULT_ATTESTATION_INTERVAL_DAYS)).getTime() / HOUR) * HOUR,
      );
      const previous = daysBefore(nextAttestationAt, DEFAULT_ATTESTATION_INTERVAL_DAYS);
      if (previous > createdAt && previous < now) lastAttestedAt = previous;
    }

    nhis.push({
      id: ids.uuid(),
      kind,
      name,
      externalId,
      system,
      team,
      service,
      ownerId: owner?.id ?? null,
      backupOwnerId,
      purpose: template.purpose,
      status,
      createdAt,
      endedAt,
      disabledAt,
      nextAttestationAt,
      lastAttestedAt,
    });
  }
  return nhis;
}
