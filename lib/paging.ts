import { z } from "zod";

/** The page and page-size fields every server-paginated list accepts. */
export const pageFields = {
  page: z.coerce.number({ message: "Page must be a number." }).int("Page must be a whole number.").min(1, "Page starts at 1.").max(100_000, "Page is at most 100,000.").default(1),
  pageSize: z.coerce
    .number({ message: "Page size must be a number." })
    .int("Page size must be a whole number.")
    .min(1, "At least 1 row a page.")
    .max(200, "At most 200 rows a page.")
    .default(50),
};

export type PageQuery = { page: number; pageSize: number };

export const offsetOf = (q: PageQuery) => (q.page - 1) * q.pageSize;

/** A user's search text as an ILIKE pattern, with its wildcards taken literally. */
export function likePattern(text: string, { prefix = false } = {}) {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return prefix ? `${escaped}%` : `%${escaped}%`;
}

/**
 * Lists find a page's ids first (cheap, sorted in the database) and load the
 * figures for those rows only; this puts the loaded rows back in page order.
 */
export function inPageOrder<T extends { id: string }>(ids: string[], rows: T[]): T[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}

export function paged<T>(rows: T[], total: number, q: PageQuery) {
  return { rows, total, page: q.page, pageSize: q.pageSize, pageCount: Math.max(1, Math.ceil(total / q.pageSize)) };
}
