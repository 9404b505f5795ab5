import { count, sql } from "drizzle-orm";
import { usageDaily, usageRollups } from "../schema";
import type { Tx } from "../client";
import { compactErrors } from "./insert";
import type { GrantInfo, SeedEntitlement } from "./grants";
import { SEED_PAM_SOURCE, type SessionUsage } from "./jit";
import type { Nhi, SeedSystem } from "./nhis";
import type { Org, Person } from "./org";
import { DAY, HOUR, MINUTE, Rng, SEED_BASE, daysBefore } from "./random";

export const USAGE_WINDOW_DAYS = 90;
const BATCH = 5000;

/**
 * Buffers events and writes them in batches through json_to_recordset: one
 * bind parameter per statement, whatever the batch size, on PostgreSQL and PGlite.
 * Each event is kept as its JSON text only (short keys), so millions of events
 * leave little garbage behind.
 */
class EventSink {
  private buffer: string[] = [];
  private first = Infinity;
  private last = -Infinity;
  count = 0;

  constructor(
    private readonly tx: Tx,
    private readonly rng: Rng,
  ) {}

  add(
    identityId: string,
    entitlementId: string | null,
    system: SeedSystem,
    action: string,
    outcome: "success" | "denied",
    sessionId: string | null,
    at: number,
    source = system.spec.source,
  ) {
    this.count++;
    this.first = Math.min(this.first, at);
    this.last = Math.max(this.last, at);
    const received = at + 2000 + Math.floor(this.rng.next() * 300_000);
    this.buffer.push(
      `{"e":"seed-${this.count}","s":"${source}","i":"${identityId}","n":${entitlementId ? `"${entitlementId}"` : "null"},"y":"${system.id}",` +
        `"a":${JSON.stringify(action)},"o":"${outcome}","x":${sessionId === null ? "null" : JSON.stringify(sessionId)},` +
        `"t":"${new Date(at).toISOString()}","r":"${new Date(received).toISOString()}"}`,
    );
  }

  async maybeFlush() {
    if (this.buffer.length >= BATCH) await this.flush();
  }

  async flush() {
    if (this.buffer.length === 0) return;
    const json = `[${this.buffer.join(",")}]`;
    this.buffer = [];
    // The month partitions these events land in (migration 0024).
    await this.tx.execute(
      sql`select usage_events_cover(${new Date(this.first).toISOString()}::timestamptz, ${new Date(this.last).toISOString()}::timestamptz)`,
    );
    await compactErrors("usage_events", () =>
      this.tx.execute(sql`
      insert into usage_events (event_id, source, identity_id, entitlement_id, system_id, action, outcome, session_id, occurred_at, received_at)
      select j.e, j.s, j.i, j.n, j.y, j.a, j.o::usage_outcome, j.x, j.t, j.r
      from json_to_recordset((${json}::text)::json) as j(e text, s text, i uuid, n uuid, y uuid, a text, o text, x text, t timestamptz, r timestamptz)`),
    );
  }
}

/** A stable per-(identity, day) session handle, so one person's events that day share a session. */
function daySession(identityId: string, day: number): string {
  let h = 0x811c9dc5;
  const key = `${identityId}:${day}`;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return `okta-sess-${h.toString(16).padStart(8, "0")}${(day % 4096).toString(16).padStart(3, "0")}`;
}

type Profile = "daily" | "weekly" | "rare" | "unused";

export type UsageInput = {
  org: Org;
  nhis: Nhi[];
  grants: GrantInfo[];
  liveKeys: Set<string>;
  /** Commands run in PAM sessions under just-in-time grants. */
  sessions: SessionUsage[];
  entitlements: SeedEntitlement[];
  systems: SeedSystem[];
  now: Date;
  log: (msg: string) => void;
};

export type UsageCounts = { usageEvents: number; usageRollups: number; usageDaily: number };

export async function seedUsage(tx: Tx, input: UsageInput): Promise<UsageCounts> {
  const { org, nhis, grants, liveKeys, sessions, entitlements, systems, now, log } = input;
  const rng = new Rng(SEED_BASE + 5);
  const t0 = performance.now();
  const since = () => `${Math.round(performance.now() - t0)} ms`;
  const sink = new EventSink(tx, new Rng(SEED_BASE + 6));
  const nowMs = now.getTime();
  const windowStart = daysBefore(now, USAGE_WINDOW_DAYS).getTime();
  const firstDay = Math.floor(windowStart / DAY);

  const action = (ent: SeedEntitlement, service: string) => rng.pick(ent.spec.actions).replace("{svc}", service);
  const outcome = () => (rng.chance(0.02) ? "denied" : "success");
  const session = (g: { identityId: string; human: boolean; identityName: string; entitlement: SeedEntitlement }, at: number) => {
    if (g.human) return daySession(g.identityId, Math.floor(at / DAY));
    if (g.entitlement.system.spec.kind === "aws_account" && rng.chance(0.5)) return `${g.identityName.slice(0, 40)}-${Math.floor(at / 1000)}`;
    return rng.chance(0.25) ? `sess-${rng.hex(12)}` : null;
  };
  const humanHour = () => (8 + rng.int(0, 10)) * HOUR + rng.int(0, 59) * MINUTE + rng.int(0, 59) * 1000;
  const emit = (g: GrantInfo, at: number) =>
    sink.add(g.identityId, g.entitlement.id, g.entitlement.system, action(g.entitlement, g.service), outcome(), session(g, at), at);

  // 1. Usage of granted access, by profile. Privileged access is more often left unused.
  let grantsDone = 0;
  for (const g of grants) {
    grantsDone++;
    if (g.type === "eligible") continue;
    const privileged = g.entitlement.spec.level !== "standard";
    const profile = rng.weighted<Profile>(["daily", "weekly", "rare", "unused"], privileged ? [15, 15, 18, 52] : [30, 22, 13, 35]);
    if (profile === "unused") continue;
    const from = Math.max(windowStart, g.startsAt.getTime());
    const to = Math.min(nowMs, g.endsAt ? g.endsAt.getTime() : nowMs);
    if (to <= from) continue;
    const inRange = (t: number) => t >= from && t < to;
    const cronHour = rng.int(0, 23) * HOUR + rng.int(0, 59) * MINUTE;
    const weekday = rng.int(0, 6);
    for (let day = Math.floor(from / DAY); day * DAY < to; day++) {
      const start = day * DAY;
      const dow = new Date(start).getUTCDay();
      const weekend = dow === 0 || dow === 6;
      if (profile === "daily") {
        if (g.human ? rng.chance(weekend ? 0.9 : 0.2) : rng.chance(0.04)) continue;
        const n = 1 + (rng.chance(0.25) ? rng.int(1, 2) : 0);
        for (let k = 0; k < n; k++) {
          const at = start + (g.human ? humanHour() : k === 0 ? cronHour + rng.int(0, 120) * 1000 : rng.int(0, DAY - 1));
          if (inRange(at)) emit(g, at);
        }
      } else if (profile === "weekly") {
        if ((dow + 7 - weekday) % 7 !== 0 || rng.chance(0.1)) continue;
        const n = rng.int(1, 3);
        for (let k = 0; k < n; k++) {
          const at = start + (g.human ? humanHour() : cronHour + k * rng.int(1, 40) * MINUTE);
          if (inRange(at)) emit(g, at);
        }
      }
    }
    if (profile === "rare") {
      // A handful of uses in the first half of the window, nothing since.
      const half = windowStart + (USAGE_WINDOW_DAYS / 2) * DAY;
      const n = rng.int(1, 4);
      for (let k = 0; k < n; k++) {
        const at = windowStart + Math.floor(rng.next() * (half - windowStart));
        if (inRange(at)) emit(g, at);
      }
    }
    await sink.maybeFlush();
    if (grantsDone % 50_000 === 0) log(`usage: ${grantsDone}/${grants.length} grants, ${sink.count} events`);
  }
  // 1b. Just-in-time windows, as the PAM bastion recorded them.
  for (const u of sessions) sink.add(u.identityId, u.entitlementId, u.system, u.action, "success", u.sessionId, u.at, SEED_PAM_SOURCE);
  await sink.maybeFlush();
  const granted = sink.count;

  // 2. Sign-ins to Okta (no entitlement): every working day for each person while employed.
  const okta = systems.find((s) => s.spec.name === "okta");
  if (okta) {
    for (const person of org.people) {
      const from = Math.max(windowStart, person.startedAt.getTime());
      const to = person.leftAt ? person.leftAt.getTime() : nowMs;
      for (let day = Math.floor(from / DAY); day * DAY < to; day++) {
        const dow = new Date(day * DAY).getUTCDay();
        if (!rng.chance(dow === 0 || dow === 6 ? 0.1 : 0.88)) continue;
        const at = day * DAY + 7 * HOUR + rng.int(0, 180) * MINUTE;
        if (at < from || at >= to) continue;
        const sess = daySession(person.id, day);
        if (rng.chance(0.03)) sink.add(person.id, null, okta, "user.session.start", "denied", sess, at - 2 * MINUTE);
        sink.add(person.id, null, okta, "user.session.start", "success", sess, at);
      }
      await sink.maybeFlush();
    }
  }

  // 3. Used after offboarding: leavers whose access still works.
  for (const leaver of org.leavers) {
    if (!leaver.leftAt) continue;
    const mine = grants.filter((g) => g.identityId === leaver.id && g.type === "standing" && liveKeys.has(`${g.identityId}:${g.entitlement.id}`));
    const after = leaver.leftAt.getTime() + 2 * HOUR;
    if (after >= nowMs - HOUR) continue;
    const when = () => after + Math.floor(rng.next() * (nowMs - HOUR - after));
    for (const g of rng.sample(mine, 2)) {
      for (let k = rng.int(2, 6); k > 0; k--) {
        const at = when();
        sink.add(
          g.identityId,
          g.entitlement.id,
          g.entitlement.system,
          action(g.entitlement, g.service),
          "success",
          daySession(leaver.id, Math.floor(at / DAY)),
          at,
        );
      }
    }
    if (okta) {
      for (let k = rng.int(1, 3); k > 0; k--) {
        const at = when();
        sink.add(leaver.id, null, okta, "user.session.start", "success", daySession(leaver.id, Math.floor(at / DAY)), at);
      }
    }
  }

  // 4. Used without approval: about 1% of events exercise access no live grant backs.
  const target = Math.round(granted * 0.01);
  const activeNhis = nhis.filter((n) => n.status === "active");
  const activePeople = org.people.filter((p) => p.status === "active");
  const bySystem = new Map<string, SeedEntitlement[]>();
  for (const e of entitlements) bySystem.set(e.system.id, [...(bySystem.get(e.system.id) ?? []), e]);
  const unapproved = new Set<string>();
  const start = sink.count;
  for (let attempt = 0; sink.count - start < target && attempt < target * 4 + 20; attempt++) {
    let subject: { id: string; human: boolean; name: string; service: string; system: SeedSystem };
    if (activeNhis.length > 0 && rng.chance(0.85)) {
      const n = rng.pick(activeNhis);
      subject = { id: n.id, human: false, name: n.name, service: n.service, system: n.system };
    } else {
      const p: Person = rng.pick(activePeople);
      subject = { id: p.id, human: true, name: p.name, service: p.service, system: rng.pick(systems) };
    }
    const candidates = (bySystem.get(subject.system.id) ?? []).filter(
      (e) => !liveKeys.has(`${subject.id}:${e.id}`) && !unapproved.has(`${subject.id}:${e.id}`),
    );
    if (candidates.length === 0) continue;
    const ent = rng.pick(candidates);
    unapproved.add(`${subject.id}:${ent.id}`);
    const g = { identityId: subject.id, human: subject.human, identityName: subject.name, entitlement: ent };
    const firstDayOfUse = Math.floor(nowMs / DAY) - rng.int(3, 30);
    for (let k = rng.int(5, 25); k > 0; k--) {
      const at = (firstDayOfUse + rng.int(0, Math.floor(nowMs / DAY) - firstDayOfUse - 1)) * DAY + (subject.human ? humanHour() : rng.int(0, DAY - 1));
      if (at >= nowMs) continue;
      sink.add(subject.id, ent.id, ent.system, action(ent, subject.service), "success", session(g, at), at);
    }
    await sink.maybeFlush();
  }
  await sink.flush();
  log(
    `usage: ${sink.count} events from ${new Date(firstDay * DAY).toISOString().slice(0, 10)} (${granted} on grants, ${sink.count - start} without one) in ${since()}`,
  );

  // 5. Roll-ups, the way ingest maintains them: per pair, and per pair and day.
  await tx.execute(sql`
    insert into usage_rollups (identity_id, entitlement_id, first_used_at, last_used_at, success_count, denied_count, last_denied_at)
    select identity_id, entitlement_id,
      min(occurred_at) filter (where outcome = 'success'),
      max(occurred_at) filter (where outcome = 'success'),
      (count(*) filter (where outcome = 'success'))::int,
      (count(*) filter (where outcome = 'denied'))::int,
      max(occurred_at) filter (where outcome = 'denied')
    from usage_events
    where entitlement_id is not null
    group by identity_id, entitlement_id`);
  await tx.execute(sql`
    update identities i set last_used_at = r.last_used
    from (select identity_id, max(last_used_at) as last_used from usage_rollups group by identity_id) r
    where i.id = r.identity_id and r.last_used is not null`);
  log(`usage: roll-ups built (${since()})`);
  await tx.execute(sql`
    insert into usage_daily (identity_id, entitlement_id, day, success_count, denied_count, hour_mask)
    select identity_id, entitlement_id, (occurred_at at time zone 'UTC')::date,
      (count(*) filter (where outcome = 'success'))::int,
      (count(*) filter (where outcome = 'denied'))::int,
      coalesce(bit_or(1 << extract(hour from occurred_at at time zone 'UTC')::int) filter (where outcome = 'success'), 0)
    from usage_events
    where entitlement_id is not null
    group by 1, 2, 3`);
  await tx.execute(sql`
    insert into usage_action_daily (identity_id, action, day, success_count, denied_count, first_at, last_at, last_success_at)
    select identity_id, action, (occurred_at at time zone 'UTC')::date,
      (count(*) filter (where outcome = 'success'))::int, (count(*) filter (where outcome = 'denied'))::int,
      min(occurred_at), max(occurred_at), max(occurred_at) filter (where outcome = 'success')
    from usage_events
    group by 1, 2, 3`);
  log(`usage: daily roll-ups built (${since()})`);

  // 6. The newest active credential of each identity was the one last used; older keys sit idle.
  await tx.execute(sql`
    update credentials c set last_used_at = u.last_used
    from (
      select distinct on (c2.identity_id) c2.id,
        (select max(e.occurred_at) from usage_events e
          where e.identity_id = c2.identity_id and e.outcome = 'success' and e.occurred_at >= c2.issued_at) as last_used
      from credentials c2
      where c2.status = 'active'
      order by c2.identity_id, c2.issued_at desc
    ) u
    where c.id = u.id and u.last_used is not null`);
  log(`usage: credential last use set (${since()})`);

  const [rollups] = await tx.select({ n: count() }).from(usageRollups);
  const [daily] = await tx.select({ n: count() }).from(usageDaily);
  return { usageEvents: sink.count, usageRollups: rollups?.n ?? 0, usageDaily: daily?.n ?? 0 };
}
