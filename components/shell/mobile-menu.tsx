"use client";

import { usePathname } from "next/navigation";

/**
 * Below md the sidebar's sections fold into a menu button, so a phone keeps
 * the page's width; it closes again on every navigation (a new pathname
 * remounts it). A native disclosure: it opens with the keyboard too.
 */
export function MobileMenu({ children }: { children: React.ReactNode }) {
  const pathname = usePathname();
  return (
    <details key={pathname} className="group md:hidden" data-testid="mobile-menu">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-3 py-2 text-sm font-medium text-slate-200 hover:bg-white/10 [&::-webkit-details-marker]:hidden">
        <svg aria-hidden viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8">
          <path d="M4 7h16M4 12h16M4 17h16" strokeLinecap="round" />
        </svg>
        Menu
      </summary>
      {children}
    </details>
  );
}
