import Link from "next/link";

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

const pageLinkClass = "rounded-md border border-slate-300 bg-white px-3 py-1";

/** Pagination as plain links, for server-rendered lists whose page lives in the URL. */
export function LinkPagination({ page, pageCount, href }: { page: number; pageCount: number; href: (page: number) => string }) {
  return (
    <Pagination
      page={page}
      pageCount={pageCount}
      previous={
        page > 1 && (
          <Link className={pageLinkClass} href={href(page - 1)}>
            Previous
          </Link>
        )
      }
      next={
        page < pageCount && (
          <Link className={pageLinkClass} href={href(page + 1)}>
            Next
          </Link>
        )
      }
    />
  );
}
