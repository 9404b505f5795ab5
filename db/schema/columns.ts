import { timestamp, uuid } from "drizzle-orm/pg-core";

// Every timestamp is stored with its time zone: grants, expiries and audit rows
// are compared across regions and must never be read in server-local time.
export const tz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

// Random UUIDs so ids leak nothing about volume or order and can be generated
// by tests and importers without a round trip.
export const id = () => uuid("id").primaryKey().defaultRandom();

// Rows that are edited carry both times; created_at never changes after insert.
export const timestamps = {
  createdAt: tz("created_at").notNull().defaultNow(),
  updatedAt: tz("updated_at").notNull().defaultNow(),
};
