"use client";

import { createContext, useContext, useState } from "react";

const NoticeContext = createContext<(text: string) => void>(() => {});

/**
 * Holds the last confirmation above the list, so it survives the list being
 * replaced by an empty state when the last matching row was just attested.
 */
export function NoticeArea({ testId, children }: { testId: string; children: React.ReactNode }) {
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <NoticeContext.Provider value={setNotice}>
      {notice && (
        <p role="status" data-testid={testId} className="mb-3 rounded-md bg-emerald-50 px-4 py-2 text-sm text-emerald-800">
          {notice}
        </p>
      )}
      {children}
    </NoticeContext.Provider>
  );
}

export const useNotice = () => useContext(NoticeContext);
