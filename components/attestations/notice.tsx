"use client";

import { createContext, useContext, useState } from "react";

const NoticeContext = createContext<(text: string) => void>(() => {});

/**
 * Holds the last confirmation above the list, so it survives the list being
 * replaced by an empty state when the last matching row was just attested;
 * sticky, so it stays in view of someone who attested a row far down the list.
 */
export function NoticeArea({ testId, children }: { testId: string; children: React.ReactNode }) {
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <NoticeContext.Provider value={setNotice}>
      {notice && (
        <p
          role="status"
          data-testid={testId}
          className="sticky top-2 z-20 mb-3 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-2 text-sm text-emerald-800 shadow-sm"
        >
          {notice}
        </p>
      )}
      {children}
    </NoticeContext.Provider>
  );
}

export const useNotice = () => useContext(NoticeContext);
