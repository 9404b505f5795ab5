"use client";

import { FilterSearch, FilterSelect } from "@/components/ui/filter-select";
import { kindLabels } from "@/components/ui/format";

/** The review queue's filters, kept in the URL (search debounced by useUrlFilters). */
export function ReviewFilters({
  search,
  setParam,
  text,
  setText,
  campaigns,
}: {
  search: URLSearchParams;
  setParam: (k: string, v: string | undefined) => void;
  text: string;
  setText: (v: string) => void;
  campaigns: { id: string; name: string }[];
}) {
  return (
    <div className="mb-4 flex flex-wrap items-end gap-3">
      <FilterSearch label="Search identity or entitlement" value={text} onChange={setText} placeholder="Identity or entitlement" className="w-56" />
      {campaigns.length > 1 && (
        <FilterSelect
          label="Campaign"
          value={search.get("campaignId") ?? ""}
          onChange={(v) => setParam("campaignId", v)}
          choices={[{ value: "", label: "All campaigns" }, ...campaigns.map((c) => ({ value: c.id, label: c.name }))]}
        />
      )}
      <FilterSelect
        label="Kind"
        value={search.get("kind") ?? ""}
        onChange={(v) => setParam("kind", v)}
        choices={[{ value: "", label: "Any" }, ...Object.entries(kindLabels).map(([value, label]) => ({ value, label }))]}
      />
      <FilterSelect
        label="Show"
        value={search.get("status") ?? "pending"}
        onChange={(v) => setParam("status", v)}
        choices={[
          { value: "pending", label: "To decide" },
          { value: "decided", label: "Decided" },
          { value: "all", label: "All" },
        ]}
      />
      <FilterSelect
        label="Recommendation"
        value={search.get("recommendation") ?? ""}
        onChange={(v) => setParam("recommendation", v)}
        choices={[
          { value: "", label: "Any" },
          { value: "revoke", label: "Revoke" },
          { value: "certify", label: "Certify" },
        ]}
      />
      <FilterSelect
        label="Level"
        value={search.get("privilegeLevel") ?? ""}
        onChange={(v) => setParam("privilegeLevel", v)}
        choices={[
          { value: "", label: "Any" },
          { value: "admin", label: "Admin" },
          { value: "privileged", label: "Privileged" },
          { value: "standard", label: "Standard" },
        ]}
      />
      <p className="pb-1.5 text-xs text-slate-500">Keys: j/k move · c certify · r revoke · x select</p>
    </div>
  );
}
