/** "Page n of m" with previous and next controls (links or buttons, supplied by the caller). */
export function Pagination({ page, pageCount, previous, next }: { page: number; pageCount: number; previous: React.ReactNode; next: React.ReactNode }) {
  return (
    <nav aria-label="Pagination" className="mt-3 flex items-center justify-between text-sm">
      <span className="text-slate-600">
        Page {page} of {pageCount}
      </span>
      <span className="flex gap-2">
        {previous}
        {next}
      </span>
    </nav>
  );
}
