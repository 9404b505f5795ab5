"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/**
 * A link that knows it is the current page. The sidebar matches a section and
 * everything under it; a tab matches its own page (and its sub-pages, unless
 * it is the section's first tab, whose path prefixes all the others).
 */
export function NavLink({ href, label, variant = "sidebar", root }: { href: string; label: string; variant?: "sidebar" | "tab"; root?: string }) {
  const pathname = usePathname();
  const under = pathname === href || pathname.startsWith(`${href}/`);
  const active = href === "/" ? pathname === "/" : variant === "tab" && href === root ? pathname === href : under;
  const look =
    variant === "tab"
      ? `-mb-px border-b-2 px-3 py-2 text-sm font-medium ${active ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`
      : `block shrink-0 whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium ${active ? "bg-brand-600 text-white" : "text-slate-300 hover:bg-white/10 hover:text-white"}`;
  return (
    <Link href={href} aria-current={active ? "page" : undefined} className={look}>
      {label}
    </Link>
  );
}
