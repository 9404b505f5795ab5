import { NavLink } from "@/components/shell/nav-link";

export type ReconciliationTab = { href: string; label: string };

/** The sub-pages of reconciliation; each has its own URL so a filtered view can be shared. */
export function ReconciliationTabs({ tabs }: { tabs: ReconciliationTab[] }) {
  return (
    <nav aria-label="Reconciliation" className="mb-6 flex flex-wrap gap-1 border-b border-slate-200">
      {tabs.map((t) => (
        <NavLink key={t.href} href={t.href} label={t.label} variant="tab" root={tabs[0]?.href} />
      ))}
    </nav>
  );
}
