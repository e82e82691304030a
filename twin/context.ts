// The plumbing every twin service shares: one request read into a context, its answer recorded as sent, the bearer
// token read, a fault answered, and servers bound to 127.0.0.1 on a free port.
import { randomUUID } from "crypto";
import * as http from "http";
import * as net from "net";
import type { FaultBook, Op, Service } from "./faults";
import { readJwt, TokenClaims } from "./jwt";

export interface RecordedRequest {
  readonly service: Service;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly principalId?: string;
  readonly status: number;
  /** The exact body the twin sent, for the spec test. */
  readonly body: string;
  readonly responseHeaders: Readonly<Record<string, string>>;
}

export type Reply = (status: number, body?: unknown, headers?: Record<string, string>) => void;

export interface Ctx {
  readonly service: Service;
  readonly req: http.IncomingMessage;
  readonly url: URL;
  readonly body: Buffer;
  principalId?: string;
  reply: Reply;
}

/** Reads the request body, then calls `handle` with a context whose reply records the exact answer in `log`. */
export function serve(
  service: Service,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  log: RecordedRequest[],
  handle: (ctx: Ctx) => void,
): void {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://twin");
    const ctx: Ctx = {
      service,
      req,
      url,
      body: Buffer.concat(chunks),
      reply: (status, body, headers = {}) => {
        const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
        const all: Record<string, string> = { ...(text ? { "Content-Type": "application/json; charset=utf-8" } : {}), ...headers };
        if (service !== "imds") all["x-ms-request-id"] = randomUUID();
        log.push({
          service,
          method: req.method ?? "",
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          principalId: ctx.principalId,
          status,
          body: text,
          responseHeaders: all,
        });
        res.writeHead(status, all);
        res.end(text);
      },
    };
    try {
      handle(ctx);
    } catch (e) {
      ctx.reply(500, { error: { code: "InternalServerError", message: `twin bug: ${(e as Error).message}` } });
    }
  });
}

/** Answers the request with the first matching fault, if any; true when it did. */
export function answerFault(ctx: Ctx, faults: FaultBook, op: Op, secret?: string): boolean {
  const f = faults.take(ctx.service, op, ctx.principalId, secret);
  if (f) ctx.reply(f.status, f.body, { ...(f.headers ?? {}) });
  return f !== undefined;
}

export function bearer(ctx: Ctx): { token?: TokenClaims; raw?: string } {
  const m = /^Bearer (.+)$/i.exec(ctx.req.headers.authorization ?? "");
  return m ? { raw: m[1], token: readJwt(m[1]) } : {};
}

export function listen(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
}

export function port(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}
