import type { Tx } from "@/db/client";
import type { Actor } from "@/lib/audit/record";
import { applyLifecycle, type LifecycleType } from "./apply";

/** Who changes a person's placement, and the lifecycle source the signals name ("scim:okta", "admin"). */
export type PlacementChange = { actor: Actor; source: string };

export type Placement = { status: string; managerId: string | null; teamId: string | null };

/**
 * Which lifecycle signal a change to a person is, if any:
 * - leaver when they stop being active (only on that transition, so a
 *   repeated deactivation processes nothing twice);
 * - joiner when they become active again;
 * - mover when, staying active, their manager or primary team changes away
 *   from a previous value. A first manager or first team (the PATCHes that
 *   follow a create) and joining an extra group are not moves.
 */
export function lifecycleOf(before: Placement, after: Placement & { active: boolean }): LifecycleType | null {
  const wasActive = before.status === "active";
  if (wasActive && !after.active) return "leaver";
  if (!wasActive && after.active) return "joiner";
  if (!wasActive) return null;
  const managerMoved = before.managerId !== null && before.managerId !== after.managerId;
  const teamMoved = before.teamId !== null && before.teamId !== after.teamId;
  return managerMoved || teamMoved ? "mover" : null;
}

/** Records the signal and acts on it (grants ended, NHIs re-homed, reviews opened) in the change's transaction. */
export async function signal(tx: Tx, ctx: PlacementChange, identityId: string, type: LifecycleType, details: Record<string, unknown>) {
  return applyLifecycle(tx, ctx.actor, { identityId, type, source: ctx.source, details });
}

export function moveDetails(before: Placement, after: Placement) {
  const details: Record<string, unknown> = {};
  if (before.managerId !== after.managerId) details.managerId = { from: before.managerId, to: after.managerId };
  if (before.teamId !== after.teamId) details.teamId = { from: before.teamId, to: after.teamId };
  return details;
}
