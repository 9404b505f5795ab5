"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";

/**
 * A list's filters in the URL, so a filtered view can be shared and survives
 * a reload. `set` changes some keys (a change other than the page goes back to
 * page one); `text`/`setText` is the search box, written to `q` after a pause
 * in typing rather than per keystroke.
 *
 * Changes can arrive faster than the URL re-renders the view (the search's
 * pause ending just after a filter was chosen): each builds on the last one
 * requested, not on the URL a closure saw, so none is lost.
 */
export function useUrlFilters(opts: { debounceMs?: number; onChange?: () => void } = {}) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const current = search.toString();
  const requested = useRef(current);
  useEffect(() => {
    requested.current = current;
  }, [current]);

  function set(changes: Record<string, string | undefined>) {
    const usp = new URLSearchParams(requested.current);
    for (const [k, v] of Object.entries(changes)) {
      if (v) usp.set(k, v);
      else usp.delete(k);
    }
    if (!("page" in changes)) usp.delete("page");
    requested.current = usp.toString();
    opts.onChange?.();
    router.replace(`${pathname}?${usp}`, { scroll: false });
  }

  const [text, setText] = useState(search.get("q") ?? "");
  useEffect(() => {
    if ((new URLSearchParams(requested.current).get("q") ?? "") === text.trim()) return;
    const t = setTimeout(() => set({ q: text.trim() || undefined }), opts.debounceMs ?? 250);
    return () => clearTimeout(t);
    // Only typing starts the pause; `set` reads the latest request itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  return { search, set, text, setText };
}
