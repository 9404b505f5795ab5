import { z } from "zod";
import { ValidationError, parseInput } from "@/lib/errors";

/*
 * What the importers that read a live server (a PostgreSQL server's roles, a
 * directory's groups) take alike: the system's name, and through the API the
 * environment variable naming the server.
 */

export const systemName = z
  .string({ message: "Name the system." })
  .trim()
  .min(1, "Name the system.")
  .max(100, "A system name is at most 100 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "A system name is letters, digits, dots, dashes and underscores.");

const liveSourceRequest = z
  .object({
    system: systemName,
    urlEnv: z
      .string({ message: "Name the environment variable holding the server's URL." })
      .regex(/^[A-Z_][A-Z0-9_]{0,99}$/, "An environment variable's name is capital letters, digits and underscores."),
  })
  .strict();

/**
 * An API import's request: the system, and the server named by an environment
 * variable of the app's (as connectors name their targets), never by a URL in
 * the request, so the API cannot be pointed at an arbitrary host.
 */
export function liveSourceInput(raw: unknown): { system: string; url: string } {
  const input = parseInput(liveSourceRequest, raw);
  const url = process.env[input.urlEnv];
  if (!url) throw new ValidationError({ urlEnv: [`${input.urlEnv} is not set on the server.`] });
  return { system: input.system, url };
}
