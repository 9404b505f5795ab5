"use client";

import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { kindLabels } from "./format";

type Hit = { id: string; name: string; displayName: string; kind: string; systemName: string | null };

/**
 * Finds an identity by name as you type (server-side search, ten at a time)
 * and reports the chosen id. `nonHuman` keeps people out of the choices.
 */
export function IdentityPicker({
  label,
  onChange,
  nonHuman = false,
  name,
}: {
  label: string;
  onChange: (id: string | null) => void;
  nonHuman?: boolean;
  name?: string;
}) {
  const [text, setText] = useState("");
  const [chosen, setChosen] = useState<Hit | null>(null);
  const listId = useId();
  const search = useQuery({
    queryKey: ["identity-picker", text],
    enabled: text.trim().length >= 2 && !chosen,
    queryFn: async (): Promise<Hit[]> => {
      const res = await fetch(`/api/v1/identities?pageSize=10&q=${encodeURIComponent(text.trim())}`);
      if (!res.ok) return [];
      return ((await res.json()) as { rows: Hit[] }).rows;
    },
  });
  const hits = (search.data ?? []).filter((h) => !nonHuman || h.kind !== "human");
  return (
    <div className="relative">
      <label className="block text-xs font-medium text-slate-600">
        {label}
        <input
          name={name}
          role="combobox"
          aria-expanded={hits.length > 0 && !chosen}
          aria-controls={listId}
          autoComplete="off"
          className="mt-1 w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
          placeholder="Type at least 2 letters of a name"
          value={chosen ? chosen.name : text}
          onChange={(e) => {
            setChosen(null);
            setText(e.target.value);
            onChange(null);
          }}
        />
      </label>
      {!chosen && hits.length > 0 && (
        <ul id={listId} role="listbox" className="absolute z-20 mt-1 max-h-64 w-full overflow-auto rounded-md border border-slate-200 bg-white shadow-lg">
          {hits.map((h) => (
            <li
              key={h.id}
              role="option"
              aria-selected={false}
              tabIndex={0}
              className="cursor-pointer px-3 py-1.5 text-sm hover:bg-brand-50 focus:bg-brand-50"
              onClick={() => {
                setChosen(h);
                onChange(h.id);
              }}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  setChosen(h);
                  onChange(h.id);
                }
              }}
            >
              <span className="font-medium">{h.kind === "human" ? h.displayName : h.name}</span>
              <span className="ml-2 text-xs text-slate-500">
                {kindLabels[h.kind]}
                {h.systemName && ` · ${h.systemName}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
