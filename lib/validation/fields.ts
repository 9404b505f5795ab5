/**
 * The zod building blocks every schema takes its text, dates and numbers
 * from, so each field obeys the boundary rules (lib/validation/input.ts) and
 * no schema coerces a boolean, null or number into a date or a count.
 */
import { z } from "zod";
import { textProblem } from "./input";

/**
 * Text: a string (never a number or boolean made into one) without NUL,
 * well-formed, at most TEXT_MAX characters (lib/validation/input.ts); chain .trim(), .min(), .max() and
 * .regex() for the field's own rules.
 */
export const text = (params?: string | { message?: string }) =>
  z.string(params).superRefine((s, ctx) => {
    const problem = textProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: `${problem[0].toUpperCase()}${problem.slice(1)}` });
  });

/**
 * Dates the product stores and compares: from 1970 (nothing it governs is
 * older; PostgreSQL's timestamptz would take years from 4713 BC, which only a
 * typo or a zero value produces) to 9999 (JavaScript dates reach year 275760,
 * PostgreSQL's far beyond: neither limit is a date anyone means).
 */
export const DATE_MIN = new Date("1970-01-01T00:00:00.000Z");
export const DATE_MAX = new Date("9999-12-31T23:59:59.999Z");

/**
 * A date: a Date, an ISO 8601 calendar date ("2026-01-31", midnight UTC) or
 * date and time with its offset ("2026-01-31T12:00:00Z"); never a boolean,
 * a number, null or "" (which z.coerce.date would turn into 1970), and within
 * DATE_MIN to DATE_MAX. `what` names the field in the messages.
 */
export const dateTime = (what: string) =>
  z
    .union([z.date(), z.iso.date(), z.iso.datetime({ offset: true })], {
      error: `${what} must be a date, as YYYY-MM-DD or an ISO 8601 date and time with its offset (2026-01-31T12:00:00Z).`,
    })
    .transform((v) => (v instanceof Date ? v : new Date(v)))
    .refine((d) => !Number.isNaN(d.getTime()) && d >= DATE_MIN && d <= DATE_MAX, `${what} must be between 1970-01-01 and 9999-12-31.`);

const DIGITS = /^[+-]?\d{1,30}(\.\d{1,30})?$/;

/**
 * A whole number within [min, max]: a JSON number, or its decimal digits as query
 * strings and forms send them ("25"); never a boolean, null, "", 1.5 or
 * "1e3". `what` names the field in the default messages; `type` is the
 * message for what is not a number at all, `whole` for a fraction.
 */
export const integer = (what: string, min: number, max: number, messages: { type?: string; whole?: string; min?: string; max?: string } = {}) =>
  z.preprocess(
    (v) => (typeof v === "string" && DIGITS.test(v.trim()) ? Number(v.trim()) : v),
    z
      .number({ message: messages.type ?? `${what} must be a whole number.` })
      .int(messages.whole ?? messages.type ?? `${what} must be a whole number.`)
      .min(min, messages.min ?? `${what} is at least ${min.toLocaleString("en")}.`)
      .max(max, messages.max ?? `${what} is at most ${max.toLocaleString("en")}.`),
  );
