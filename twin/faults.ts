// Faults injected per test: a canned answer for matching requests, for a number of requests or a length of time,
// and the canned answers themselves, with Azure's own bodies.
import { IMDS, KEYVAULT } from "./azure-errors";

export type Service = "imds" | "vault" | "arm";
export type Op = "token" | "get" | "set" | "list" | "listKeys" | "runCommand" | "secretPut" | "vaultGet" | "vmGet";

/** A canned answer. A string body is sent as is (for malformed JSON); anything else as JSON. */
export interface FaultResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export interface Fault {
  readonly service: Service;
  /** Only this operation; any when absent. */
  readonly op?: Op;
  /** Only requests from this principal; any when absent. */
  readonly principalId?: string;
  /** Only Key Vault requests for this secret (case-insensitive); any when absent. */
  readonly secret?: string;
  /** Answer this many matching requests, then stop. */
  readonly times?: number;
  /** Answer matching requests for this long (from now), then stop. */
  readonly forMs?: number;
  readonly response: FaultResponse;
}

interface ActiveFault extends Fault {
  left: number;
  until: number;
}

/** The faults a twin holds, first match wins. */
export class FaultBook {
  private faults: ActiveFault[] = [];

  add(f: Fault): void {
    this.faults.push({ ...f, left: f.times ?? Infinity, until: f.forMs === undefined ? Infinity : Date.now() + f.forMs });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first live fault for this request, if any (and counts it down). */
  take(service: Service, op: Op, principalId: string | undefined, secret?: string): FaultResponse | undefined {
    const now = Date.now();
    this.faults = this.faults.filter((f) => f.left > 0 && f.until > now);
    const f = this.faults.find(
      (x) =>
        x.service === service &&
        (!x.op || x.op === op) &&
        (!x.principalId || x.principalId === principalId) &&
        (!x.secret || x.secret.toLowerCase() === secret?.toLowerCase()),
    );
    if (!f) return undefined;
    f.left--;
    return f.response;
  }
}

/** Canned faults with Azure's own bodies. */
export const FAULTS = {
  imdsIdentityNotFound: { status: 400, body: IMDS.identityNotFound },
  imdsThrottled: { status: 429, body: IMDS.throttled },
  imdsUnavailable: { status: 503, body: IMDS.unavailable },
  vaultThrottled: (retryAfterSeconds: number): FaultResponse => ({
    status: 429,
    headers: { "Retry-After": String(retryAfterSeconds) },
    body: KEYVAULT.throttled,
  }),
  vaultUnavailable: { status: 503, body: KEYVAULT.unavailable },
  malformedJson: { status: 200, body: '{"value": "trunc' },
  /** A 403 that is not Key Vault's (a proxy's page): it says nothing about the vault's grants. */
  forbiddenNotKeyVault: { status: 403, headers: { "Content-Type": "text/html" }, body: "<html><body>403 Forbidden</body></html>" },
  /** A permission refusal with an inner code the lab has not seen for secrets (Go SDK guide: "the inner code may vary"). */
  forbiddenOtherCode: {
    status: 403,
    body: { error: { code: "Forbidden", message: "Operation list is not permitted.", innererror: { code: "KeyOperationForbidden" } } },
  },
} satisfies Record<string, FaultResponse | ((...a: any[]) => FaultResponse)>;
