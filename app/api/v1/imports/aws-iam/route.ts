import { getDb } from "@/db/client";
import { importAwsIamBy } from "@/lib/ingest/import-aws-iam";
import { jsonBody, route } from "@/lib/http/respond";

export const POST = route(async ({ caller, request }) => importAwsIamBy(await getDb(), caller, await jsonBody(request)));
