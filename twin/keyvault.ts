// The Key Vault data plane over HTTPS: challenge auth, the audience check, the firewall (firewall.ts), then access
// policies or RBAC role assignments, then secrets get, set and list with Azure's bodies.
import { randomBytes } from "crypto";
import { KV_DATA_ACTIONS, NAME_PATTERN, PUBLIC_CLOUD } from "../lib/azure";
import { KEYVAULT, PolicyDenialCode } from "./azure-errors";
import { answerFault, bearer, Ctx } from "./context";
import type { FaultBook, FaultResponse, Op } from "./faults";
import { labNetwork, networkRefusal, VaultNetwork } from "./firewall";
import { VAULT_AUDIENCE } from "./imds";

export type SecretPermission = "get" | "set" | "list" | "delete";
/** Key Vault's permission model: access policies (the default), or RBAC role assignments with data actions. */
export type AccessModel = "accessPolicy" | "rbac";

/** A role assignment on the vault or on one secret, as the data actions of its role. */
export interface RoleGrant {
  readonly principalId: string;
  readonly dataActions: readonly string[];
  /** The vault's id, or `<vaultId>/secrets/<name>`. */
  readonly scope: string;
}

/** The data action Key Vault's RBAC checks for each operation (list needs readMetadata). */
export const KV_ACTION: Readonly<Record<"get" | "set" | "list", string>> = {
  get: KV_DATA_ACTIONS.getSecret,
  set: KV_DATA_ACTIONS.setSecret,
  list: KV_DATA_ACTIONS.readMetadata,
};
/** Every 403 body Key Vault is known to send: permission refusals, then network refusals. */
export const KV_REFUSALS = [
  "AccessDenied",
  "ForbiddenByPolicy",
  "none",
  "ForbiddenByRbac",
  "ForbiddenByFirewall",
  "ForbiddenByConnection",
] as const;
export type KvRefusal = (typeof KV_REFUSALS)[number];

export interface SecretVersion {
  readonly version: string;
  readonly value: string;
  readonly contentType?: string;
  readonly tags?: Record<string, string>;
  readonly created: number;
}

/** What the vault knows of the twin it belongs to. */
export interface VaultSite {
  readonly tenantId: string;
  readonly vaultName: string;
  /** The vault URI, with its trailing slash. */
  readonly vaultUrl: string;
  readonly vaultId: string;
  secretScope(name: string): string;
}

/** One vault: its grants, its network rules, its secrets, and the data plane that serves them. */
export class KeyVault {
  /** How the vault authorizes: access policies are ignored under RBAC, and role assignments under access policies. */
  accessModel: AccessModel = "accessPolicy";
  /** The inner code of an access-policy refusal: each one Azure is known to send. */
  policyDenialCode: PolicyDenialCode = "AccessDenied";
  /** The vault's network rules; by default the lab's, with the operator outside them. */
  network: VaultNetwork = labNetwork();
  private readonly policies = new Map<string, Set<SecretPermission>>();
  private readonly roleGrants: RoleGrant[] = [];
  private readonly secrets = new Map<string, SecretVersion[]>();

  /** `isSeat`: whether a principal is a seat's identity, whose VM sits in the lab subnet the firewall allows. */
  constructor(
    private readonly site: VaultSite,
    private readonly faults: FaultBook,
    private readonly isSeat: (principalId: string) => boolean,
  ) {}

  setPolicy(principalId: string, permissions: readonly SecretPermission[]): void {
    this.policies.set(principalId, new Set(permissions));
  }
  assignRole(principalId: string, dataActions: readonly string[], scope: string): void {
    this.roleGrants.push({ principalId, dataActions: [...dataActions], scope });
  }
  versions(name: string): readonly SecretVersion[] {
    return this.secrets.get(name.toLowerCase()) ?? [];
  }

  reset(): void {
    this.policies.clear();
    this.roleGrants.length = 0;
    this.accessModel = "accessPolicy";
    this.policyDenialCode = "AccessDenied";
    this.network = labNetwork();
    this.secrets.clear();
  }

  /** Key Vault's 403 to `principalId` in each form Azure sends (for a fault on one operation, such as list). */
  refusal(kind: KvRefusal, principalId: string, permission: "get" | "set" | "list"): FaultResponse {
    const { tenantId: tid, vaultId, vaultName } = this.site;
    if (kind === "ForbiddenByRbac")
      return { status: 403, body: KEYVAULT.forbiddenByRbac(principalId, tid, KV_ACTION[permission], vaultId, vaultName) };
    if (kind === "ForbiddenByFirewall")
      return { status: 403, body: KEYVAULT.forbiddenByFirewall(principalId, tid, "203.0.113.7", vaultName) };
    if (kind === "ForbiddenByConnection") return { status: 403, body: KEYVAULT.forbiddenByConnection(principalId, tid, vaultName) };
    return { status: 403, body: KEYVAULT.forbidden(principalId, tid, permission, vaultName, kind) };
  }

  storeSecret(name: string, value: string, contentType?: string, tags?: Record<string, string>): SecretVersion {
    const v: SecretVersion = { version: randomBytes(16).toString("hex"), value, contentType, tags, created: Math.floor(Date.now() / 1000) };
    const key = name.toLowerCase();
    this.secrets.set(key, [...(this.secrets.get(key) ?? []), v]);
    return v;
  }

  private challenge(): Record<string, string> {
    return {
      "WWW-Authenticate": `Bearer authorization="${PUBLIC_CLOUD.login}${this.site.tenantId}", resource="${VAULT_AUDIENCE}"`,
    };
  }

  handle(ctx: Ctx): void {
    // Key Vault authenticates before it looks at anything else: no token, the 401 challenge.
    const { raw, token } = bearer(ctx);
    if (!raw) return ctx.reply(401, KEYVAULT.missingToken, this.challenge());
    if (!token)
      return ctx.reply(401, { error: { code: "Unauthorized", message: "AKV10001: Token is not a valid JWT." } }, this.challenge());
    if (token.aud.replace(/\/$/, "") !== VAULT_AUDIENCE) return ctx.reply(401, KEYVAULT.badAudience(token.aud), this.challenge());
    ctx.principalId = token.oid;
    if (!ctx.url.searchParams.get("api-version"))
      return ctx.reply(400, KEYVAULT.badParameter("The 'api-version' query parameter is missing."));

    const parts = ctx.url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const method = ctx.req.method;
    let op: Op;
    if (parts[0] !== "secrets") return ctx.reply(404, KEYVAULT.badParameter(`Unknown path ${ctx.url.pathname}`));
    if (method === "GET" && (parts.length === 1 || parts[2] === "versions")) op = "list";
    else if (method === "GET" && parts.length <= 3) op = "get";
    else if (method === "PUT" && parts.length === 2) op = "set";
    else return ctx.reply(405, KEYVAULT.badParameter(`${method} is not allowed on ${ctx.url.pathname}`));

    if (answerFault(ctx, this.faults, op, parts[1])) return;
    // The firewall sees the caller (its 403 names it) before the vault looks at any permission.
    const refused = networkRefusal(this.network, this.site.vaultName, {
      oid: token.oid,
      tid: this.site.tenantId,
      inLabSubnet: this.isSeat(token.oid),
      clientAddress: (ctx.req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
    });
    if (refused) return ctx.reply(403, refused);
    const denied =
      this.accessModel === "rbac"
        ? this.rbacDenial(token.oid, op as "get" | "set" | "list", parts)
        : this.policyDenial(token.oid, op as SecretPermission);
    if (denied) return ctx.reply(403, denied);
    const vaultUrl = this.site.vaultUrl;
    if (op === "list") {
      const names = parts.length === 1 ? [...this.secrets.keys()] : [parts[1].toLowerCase()];
      const value = names.flatMap((n) => {
        const versions = this.secrets.get(n) ?? [];
        const pick = parts.length === 1 ? versions.slice(-1) : versions;
        return pick.map((v) => ({
          id: parts.length === 1 ? `${vaultUrl}secrets/${n}` : `${vaultUrl}secrets/${n}/${v.version}`,
          attributes: attributes(v),
          ...(v.contentType ? { contentType: v.contentType } : {}),
          ...(v.tags ? { tags: v.tags } : {}),
        }));
      });
      return ctx.reply(200, { value });
    }
    if (op === "get") {
      const versions = this.secrets.get(parts[1].toLowerCase()) ?? [];
      const v = parts[2] ? versions.find((x) => x.version === parts[2]) : versions[versions.length - 1];
      if (!v) return ctx.reply(404, KEYVAULT.notFound(parts[1]));
      return ctx.reply(200, this.bundle(parts[1], v));
    }
    let body: any;
    try {
      body = JSON.parse(ctx.body.toString("utf8"));
    } catch {
      return ctx.reply(400, KEYVAULT.badParameter("The request body is not valid JSON."));
    }
    if (typeof body?.value !== "string") return ctx.reply(400, KEYVAULT.badParameter("Property 'value' is required."));
    if (!new RegExp(`^${NAME_PATTERN.secret}$`).test(parts[1]))
      return ctx.reply(400, KEYVAULT.badParameter("The request URI contains an invalid name: " + parts[1]));
    const v = this.storeSecret(parts[1], body.value, body.contentType, body.tags);
    ctx.reply(200, this.bundle(parts[1], v));
  }

  private policyDenial(oid: string, op: SecretPermission) {
    return this.policies.get(oid)?.has(op)
      ? undefined
      : KEYVAULT.forbidden(oid, this.site.tenantId, op, this.site.vaultName, this.policyDenialCode);
  }

  /** RBAC: some assignment of the caller, at the vault or at this secret (scopes inherit downwards), grants the action. */
  private rbacDenial(oid: string, op: "get" | "set" | "list", parts: string[]) {
    const action = KV_ACTION[op];
    const resource = parts.length === 1 ? this.site.vaultId : this.site.secretScope(parts[1]);
    const covers = (scope: string) =>
      resource.toLowerCase() === scope.toLowerCase() || resource.toLowerCase().startsWith(`${scope.toLowerCase()}/`);
    const allows = (pattern: string) =>
      new RegExp(
        `^${pattern
          .split("*")
          .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
          .join(".*")}$`,
        "i",
      ).test(action);
    const granted = this.roleGrants.some((g) => g.principalId === oid && covers(g.scope) && g.dataActions.some(allows));
    return granted ? undefined : KEYVAULT.forbiddenByRbac(oid, this.site.tenantId, action, resource, this.site.vaultName);
  }

  private bundle(name: string, v: SecretVersion) {
    return {
      value: v.value,
      id: `${this.site.vaultUrl}secrets/${name}/${v.version}`,
      attributes: attributes(v),
      ...(v.contentType ? { contentType: v.contentType } : {}),
      ...(v.tags ? { tags: v.tags } : {}),
    };
  }
}

function attributes(v: SecretVersion) {
  return { enabled: true, created: v.created, updated: v.created, recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90 };
}
