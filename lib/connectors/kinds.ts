import type { ConnectorKind } from "@/db/schema";

/**
 * What the browser needs to know of each kind of connector: its name and the
 * words and fields of its form. The form, the list and the connector page
 * iterate this, so a new kind is its driver (lib/connectors/<kind>.ts, which
 * owns its settings, their checks and their redaction) plus an entry here.
 * Browser-safe: types only from the schema.
 */
export type ConnectorDescriptor = {
  label: string;
  /** Which system it serves, in the form's words. */
  system: { required: boolean; label: string; none: string };
  url: { label: string; placeholder: string };
  /** The URL may instead be named by an environment variable (keeps a password out of the database). */
  urlEnv?: { label: string; placeholder: string };
  /** It can read the target's actual state ("Check target now"). */
  readsState: boolean;
  /** What to tell the admin about a secret generated for it, shown once. */
  secretNote?: string;
};

export const connectorDescriptors = {
  webhook: {
    label: "Signed webhook",
    system: { required: false, label: "System (optional: only its events)", none: "Every system" },
    url: { label: "Receiver URL", placeholder: "https://hooks.example.com/gov" },
    readsState: false,
    secretNote: "Receivers verify X-Gov-Signature (t=…,v1=HMAC-SHA256 of “t.body”) with it, and drop repeats by X-Gov-Delivery.",
  },
  postgres: {
    label: "PostgreSQL roles",
    system: { required: true, label: "System (whose entitlements are database roles)", none: "Choose…" },
    url: { label: "Connection URL (postgres://…)", placeholder: "postgres://gov@db.internal:5432/postgres" },
    urlEnv: { label: "…or the environment variable holding it (keeps the password out of the database)", placeholder: "PAYMENTS_DB_ADMIN_URL" },
    readsState: true,
  },
  ssh: {
    label: "SSH certificates",
    system: { required: true, label: "System (whose entitlements are SSH principals)", none: "Choose…" },
    url: { label: "Revocation list file (where the hosts' RevokedKeys is read from; optional)", placeholder: "/etc/ssh/gov-revoked.krl" },
    readsState: false,
  },
  ldap: {
    label: "Directory groups (LDAP)",
    system: { required: true, label: "System (whose entitlements are directory groups, by DN)", none: "Choose…" },
    url: {
      label: "Directory URL: ldap://<bind DN>:<password>@host:389/<container for per-grant accounts>",
      placeholder: "ldap://cn=gov,dc=example,dc=org:secret@ldap.internal:389/ou=gov-grants,dc=example,dc=org",
    },
    urlEnv: { label: "…or the environment variable holding it (keeps the password out of the database)", placeholder: "CORP_LDAP_URL" },
    readsState: true,
  },
} as const satisfies Record<ConnectorKind, ConnectorDescriptor>;

/** The kinds in the order the form offers them. */
export const connectorKindOrder = Object.keys(connectorDescriptors) as ConnectorKind[];

/** The kinds that issue a JIT grant its own short-lived credential (a login role, a certificate, a directory account). */
export const credentialConnectorKinds: ConnectorKind[] = ["postgres", "ssh", "ldap"];
