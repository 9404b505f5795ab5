import { NavLink } from "@/components/shell/nav-link";

export type JitTab = { href: string; label: string; count?: number };

/** The sections of access requests; each is its own page so its URL can be shared. */
export function JitTabs({ tabs }: { tabs: JitTab[] }) {
  return (
    <nav aria-label="Access requests" className="mb-6 flex flex-wrap gap-1 border-b border-slate-200">
      {tabs.map((t) => (
        <NavLink key={t.href} href={t.href} label={t.count ? `${t.label} (${t.count})` : t.label} variant="tab" root={tabs[0]?.href} />
      ))}
    </nav>
  );
}
