import { Faker, base, de, en, en_AU, en_HK, en_IN, en_NG, en_ZA, es, fr, it, nl, pl, pt_BR, sv, type LocaleDefinition } from "@faker-js/faker";
import type { Role } from "../schema";
import { ENGINEER_TITLES, TEAM_NAMES, TEAM_SERVICES, TEAM_SIZE_WEIGHTS, type TeamName } from "./catalog";
import { personas, type PersonaKey } from "./personas";
import { DAY, HOUR, Rng, SEED_BASE, daysBefore } from "./random";

export const EMAIL_DOMAIN = "acme.example";

export type PersonLevel = "exec" | "head" | "manager" | "ic";

export type Person = {
  id: string;
  /** Email local part, e.g. "marcus.chen". */
  name: string;
  displayName: string;
  email: string;
  title: string;
  team: TeamName | null;
  level: PersonLevel;
  managerId: string | null;
  personaKey: PersonaKey | null;
  status: "active" | "offboarded";
  startedAt: Date;
  leftAt: Date | null;
  roles: Role[];
  /** The service this person mostly works on (used in purposes and actions). */
  service: string;
};

export type Org = {
  people: Person[];
  byPersona: Record<PersonaKey, Person>;
  teamHeads: Partial<Record<TeamName, Person>>;
  cto: Person;
  vp: Person | null;
  leavers: Person[];
};

const MANAGER_SPAN = 8;

const PERSONA_START_DAYS: Record<PersonaKey, number> = {
  admin: 730,
  owner: 1460,
  reviewer: 910,
  approver: 1150,
  requester: 290,
  auditor: 620,
};

const PERSONA_SERVICE: Record<PersonaKey, string> = {
  admin: "secrets-scanner",
  owner: "terraform",
  reviewer: "payments-api",
  approver: "prometheus",
  requester: "ledger",
  auditor: "siem-forwarder",
};

/** An international engineering organisation: where the names come from, and how often. */
const NAME_LOCALES: [LocaleDefinition, number][] = [
  [en_AU, 14],
  [en_IN, 14],
  [de, 9],
  [fr, 8],
  [pt_BR, 7],
  [nl, 6],
  [it, 6],
  [es, 6],
  [en_HK, 6],
  [sv, 5],
  [pl, 5],
  [en_ZA, 5],
  [en_NG, 5],
];

const SURNAME_PARTICLE = /^(van|de|der|den|von|da|dos|du|le|la|di)\s/i;

/** Single given name; surname kept whole only when it starts with a particle ("de Vries"). */
function cleanName(first: string, last: string): [string, string] {
  const given = first.split(/\s+/)[0];
  const family = SURNAME_PARTICLE.test(last) ? last : last.split(/\s+/)[0];
  return [given, family];
}

function asciiSlug(value: string): string {
  return value
    .replace(/[łŁ]/g, "l")
    .replace(/[øØ]/g, "o")
    .replace(/[æÆ]/g, "ae")
    .replace(/ß/g, "ss")
    .replace(/[đĐ]/g, "d")
    .replace(/ı/g, "i")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z]/g, "");
}

/**
 * People, teams and reporting lines. Always contains the six personas; the
 * rest are generated with faker from a fixed seed, so the same count gives the
 * same names.
 */
export function buildOrg(count: number, now: Date, ids: Rng): Org {
  const rng = new Rng(SEED_BASE + 1);
  const fakers = NAME_LOCALES.map(([locale], i) => {
    const f = new Faker({ locale: [locale, en, base] });
    f.seed(SEED_BASE + i);
    return f;
  });
  const localeWeights = NAME_LOCALES.map(([, w]) => w);
  const randomName = (): [string, string] => {
    const faker = rng.weighted(fakers, localeWeights);
    const sex = faker.person.sex() as "female" | "male";
    return cleanName(faker.person.firstName(sex), faker.person.lastName(sex));
  };

  const total = Math.max(8, count);
  const people: Person[] = [];
  const usedEmails = new Set<string>(personas.map((p) => p.email));

  const newPerson = (team: TeamName | null, level: PersonLevel, title: string, startDaysAgo: number): Person => {
    let [first, last] = randomName();
    let local = `${asciiSlug(first)}.${asciiSlug(last)}`;
    for (let attempt = 0; usedEmails.has(`${local}@${EMAIL_DOMAIN}`) || local.length < 3; attempt++) {
      if (attempt < 5) {
        [first, last] = randomName();
        local = `${asciiSlug(first)}.${asciiSlug(last)}`;
      } else {
        local = `${asciiSlug(first)}.${asciiSlug(last)}${attempt - 3}`;
      }
    }
    const email = `${local}@${EMAIL_DOMAIN}`;
    usedEmails.add(email);
    return {
      id: ids.uuid(),
      name: local,
      displayName: `${first} ${last}`,
      email,
      title,
      team,
      level,
      managerId: null,
      personaKey: null,
      status: "active",
      startedAt: startOfWorkDay(daysBefore(now, startDaysAgo)),
      leftAt: null,
      roles: level === "ic" ? ["requester"] : ["reviewer", "owner", "requester"],
      service: team ? rng.pick(TEAM_SERVICES[team]) : "backstage",
    };
  };

  // 1. The personas, exactly as the sign-in page shows them.
  const byPersona = {} as Record<PersonaKey, Person>;
  for (const p of personas) {
    const level: PersonLevel = p.key === "reviewer" || p.key === "approver" || p.key === "auditor" ? "head" : "ic";
    const person: Person = {
      id: ids.uuid(),
      name: p.email.split("@")[0],
      displayName: p.name,
      email: p.email,
      title: p.title,
      team: p.team,
      level,
      managerId: null,
      personaKey: p.key,
      status: "active",
      startedAt: startOfWorkDay(daysBefore(now, PERSONA_START_DAYS[p.key])),
      leftAt: null,
      roles: [...p.roles],
      service: PERSONA_SERVICE[p.key],
    };
    byPersona[p.key] = person;
    people.push(person);
  }

  // 2. The executives, one early engineer, the remaining team heads, then everyone else.
  // The engineer comes before the VP so that even the smallest organisation has a leaver.
  const cto = newPerson(null, "exec", "Chief Technology Officer", rng.int(1900, 2600));
  people.push(cto);
  if (people.length < total) people.push(newPerson("Platform", "ic", rng.pick(ENGINEER_TITLES.Platform), rng.int(200, 1500)));
  let vp: Person | null = null;
  if (people.length < total) {
    vp = newPerson(null, "exec", "VP Engineering", rng.int(1200, 1900));
    people.push(vp);
  }

  const teamHeads: Partial<Record<TeamName, Person>> = {
    Payments: byPersona.reviewer,
    SRE: byPersona.approver,
    Security: byPersona.auditor,
  };
  for (const team of ["Platform", "Data", "Identity", "Mobile", "Growth"] as const) {
    if (people.length >= total) break;
    const head = newPerson(team, "head", `Engineering Manager, ${team}`, rng.int(500, 2000));
    teamHeads[team] = head;
    people.push(head);
  }

  // Everyone else, apportioned to teams by size (largest remainder), in shuffled order.
  const remaining = total - people.length;
  const exact = TEAM_NAMES.map((t) => remaining * TEAM_SIZE_WEIGHTS[t]);
  const seats = exact.map(Math.floor);
  const byRemainder = TEAM_NAMES.map((_, i) => i).sort((a, b) => exact[b] - seats[b] - (exact[a] - seats[a]) || a - b);
  for (let k = 0; seats.reduce((x, y) => x + y, 0) < remaining; k++) seats[byRemainder[k % byRemainder.length]]++;
  const slots = rng.sample(
    TEAM_NAMES.flatMap((t, i) => Array.from({ length: seats[i] }, () => t)),
    remaining,
  );
  for (const team of slots) people.push(newPerson(team, "ic", rng.pick(ENGINEER_TITLES[team]), rng.int(20, 1600)));

  // 3. Larger organisations get line managers under each head, about one per eight engineers.
  const managersOf = new Map<TeamName, Person[]>();
  for (const team of TEAM_NAMES) {
    const members = people.filter((p) => p.team === team && p.level === "ic");
    const head = teamHeads[team];
    const generated = members.filter((p) => !p.personaKey);
    const extra = Math.max(0, Math.ceil(members.length / MANAGER_SPAN) - 1);
    const lineManagers = generated.slice(0, Math.min(extra, generated.length));
    for (const m of lineManagers) {
      m.level = "manager";
      m.title = `Engineering Manager, ${team}`;
      m.roles = ["reviewer", "owner", "requester"];
    }
    managersOf.set(team, [...(head ? [head] : []), ...lineManagers]);
  }

  // 4. Reporting lines.
  const top = vp ?? cto;
  if (vp) vp.managerId = cto.id;
  for (const team of TEAM_NAMES) {
    const head = teamHeads[team];
    if (!head) continue;
    if (team === "Security") head.managerId = cto.id;
    else if (team === "Identity") head.managerId = teamHeads.Security?.id ?? top.id;
    else head.managerId = top.id;
  }
  for (const team of TEAM_NAMES) {
    const managers = managersOf.get(team) ?? [];
    const head = teamHeads[team];
    const lines = managers.filter((m) => m !== head);
    for (const m of lines) m.managerId = head?.id ?? top.id;
    const ics = people.filter((p) => p.team === team && p.level === "ic");
    ics.forEach((p, i) => {
      if (p.personaKey === "requester") p.managerId = byPersona.reviewer.id;
      else if (p.personaKey === "admin") p.managerId = byPersona.auditor.id;
      else if (p.personaKey === "owner") p.managerId = head?.id ?? top.id;
      else p.managerId = lines.length > 0 ? lines[i % lines.length].id : (head?.id ?? top.id);
    });
  }

  // 5. About one in twenty people has left; their leave has not been processed yet.
  const leaverCandidates = people.filter((p) => p.level === "ic" && !p.personaKey);
  const leaverCount = Math.min(leaverCandidates.length, Math.max(1, Math.round(total * 0.05)));
  const leavers = rng.sample(leaverCandidates, leaverCount);
  for (const p of leavers) {
    p.status = "offboarded";
    p.startedAt = startOfWorkDay(daysBefore(now, rng.int(240, 1500)));
    p.leftAt = new Date(daysBefore(now, rng.int(4, 26)).getTime() + 17 * HOUR);
  }

  // Managers before their reports (a stable sort: the CTO precedes the VP, the
  // Security head precedes the Identity head), so every row a batch points at exists.
  const rank: Record<PersonLevel, number> = { exec: 0, head: 1, manager: 2, ic: 3 };
  const sorted = people
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank[a.p.level] - rank[b.p.level] || a.i - b.i)
    .map(({ p }) => p);

  return { people: sorted, byPersona, teamHeads, cto, vp, leavers };
}

function startOfWorkDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY) * DAY + 9 * HOUR);
}
