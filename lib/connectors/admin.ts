import { and, count, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db/client";
import { accessEvents, connectorDeliveries, connectorKinds, connectors, deliveryStatus, systems } from "@/db/schema";
import { auditedTransaction, recordAudit } from "@/lib/audit/record";
import { actorOf, requireRole, type Caller } from "@/lib/caller";
import { ConflictError, NotFoundError, ValidationError, isUniqueViolation, parseInput, withoutBlanks } from "@/lib/errors";
import { enqueue } from "@/lib/jobs/enqueue";
import { offsetOf, pageFields, paged } from "@/lib/paging";
import { DELIVER_QUEUE, drivers } from "./dispatch";
import { accessEventTypes, type ConnectorRow } from "./types";
import { integer, text } from "@/lib/validation/fields";

// Shared by adding and by changing a connector, so both answer with the same messages.
const eventTypesField = z.array(z.enum(accessEventTypes, { message: `Event types are: ${accessEventTypes.join(", ")}.` }));
const maxAttemptsField = integer("Attempts", 1, 20, { min: "At least one attempt.", max: "At most 20 attempts." });

const connectorInput = z
  .object({
    name: text().trim().min(3, "Name the connector in at least 3 characters.").max(80, "Keep the name under 80 characters."),
    kind: z.enum(connectorKinds, { message: `A connector is ${connectorKinds.join(" or ")}.` }),
    systemId: z.uuid("The system must be an id.").optional(),
    url: text().trim().max(2000).optional(),
    urlEnv: text()
      .trim()
      .regex(/^[A-Z_][A-Z0-9_]*$/, "An environment variable name, like TARGET_PG_URL.")
      .optional(),
    secret: text().min(16, "A signing secret has at least 16 characters.").max(200).optional(),
    eventTypes: eventTypesField.default([]),
    maxAttempts: maxAttemptsField.default(6),
  })
  .strict()
  // Each kind checks its own settings (lib/connectors/<kind>.ts).
  .superRefine((c, ctx) => {
    for (const [field, messages] of Object.entries(drivers[c.kind].check(c) ?? {}))
      for (const message of messages) ctx.addIssue({ code: "custom", message, path: [field] });
  });

/** Connector settings as shown to people: secrets never leave the server again. */
function redact(c: ConnectorRow) {
  return { ...c, config: drivers[c.kind].redact(c.config) };
}

/** Admins add connectors; a webhook's signing secret is generated unless given, and shown once. */
export async function createConnector(db: Db, caller: Caller, raw: unknown) {
  requireRole(caller, "admin");
  const input = parseInput(connectorInput, raw);
  const driver = drivers[input.kind];
  const unreachable = await driver.verify?.(input);
  if (unreachable) throw new ValidationError(unreachable);
  if (input.systemId) {
    const [system] = await db.select({ id: systems.id }).from(systems).where(eq(systems.id, input.systemId));
    if (!system) throw new ValidationError({ systemId: ["No such system."] });
  }
  const { config, shownOnce: secret } = driver.configure(input);
  return auditedTransaction(db, async (tx) => {
    let row: ConnectorRow;
    try {
      [row] = await tx
        .insert(connectors)
        .values({ name: input.name, kind: input.kind, systemId: input.systemId ?? null, config, eventTypes: input.eventTypes, maxAttempts: input.maxAttempts })
        .returning();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ValidationError({ name: ["A connector of that name exists."] });
      throw e;
    }
    await recordAudit(tx, actorOf(caller), { action: "connector.created", entityType: "connector", entityId: row.id, after: redact(row) });
    return { ...redact(row), ...(secret ? { signingSecret: secret } : {}) };
  });
}

/**
 * Connectors with their system's name and delivery counts by status. The
 * deliveries are read once, grouped by connector (a filter on one connector
 * reaches into the grouping), not once per status and connector.
 */
function connectorsWithStats(db: Tx) {
  const byStatus = (status: (typeof deliveryStatus.enumValues)[number]) =>
    sql<number>`count(*) filter (where ${connectorDeliveries.status} = ${status})`.as(status);
  const tally = db
    .select({
      connectorId: connectorDeliveries.connectorId,
      pending: byStatus("pending"),
      failed: byStatus("failed"),
      dead: byStatus("dead"),
      delivered: byStatus("delivered"),
      lastDeliveredAt: sql<Date | null>`max(${connectorDeliveries.deliveredAt})`.as("last_delivered_at"),
    })
    .from(connectorDeliveries)
    .groupBy(connectorDeliveries.connectorId)
    .as("tally");
  const counted = (n: typeof tally.pending) => sql<number>`coalesce(${n}, 0)`.mapWith(Number);
  return db
    .select({
      connector: connectors,
      systemName: systems.name,
      pending: counted(tally.pending),
      failed: counted(tally.failed),
      dead: counted(tally.dead),
      delivered: counted(tally.delivered),
      lastDeliveredAt: tally.lastDeliveredAt,
    })
    .from(connectors)
    .leftJoin(systems, eq(systems.id, connectors.systemId))
    .leftJoin(tally, eq(tally.connectorId, connectors.id))
    .$dynamic();
}

/** Every connector with its delivery counts and health; admins and auditors. */
export async function listConnectors(db: Tx, caller: Caller) {
  requireRole(caller, "admin", "auditor");
  const rows = await connectorsWithStats(db).orderBy(connectors.name);
  const undispatched = (await db.select({ n: count() }).from(accessEvents).where(isNull(accessEvents.deliveredAt)))[0].n;
  return { connectors: rows.map(({ connector, ...r }) => ({ ...redact(connector), ...r })), undispatched };
}

const deliveryQuery = z.object({
  status: z.enum(deliveryStatus.enumValues, { message: "Status is pending, delivered, failed or dead." }).optional(),
  ...pageFields,
});

/** One connector and its delivery log, newest first. */
export async function getConnector(db: Tx, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin", "auditor");
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Connector");
  const q = parseInput(deliveryQuery, withoutBlanks(raw));
  const [row] = await connectorsWithStats(db).where(eq(connectors.id, id));
  if (!row) throw new NotFoundError("Connector");
  const where = and(eq(connectorDeliveries.connectorId, id), q.status ? eq(connectorDeliveries.status, q.status) : undefined);
  const [deliveries, [{ n }]] = await Promise.all([
    db
      .select({ delivery: connectorDeliveries, eventType: accessEvents.type, payload: accessEvents.payload, emittedAt: accessEvents.createdAt })
      .from(connectorDeliveries)
      .innerJoin(accessEvents, eq(accessEvents.id, connectorDeliveries.accessEventId))
      .where(where)
      .orderBy(desc(connectorDeliveries.createdAt), desc(connectorDeliveries.id))
      .limit(q.pageSize)
      .offset(offsetOf(q)),
    db.select({ n: count() }).from(connectorDeliveries).where(where),
  ]);
  const { connector, ...rest } = row;
  return { connector: { ...redact(connector), ...rest }, deliveries: paged(deliveries, n, q) };
}

/** Enables or disables a connector, or changes its attempts or events. */
export async function updateConnector(db: Db, caller: Caller, id: string, raw: unknown) {
  requireRole(caller, "admin");
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Connector");
  const input = parseInput(
    z.object({ enabled: z.boolean().optional(), maxAttempts: maxAttemptsField.optional(), eventTypes: eventTypesField.optional() }).strict(),
    raw,
  );
  return auditedTransaction(db, async (tx) => {
    const [before] = await tx.select().from(connectors).where(eq(connectors.id, id)).for("update");
    if (!before) throw new NotFoundError("Connector");
    const change = {
      ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
      ...(input.maxAttempts ? { maxAttempts: input.maxAttempts } : {}),
      ...(input.eventTypes ? { eventTypes: input.eventTypes } : {}),
    };
    const [after] = await tx
      .update(connectors)
      .set({ ...change, updatedAt: new Date() })
      .where(eq(connectors.id, id))
      .returning();
    await recordAudit(tx, actorOf(caller), {
      action: "connector.updated",
      entityType: "connector",
      entityId: id,
      before: { enabled: before.enabled, maxAttempts: before.maxAttempts, eventTypes: before.eventTypes },
      after: change,
    });
    return redact(after);
  });
}

/** Sends a delivery that is not being attempted (failed, dead, or delivered) again, as a new round with fresh attempts. */
export async function redeliver(db: Db, caller: Caller, deliveryId: string) {
  requireRole(caller, "admin");
  if (!z.uuid().safeParse(deliveryId).success) throw new NotFoundError("Delivery");
  return auditedTransaction(db, async (tx) => {
    const [d] = await tx.select().from(connectorDeliveries).where(eq(connectorDeliveries.id, deliveryId)).for("update");
    if (!d) throw new NotFoundError("Delivery");
    if (d.status === "pending") throw new ConflictError("This delivery is still being attempted.");
    const round = d.round + 1;
    await tx
      .update(connectorDeliveries)
      .set({ status: "pending", attempts: 0, round, lastError: null, updatedAt: new Date() })
      .where(eq(connectorDeliveries.id, deliveryId));
    await enqueue(tx, DELIVER_QUEUE, { deliveryId }, { key: `deliver:${deliveryId}:${round}` });
    await recordAudit(tx, actorOf(caller), {
      action: "connector.redelivered",
      entityType: "connector_delivery",
      entityId: deliveryId,
      before: { status: d.status, attempts: d.attempts },
      after: { status: "pending", round },
    });
    return { id: deliveryId, status: "pending" as const, round };
  });
}

/** Reads a connector's target now: drift becomes findings; the connector records when and whether it worked. */
export async function checkConnector(db: Db, id: string) {
  const [c] = await db.select().from(connectors).where(eq(connectors.id, id));
  if (!c) throw new NotFoundError("Connector");
  const driver = drivers[c.kind];
  if (!driver.readState) return { checked: 0, unapproved: 0, missing: 0, unknownMembers: [], note: "this kind of connector has no state to read" };
  try {
    const report = await auditedTransaction(db, (tx) => driver.readState!(tx, c));
    await db.update(connectors).set({ lastCheckedAt: new Date(), lastError: null, updatedAt: new Date() }).where(eq(connectors.id, id));
    return report;
  } catch (error) {
    await db
      .update(connectors)
      .set({ lastCheckedAt: new Date(), lastError: (error as Error).message, updatedAt: new Date() })
      .where(eq(connectors.id, id));
    throw new ConflictError(`Reading the target failed: ${(error as Error).message}`);
  }
}

/** The admin's "check now". */
export async function checkConnectorNow(db: Db, caller: Caller, id: string) {
  requireRole(caller, "admin");
  if (!z.uuid().safeParse(id).success) throw new NotFoundError("Connector");
  return checkConnector(db, id);
}
