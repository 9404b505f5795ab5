"use client";

import { useState, useTransition } from "react";
import type { ConnectorKind } from "@/db/schema";
import type { HandedOutCredential } from "@/lib/jit/credential";
import type { RequestDetail } from "@/lib/jit/detail";
import { api, errorText } from "@/lib/http/client";
import { Button } from "@/components/ui/button";
import { formatDateTime } from "@/components/ui/format";

/** What the access gives, in the target's words: a database role, a directory group, an SSH certificate. */
function activationWords(activation: "membership" | "credential" | "both", target: ConnectorKind | null) {
  if (target === "ssh") return "You get an SSH certificate for your own key, which servers accept only inside this window, even if this product is down.";
  const [where, what, server] = target === "ldap" ? ["directory", "group", "directory"] : ["database", "role", "server"];
  return {
    membership: `Your own ${where} account is made a member of the ${what} for the window.`,
    credential: `You get a ${where} account of your own for this window: the ${server} refuses it after the window ends, even if this product is down.`,
    both: `Your own account is made a member of the ${what}, and you also get an account of your own that the ${server} refuses after the window ends.`,
  }[activation];
}

function Copyable({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  const [copied, setCopied] = useState(false);
  return (
    <div>
      <p className="text-xs font-medium text-slate-600">{label}</p>
      <div className="mt-0.5 flex items-start gap-2">
        <code
          className={`min-w-0 flex-1 break-all rounded bg-slate-100 px-2 py-1 text-xs ${secret ? "font-semibold" : ""}`}
          data-testid={`credential-${label.split(" (")[0].toLowerCase()}`}
        >
          {value}
        </code>
        <Button
          variant="small"
          aria-label={`Copy ${label.toLowerCase()}`}
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => setCopied(true));
          }}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </div>
  );
}

/** A password credential, shown this once: its rows (label, value, whether secret) and when the target stops taking it. */
function ShownOnce({ target, validUntil, rows }: { target: string; validUntil: string; rows: [string, string, boolean?][] }) {
  return (
    <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3" role="status">
      <p className="text-xs font-medium text-amber-900">
        Shown once: the password is kept nowhere. If you lose it, get a new one (this one then stops working). The {target} refuses it after{" "}
        {formatDateTime(validUntil)}.
      </p>
      {rows.map(([label, value, secret]) => (
        <Copyable key={label} label={label} value={value} secret={secret} />
      ))}
    </div>
  );
}

/**
 * The access's own credential: what was issued (account, validity, how often
 * handed out), and for the requester while the access is active, the button
 * that hands it out. The secret is shown here once, held only in this
 * component's memory; the page's refreshes keep it, leaving the page drops it.
 */
export function CredentialPanel({
  id,
  activation,
  credentials,
  certificates,
  target,
  canTake,
}: {
  id: string;
  activation: "membership" | "credential" | "both";
  credentials: RequestDetail["credentials"];
  certificates: RequestDetail["certificates"];
  /** The kind of target that issues the system's credentials (SSH: the requester brings a public key); null: none enabled. */
  target: ConnectorKind | null;
  canTake: boolean;
}) {
  const [shown, setShown] = useState<HandedOutCredential | null>(null);
  const [publicKey, setPublicKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const ssh = target === "ssh";
  const issued = credentials[0];
  const certificate = certificates[0];

  function take() {
    start(async () => {
      try {
        setShown(await api<HandedOutCredential>(`/api/v1/jit/requests/${id}/credential`, { body: ssh ? { publicKey } : {} }));
        setError(null);
      } catch (e) {
        setError(errorText(e));
      }
    });
  }

  return (
    <div className="space-y-3 text-sm" data-testid="credential-panel">
      <p className="text-slate-700">{activationWords(activation, target)}</p>
      {issued && (
        <p className="text-xs text-slate-600" data-testid="credential-issued">
          Account <code className="break-all">{issued.username}</code> on {issued.address.host}:{issued.address.port}
          {issued.address.database ? `/${issued.address.database}` : ""}
          {issued.address.group && (
            <>
              {" "}
              (member of <code className="break-all">{issued.address.group}</code>)
            </>
          )}
          , valid until {formatDateTime(issued.validUntil)}; handed out {issued.handedOutCount} time{issued.handedOutCount === 1 ? "" : "s"}, last{" "}
          {formatDateTime(issued.lastHandedOutAt)}.{issued.removedAt && ` Removed from the target ${formatDateTime(issued.removedAt)}.`}
        </p>
      )}
      {certificate && !shown && (
        <div className="space-y-1" data-testid="credential-issued">
          <p className="text-xs text-slate-600">
            Certificate serial {certificate.serial} for <code>{certificate.principals.join(", ")}</code> (key {certificate.keyFingerprint})
            {certificate.sourceAddresses.length > 0 && <> from {certificate.sourceAddresses.join(", ")} only</>}, valid {formatDateTime(certificate.validAfter)}{" "}
            – {formatDateTime(certificate.validBefore)}
            {certificate.revokedAt ? `; revoked ${formatDateTime(certificate.revokedAt)}.` : "."}
          </p>
          {!certificate.revokedAt && <Copyable label="Certificate" value={certificate.certificate} />}
        </div>
      )}
      {shown?.kind === "postgres_login" && (
        <ShownOnce
          target="server"
          validUntil={shown.validUntil}
          rows={[
            ["Username", shown.username],
            ["Password", shown.password, true],
            ["Connection string", shown.connectionString, true],
            ["psql (asks for the password)", shown.psql],
          ]}
        />
      )}
      {shown?.kind === "ldap_account" && (
        <ShownOnce
          target="directory"
          validUntil={shown.validUntil}
          rows={[
            ["Bind DN", shown.bindDn],
            ["Password", shown.password, true],
            ["Directory", shown.url],
            ["ldapwhoami (asks for the password)", shown.ldapwhoami],
          ]}
        />
      )}
      {shown?.kind === "ssh_certificate" && (
        <div className="space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-3" role="status">
          <p className="text-xs font-medium text-emerald-900">
            Save it next to your key as <code>id_ed25519-cert.pub</code> (the key&apos;s name with -cert.pub). Servers accept it for{" "}
            {shown.principals.join(", ")}
            {shown.sourceAddresses.length > 0 && ` from ${shown.sourceAddresses.join(", ")} only`} until {formatDateTime(shown.validBefore)}, and refuse it
            after, or once the access is released.
          </p>
          <Copyable label="Certificate" value={shown.certificate} />
          <Copyable label="ssh" value={shown.ssh} />
        </div>
      )}
      {canTake && ssh && (
        <label className="block text-xs font-medium text-slate-600">
          Your SSH public key (the .pub file)
          <textarea
            aria-label="SSH public key"
            rows={3}
            value={publicKey}
            onChange={(e) => setPublicKey(e.target.value)}
            placeholder="ssh-ed25519 AAAA… you@laptop"
            className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 font-mono text-xs"
          />
        </label>
      )}
      {canTake && (
        <Button variant={issued || certificate ? "secondary" : "primary"} pending={pending} pendingLabel="Issuing…" onClick={take}>
          {ssh
            ? certificate || shown
              ? "Sign a new certificate (the earlier one is revoked)"
              : "Get a certificate"
            : issued || shown
              ? "Get a new password"
              : "Get connection details"}
        </Button>
      )}
      {error && (
        <p role="alert" className="text-sm text-rose-700">
          {error}
        </p>
      )}
    </div>
  );
}
