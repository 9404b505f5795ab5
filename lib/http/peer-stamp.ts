import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import { PEER_ADDRESS_HEADER, PEER_PROTO_HEADER, trustedProxyHops } from "./peer";

/** Writes the socket's address and protocol over any client-sent header of the same name. */
export function stampPeer(request: IncomingMessage): void {
  request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
  request.headers[PEER_PROTO_HEADER] = (request.socket as TLSSocket).encrypted ? "https" : "http";
}

const STAMPED = Symbol.for("gov.peerStamp");

/**
 * Stamps every request that reaches an HTTP(S) server in this process, before
 * Next.js sees it. Next.js owns the server (next start), so the hook goes on
 * the servers' "request" event; installing twice is harmless.
 */
export function installPeerStamp(): void {
  trustedProxyHops(); // a bad TRUST_PROXY stops the start, not each request
  for (const proto of [http.Server.prototype, https.Server.prototype] as {
    emit: (event: string | symbol, ...args: unknown[]) => boolean;
    [STAMPED]?: true;
  }[]) {
    if (Object.prototype.hasOwnProperty.call(proto, STAMPED)) continue;
    const emit = proto.emit;
    proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
      if (event === "request") stampPeer(args[0] as IncomingMessage);
      return emit.call(this, event, ...args);
    };
    proto[STAMPED] = true;
  }
}
