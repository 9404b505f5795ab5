import { NextResponse } from "next/server";
import { getDb } from "@/db/client";
import { MAX_INTERACTION_BYTES, handleSlackInteraction } from "@/lib/chat/slack-interactions";

// Slack posts here (the app's Interactivity Request URL). No session or token:
// the request is authenticated by its signature, checked over the raw body.
export async function POST(request: Request) {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_INTERACTION_BYTES) return NextResponse.json({ error: { code: "too_large", message: "The interaction is too large." } }, { status: 413 });
  const raw = await request.text();
  const answer = await handleSlackInteraction(await getDb(), raw, request.headers);
  return answer.body === undefined ? new NextResponse(null, { status: answer.status }) : NextResponse.json(answer.body, { status: answer.status });
}
