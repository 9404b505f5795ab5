import { stringify } from "csv-stringify/sync";
import { ValidationError } from "@/lib/errors";

export type ExportFormat = "csv" | "json";
export type ExportFile = { filename: string; contentType: string; body: ReadableStream<Uint8Array> };

/**
 * CSV text of rows. Text cells a spreadsheet would read as a formula (starting
 * with = + - @, a tab or a carriage return, or their full-width forms) get a
 * leading single quote, as OWASP advises against CSV injection: a display name
 * `=cmd|' /C calc'!A0` stays text. Numbers stay numbers (-5 is not quoted).
 * csv-stringify's escape_formulas does exactly this; every export writes
 * through here.
 */
const csv = (rows: unknown[][]) => stringify(rows, { escape_formulas: true });

/**
 * Streams rows as CSV (a header row, then the columns in order) or as JSON
 * (`{"<headerKey>": header, "<rowsKey>": [...]}`), one batch at a time, so an
 * export of millions of rows never sits in memory whole. `next` returns the
 * batch after the given cursor; a short batch ends the stream.
 */
export function streamRows<R extends Record<string, unknown>>(opts: {
  format: ExportFormat;
  filename: string;
  columns: readonly (keyof R & string)[];
  header: { key: string; value: unknown };
  /** CSV only: rows written before the column header (a summary block); the JSON carries the same in its header. */
  preface?: unknown[][];
  rowsKey: string;
  batchSize: number;
  next: (cursor: string | null) => Promise<R[]>;
  cursorOf: (row: R) => string;
}): ExportFile {
  const encoder = new TextEncoder();
  let cursor: string | null = null;
  let first = true;
  let done = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return controller.close();
      const rows = await opts.next(cursor);
      let chunk = "";
      if (first)
        chunk +=
          opts.format === "csv"
            ? csv([...(opts.preface ?? []), opts.columns as unknown as string[]])
            : `{${JSON.stringify(opts.header.key)}:${JSON.stringify(opts.header.value)},${JSON.stringify(opts.rowsKey)}:[`;
      if (opts.format === "csv") chunk += csv(rows.map((r) => opts.columns.map((c) => (r[c] instanceof Date ? (r[c] as Date).toISOString() : (r[c] ?? "")))));
      else chunk += rows.map((r, i) => (first && i === 0 ? "" : ",") + JSON.stringify(r)).join("");
      first = first && rows.length === 0;
      if (rows.length < opts.batchSize) {
        if (opts.format === "json") chunk += "]}";
        done = true;
      } else cursor = opts.cursorOf(rows[rows.length - 1]);
      controller.enqueue(encoder.encode(chunk));
    },
  });
  return { filename: `${opts.filename}.${opts.format}`, contentType: opts.format === "csv" ? "text/csv; charset=utf-8" : "application/json", body };
}

/** The HTTP response for an export: a download, never cached. */
export const exportResponse = (file: ExportFile) =>
  new Response(file.body, {
    headers: { "content-type": file.contentType, "content-disposition": `attachment; filename="${file.filename}"`, "cache-control": "no-store" },
  });

/** Reads ?format=csv|json (csv by default); anything else is a validation error on `format`. */
export function exportFormat(value: string | undefined): ExportFormat {
  const format = value ?? "csv";
  if (format !== "csv" && format !== "json") throw new ValidationError({ format: ["Export as csv or json."] });
  return format;
}
