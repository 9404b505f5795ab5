// Runs once when the server starts: apply migrations and, in demo mode, load
// the demo organisation into an empty database.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/server-start");
  await startServer();
}
