import type { systemKinds } from "@/db/schema";
import { awsPermissionModel } from "./aws/model";
import { githubPermissionModel } from "./github/model";
import { k8sPermissionModel } from "./k8s/model";
import { postgresPermissionModel } from "./postgres/model";
import type { ActionCatalogue } from "./aws/catalogue";

export type { ActionCatalogue };
export type SystemKind = (typeof systemKinds)[number];

/** Whether a system's log records a use of an action: always, only where the logging of its service was seen, or never. */
export type Observability = "observable" | "data-event" | "permission-only";

/**
 * How one kind of system names and grants actions: what reconciliation needs
 * to judge approved against used without knowing the system. A new system
 * with action-level permissions is a folder under lib/permissions/ holding its
 * model, and an entry in `permissionModels`.
 */
export type PermissionModel = {
  /** Whether a statement's action pattern covers an action. */
  actionMatches: (pattern: string, action: string) => boolean;
  /** Used without approval, is this action the most severe case (it changes who may do what)? */
  isSensitive: (action: string) => boolean;
  /** Whether the system's log records a use of the action; `servicesSeen` holds the services whose optional logging was seen. */
  observability: (action: string, servicesSeen: ReadonlySet<string>) => Observability;
  /** Every action the system knows, to list approved actions never used (none known without it). */
  catalogue?: () => Promise<ActionCatalogue>;
};

const permissionModels = {
  aws_account: awsPermissionModel,
  kubernetes: k8sPermissionModel,
  github: githubPermissionModel,
  database: postgresPermissionModel,
} satisfies Partial<Record<SystemKind, PermissionModel>>;

export const NO_ACTIONS: ActionCatalogue = { actions: [], services: new Set(), version: null, canonical: () => undefined, expand: () => [] };

/**
 * For a system without a model of its own: a pattern covers exactly the
 * action it names (or every action, as `*`), nothing is more sensitive than
 * its entitlement says, and the log is taken to record every use.
 */
export const literalPermissionModel: PermissionModel = {
  actionMatches: (pattern, action) => pattern === "*" || pattern === action,
  isSensitive: () => false,
  observability: () => "observable",
};

/** The permission model of a kind of system (the literal one where it has none). */
export const permissionModelOf = (kind: SystemKind | null | undefined): PermissionModel =>
  (kind && (permissionModels as Partial<Record<SystemKind, PermissionModel>>)[kind]) || literalPermissionModel;
