"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { launchCampaignAction } from "@/app/(app)/certifications/actions";

export function LaunchButton({ campaignId }: { campaignId: string }) {
  const router = useRouter();
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  return (
    <div className="flex items-center gap-3">
      {message && (
        <span role="status" className="text-sm text-slate-700">
          {message}
        </span>
      )}
      <button
        disabled={pending}
        className="rounded-md bg-brand-600 px-4 py-2 text-sm font-medium text-white disabled:opacity-50"
        onClick={() =>
          start(async () => {
            const result = await launchCampaignAction(campaignId);
            setMessage(result.ok ? `Launched: ${result.data.items.toLocaleString("en")} review items.` : result.message);
            if (result.ok) router.refresh();
          })
        }
      >
        {pending ? "Launching…" : "Launch campaign"}
      </button>
    </div>
  );
}
