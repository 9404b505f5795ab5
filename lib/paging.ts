import { integer } from "@/lib/validation/fields";

/** The page and page-size fields every server-paginated list accepts. */
export const pageFields = {
  page: integer("Page", 1, 100_000, { type: "Page must be a number.", whole: "Page must be a whole number.", min: "Page starts at 1." }).default(1),
  pageSize: integer("Page size", 1, 200, {
    type: "Page size must be a number.",
    whole: "Page size must be a whole number.",
    min: "At least 1 row a page.",
    max: "At most 200 rows a page.",
  }).default(50),
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
