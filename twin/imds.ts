// IMDS over HTTP: one endpoint per identity, as each VM has its own 169.254.169.254. It hands out tokens for Key Vault
// and ARM only, and refuses requests without `Metadata: true` or with a forwarding header (its SSRF guard).
import { PUBLIC_CLOUD } from "../lib/azure";
import { IMDS } from "./azure-errors";
import { answerFault, Ctx } from "./context";
import type { FaultBook } from "./faults";
import { fakeJwt } from "./jwt";

/** One VM's (or the operator's) managed identity, with its own IMDS endpoint. */
export interface Identity {
  readonly name: string;
  readonly principalId: string;
  /** Base URL of this identity's IMDS: what PROBE_IMDS_URL (or AZURE_POD_IDENTITY_AUTHORITY_HOST) points at. */
  readonly imdsUrl: string;
  /** The VM this identity belongs to, if any: run command on it runs as this identity. */
  readonly vmName?: string;
}

export const VAULT_AUDIENCE = PUBLIC_CLOUD.vaultAudience;
export const ARM_AUDIENCE = PUBLIC_CLOUD.arm;
export const ARM_AUDIENCES: ReadonlySet<string> = new Set([
  ARM_AUDIENCE,
  "https://management.azure.com",
  "https://management.core.windows.net/",
]);

export function imds(ctx: Ctx, identity: Identity, tenantId: string, faults: FaultBook): void {
  ctx.principalId = identity.principalId;
  // IMDS refuses requests without Metadata: true, and forwarded ones: both guard against SSRF.
  if (ctx.req.headers.metadata !== "true" || ctx.req.headers["x-forwarded-for"] !== undefined) return ctx.reply(400, IMDS.missingMetadata);
  if (!/^\/metadata\/identity\/oauth2\/token\/?$/.test(ctx.url.pathname))
    return ctx.reply(404, { error: "not_found", error_description: "Not found" });
  if (ctx.req.method !== "GET") return ctx.reply(405, { error: "method_not_allowed", error_description: "Not allowed" });
  if (!ctx.url.searchParams.get("api-version"))
    return ctx.reply(400, { error: "invalid_request", error_description: "Required query variable 'api-version' is missing" });
  if (answerFault(ctx, faults, "token")) return;
  const resource = ctx.url.searchParams.get("resource") ?? "";
  if (resource.replace(/\/$/, "") !== VAULT_AUDIENCE && !ARM_AUDIENCES.has(resource)) return ctx.reply(400, IMDS.badResource);
  const now = Math.floor(Date.now() / 1000);
  ctx.reply(200, {
    access_token: fakeJwt({ aud: resource, oid: identity.principalId, tid: tenantId, appid: identity.principalId }),
    client_id: identity.principalId,
    expires_in: "3599",
    expires_on: String(now + 3599),
    ext_expires_in: "3599",
    not_before: String(now),
    resource,
    token_type: "Bearer",
  });
}
