"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/card";
import { FieldMessages } from "@/components/ui/field-errors";
import { formatDate, relative } from "@/components/ui/format";
import { IdentityPicker } from "@/components/ui/identity-picker";
import { api, type ApiError } from "@/lib/http/client";
import type { TokenScope } from "@/db/schema";
import { Table, THead, Th, TBody } from "@/components/ui/table";
import { Select } from "@/components/ui/select";
import { CheckboxGroup } from "@/components/ui/checkbox-group";
import { Button } from "@/components/ui/button";

type Token = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  identityName: string | null;
  systemName: string | null;
  createdByName: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

const scopeHelp: Record<TokenScope, string> = {
  "jit:request": "ask for and release the NHI's own elevation",
  "jit:read": "read the NHI's requests",
  "usage:write": "send usage and session evidence",
  "credentials:write": "report credential rotations",
  scim: "provision people and groups (identity provider)",
};

export function TokenManager({
  initial,
  systems,
  scopes,
  canIssue,
}: {
  initial: Token[];
  systems: { id: string; name: string }[];
  scopes: string[];
  canIssue: boolean;
}) {
  const client = useQueryClient();
  const tokens = useQuery({ queryKey: ["tokens"], queryFn: () => api<Token[]>("/api/v1/tokens"), initialData: initial });
  const [form, setForm] = useState({ name: "", scopes: [] as string[], identityId: null as string | null, systemId: "", expiresInDays: 90 });
  const [issued, setIssued] = useState<{ name: string; token: string } | null>(null);
  const issue = useMutation({
    mutationFn: () =>
      api<{ name: string; token: string }>("/api/v1/tokens", {
        body: {
          name: form.name,
          scopes: form.scopes,
          identityId: form.identityId ?? undefined,
          systemId: form.systemId || undefined,
          expiresInDays: form.expiresInDays,
        },
      }),
    onSuccess: (t) => {
      setIssued({ name: t.name, token: t.token });
      setForm({ name: "", scopes: [], identityId: null, systemId: "", expiresInDays: 90 });
      void client.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/v1/tokens/${id}`, { method: "DELETE" }),
    onSettled: () => client.invalidateQueries({ queryKey: ["tokens"] }),
  });
  const fieldErrors = (issue.error as ApiError | null)?.fieldErrors;

  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="lg:col-span-2">
        {issued && (
          <div role="status" className="mb-4 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm">
            <p className="font-medium text-emerald-800">Token “{issued.name}” issued. Copy it now: it is not shown again.</p>
            <code className="mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-xs" data-testid="issued-token">
              {issued.token}
            </code>
          </div>
        )}
        {revoke.error && (
          <p role="alert" className="mb-3 text-sm text-rose-700">
            {revoke.error.message}
          </p>
        )}
        {tokens.data.length === 0 ? (
          <EmptyState title="No API tokens yet.">Issue one for a pipeline, a log source or your identity provider.</EmptyState>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <Table data-testid="token-table">
              <THead>
                <Th>Token</Th>
                <Th>Scopes</Th>
                <Th>Acts for</Th>
                <Th>Last used</Th>
                <Th>Expires</Th>
                <Th></Th>
              </THead>
              <TBody>
                {tokens.data.map((t) => (
                  <tr key={t.id} className={t.revokedAt ? "text-slate-400" : ""}>
                    <td className="px-3 py-2">
                      <div className="font-medium">{t.name}</div>
                      <div className="font-mono text-xs text-slate-500">{t.prefix}…</div>
                    </td>
                    <td className="px-3 py-2">
                      <div className="flex flex-wrap gap-1">
                        {t.scopes.map((s) => (
                          <Badge key={s} tone="blue">
                            {s}
                          </Badge>
                        ))}
                      </div>
                    </td>
                    <td className="px-3 py-2 text-xs">{t.identityName ?? t.systemName ?? "any identity"}</td>
                    <td className="px-3 py-2 text-xs">{t.lastUsedAt ? relative(t.lastUsedAt) : "never"}</td>
                    <td className="px-3 py-2 text-xs">{formatDate(t.expiresAt)}</td>
                    <td className="px-3 py-2 text-right">
                      {t.revokedAt ? (
                        <Badge>revoked</Badge>
                      ) : (
                        canIssue && (
                          <button
                            className="rounded-md border border-rose-300 px-2 py-0.5 text-xs text-rose-700 hover:bg-rose-50"
                            onClick={() => revoke.mutate(t.id)}
                          >
                            Revoke
                          </button>
                        )
                      )}
                    </td>
                  </tr>
                ))}
              </TBody>
            </Table>
          </div>
        )}
      </div>
      {canIssue && (
        <form
          aria-label="Issue token"
          className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
          onSubmit={(e) => {
            e.preventDefault();
            setIssued(null);
            issue.mutate();
          }}
        >
          <h2 className="text-sm font-semibold text-slate-700">Issue a token</h2>
          <label className="block text-xs font-medium text-slate-600">
            Name
            <input
              className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.target.value })}
            />
            <FieldMessages messages={fieldErrors?.name} />
          </label>
          <CheckboxGroup
            legend="Scopes"
            stacked
            choices={scopes.map((s) => ({
              value: s,
              label: <span className="font-mono text-xs">{s}</span>,
              hint: <span className="text-xs text-slate-500">{scopeHelp[s as TokenScope]}</span>,
            }))}
            value={form.scopes}
            onChange={(v) => setForm({ ...form, scopes: v })}
            errors={fieldErrors?.scopes}
          />
          <div>
            <IdentityPicker label="Acts as NHI (for JIT scopes)" nonHuman onChange={(id) => setForm((f) => ({ ...f, identityId: id }))} />
            <FieldMessages messages={fieldErrors?.identityId} />
          </div>
          <label className="block text-xs font-medium text-slate-600">
            Reports for system (usage sources, optional)
            <Select
              className="mt-1 w-full"
              value={form.systemId}
              onChange={(e) => setForm({ ...form, systemId: e.target.value })}
              placeholder="Any system"
              choices={systems.map((s) => ({ value: s.id, label: s.name }))}
            />
          </label>
          <label className="block text-xs font-medium text-slate-600">
            Expires after (days)
            <input
              type="number"
              min={1}
              max={365}
              className="mt-1 block w-28 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
              value={form.expiresInDays}
              onChange={(e) => setForm({ ...form, expiresInDays: Number(e.target.value) })}
            />
            <FieldMessages messages={fieldErrors?.expiresInDays} />
          </label>
          {issue.error && !fieldErrors && (
            <p role="alert" className="text-sm text-rose-700">
              {issue.error.message}
            </p>
          )}
          <Button type="submit" variant="primary" pending={issue.isPending} pendingLabel="Issuing…">
            Issue token
          </Button>
        </form>
      )}
    </div>
  );
}
