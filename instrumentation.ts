// Runs once when the server starts: stamp every request with its socket's
// address (rate limits must not take the client's word for it), apply
// migrations and, in demo mode, load the demo organisation into an empty database.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installPeerStamp } = await import("./lib/http/peer-stamp");
  installPeerStamp();
  const { startServer } = await import("./lib/server-start");
  await startServer();
}
