// The local Azure twin that tests run the probe and `verify` against: IMDS (HTTP, one endpoint per VM, as each VM has
// its own 169.254.169.254), Key Vault (HTTPS, challenge auth, audience check, firewall, access policies or RBAC), ARM
// (HTTPS: listKeys, the control-plane secret PUT, run command that executes the posted script locally against the
// twin) and Azurite as the blob data plane.
// Its answers follow Azure's (status codes, headers, error bodies); tests/twin.test.ts validates them against the specs.
// Faults are injected per test. Everything binds 127.0.0.1 and lives in a temp dir that stop() removes.
import { ChildProcess, spawn } from "child_process";
import { createHash, randomBytes, randomUUID } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { ARM, IMDS, KEYVAULT, PolicyDenialCode } from "./azure-errors";
import { Azurite, DEV_ACCOUNT, DEV_KEY, startAzurite } from "./azurite";
import { makeCerts, TwinCerts } from "./certs";
import { fakeJwt, readJwt, TokenClaims } from "./jwt";
import { labNetwork, networkRefusal, VaultNetwork } from "./firewall";

export type { PolicyDenialCode } from "./azure-errors";
export type { VaultNetwork } from "./firewall";

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
  get: "Microsoft.KeyVault/vaults/secrets/getSecret/action",
  set: "Microsoft.KeyVault/vaults/secrets/setSecret/action",
  list: "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
};
export type Service = "imds" | "vault" | "arm";
/** Every 403 body Key Vault is known to send: permission refusals, then network refusals. */
export const KV_REFUSALS = ["AccessDenied", "ForbiddenByPolicy", "none", "ForbiddenByRbac", "ForbiddenByFirewall", "ForbiddenByConnection"] as const;
export type KvRefusal = (typeof KV_REFUSALS)[number];
export type Op = "token" | "get" | "set" | "list" | "listKeys" | "runCommand" | "secretPut" | "vaultGet" | "vmGet";

export const VAULT_AUDIENCE = "https://vault.azure.net";
export const ARM_AUDIENCE = "https://management.azure.com/";
const ARM_AUDIENCES = new Set([ARM_AUDIENCE, "https://management.azure.com", "https://management.core.windows.net/"]);
export const LIST_KEYS_ACTION = "Microsoft.Storage/storageAccounts/listKeys/action";
const RUN_COMMAND_ACTION = "Microsoft.Compute/virtualMachines/runCommand/action";
/** The ARM action of a control-plane secret PUT (Microsoft.KeyVault/vaults/secrets, Secrets_CreateOrUpdate). */
export const SECRETS_WRITE_ACTION = "Microsoft.KeyVault/vaults/secrets/write";
/** Azure keeps the last 4096 bytes of a run command's stdout and of its stderr. */
export const RUN_COMMAND_OUTPUT_LIMIT = 4096;

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

/** One VM's (or the operator's) managed identity, with its own IMDS endpoint. */
export interface Identity {
  readonly name: string;
  readonly principalId: string;
  /** Base URL of this identity's IMDS: what PROBE_IMDS_URL (or AZURE_POD_IDENTITY_AUTHORITY_HOST) points at. */
  readonly imdsUrl: string;
  /** The VM this identity belongs to, if any: run command on it runs as this identity. */
  readonly vmName?: string;
}

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

interface SecretVersion {
  readonly version: string;
  readonly value: string;
  readonly contentType?: string;
  readonly tags?: Record<string, string>;
  readonly created: number;
}

interface Operation {
  done: boolean;
  result?: unknown;
  readonly started: string;
  ended?: string;
}

type Reply = (status: number, body?: unknown, headers?: Record<string, string>) => void;

interface Ctx {
  readonly service: Service;
  readonly req: http.IncomingMessage;
  readonly url: URL;
  readonly body: Buffer;
  principalId?: string;
  reply: Reply;
}

export class AzureTwin {
  readonly tenantId = "00000000-0000-0000-0000-0000000000a1";
  readonly subscriptionId = "00000000-0000-0000-0000-000000000501";
  readonly resourceGroup = "dsvmlab-test-rg";
  readonly location = "westeurope";
  /** Every request the twin answered, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Ordered events that tests assert on without timing: run command start and end per VM. */
  readonly events: string[] = [];
  /** listKeys answers Azurite's key ("right") or a valid-looking key that Azurite refuses ("wrong"). */
  keyMode: "right" | "wrong" = "right";
  /** How the vault authorizes: access policies are ignored under RBAC, and role assignments under access policies. */
  accessModel: AccessModel = "accessPolicy";
  /** The inner code of an access-policy refusal: each one Azure is known to send. */
  policyDenialCode: PolicyDenialCode = "AccessDenied";
  /** The stack the lab's resources are tagged with (lib/lifecycle.ts: tag `lab` on every taggable resource). */
  labStack = "test";
  /** Per resource (lowercased vault or VM name): what its ARM GET shows instead of the lab's, for ownership tests. */
  readonly armMeta = new Map<string, { tags?: Record<string, string>; subnetId?: string; nicId?: string }>();
  /** The vault's network rules; by default the lab's, with the operator outside them. */
  vaultNetwork: VaultNetwork = labNetwork();

  private readonly identities = new Map<string, Identity>();
  private readonly imdsServers: http.Server[] = [];
  private readonly policies = new Map<string, Set<SecretPermission>>();
  private readonly listKeysGrants = new Set<string>();
  private readonly roleGrants: RoleGrant[] = [];
  private readonly runCommandOperators = new Set<string>();
  private readonly secretWriters = new Set<string>();
  /** Other twins' vaults this twin's ARM knows, by vault name (one subscription, several vaults). */
  private readonly linkedVaults = new Map<string, AzureTwin>();
  /** Twins whose VMs sit in this vault's lab subnet too (see linkVault). */
  private readonly labTwins = new Set<AzureTwin>([this]);
  private readonly secrets = new Map<string, SecretVersion[]>();
  private readonly operations = new Map<string, Operation>();
  private readonly children = new Set<ChildProcess>();
  private faults: ActiveFault[] = [];

  private constructor(
    readonly vaultName: string,
    readonly dir: string,
    readonly certs: TwinCerts,
    private readonly vaultServer: https.Server,
    private readonly armServer: https.Server,
    private readonly azurite: Azurite,
  ) {}

  static async start(options: { vaultName?: string } = {}): Promise<AzureTwin> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsvm-twin-"));
    let certs: TwinCerts;
    let azurite: Azurite;
    try {
      certs = makeCerts(dir);
      fs.mkdirSync(path.join(dir, "azurite"));
      azurite = await startAzurite(path.join(dir, "azurite"));
    } catch (e) {
      // Nothing of a half-started twin stays behind: the temp dir holds a private key.
      fs.rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    let twin: AzureTwin | undefined;
    const tls = { key: certs.key, cert: certs.cert };
    const vault = https.createServer(tls, (req, res) => twin!.dispatch("vault", req, res));
    const arm = https.createServer(tls, (req, res) => twin!.dispatch("arm", req, res));
    await Promise.all([listen(vault), listen(arm)]);
    twin = new AzureTwin(options.vaultName ?? "dsvmlab-kv-twin01", dir, certs, vault, arm, azurite);
    return twin;
  }

  /** https://127.0.0.1:PORT/ : the vault URI, as Azure gives it (with a trailing slash). */
  get vaultUrl(): string {
    return `https://127.0.0.1:${port(this.vaultServer)}/`;
  }
  /** https://127.0.0.1:PORT : what PROBE_ARM_URL points at. */
  get armUrl(): string {
    return `https://127.0.0.1:${port(this.armServer)}`;
  }
  /** http://127.0.0.1:PORT/devstoreaccount1/ : Azurite's blob endpoint for the lab's account. */
  get blobEndpoint(): string {
    return this.azurite.blobEndpoint;
  }
  get storageAccountId(): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${DEV_ACCOUNT}`;
  }
  /** The vault's resource id: the vault scope of role assignments. */
  get vaultId(): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.KeyVault/vaults/${this.vaultName}`;
  }
  /** The lab subnet, which the vault's virtualNetworkRules allow. */
  get labSubnetId(): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.Network/virtualNetworks/lab-vnet/subnets/lab`;
  }
  /** The tags the program puts on every taggable resource of a lasting lab. */
  labTags(): Record<string, string> {
    return { lab: this.labStack, ephemeral: "false" };
  }
  /** One secret's scope for role assignments. */
  secretScope(name: string): string {
    return `${this.vaultId}/secrets/${name}`;
  }
  vmId(vmName: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
  }

  /** A new identity with its own IMDS endpoint; with `vmName`, run command on that VM runs as it. */
  async addIdentity(name: string, vmName?: string): Promise<Identity> {
    const server = http.createServer((req, res) => this.dispatch("imds", req, res, identity));
    await listen(server);
    this.imdsServers.push(server);
    const identity: Identity = { name, principalId: randomUUID(), imdsUrl: `http://127.0.0.1:${port(server)}`, vmName };
    this.identities.set(identity.principalId, identity);
    return identity;
  }

  /** The access policy of a principal: exactly these secret permissions (replaces any earlier policy). */
  setPolicy(principalId: string, permissions: readonly SecretPermission[]): void {
    this.policies.set(principalId, new Set(permissions));
  }
  /** A role assignment whose role has these data actions ('*' wildcards as Azure writes them), at `scope` (default: the vault). */
  assignRole(principalId: string, dataActions: readonly string[], scope: string = this.vaultId): void {
    this.roleGrants.push({ principalId, dataActions: [...dataActions], scope });
  }
  /** A role assignment on the storage account that allows listKeys. */
  grantListKeys(principalId: string): void {
    this.listKeysGrants.add(principalId);
  }
  /** A role that allows run command on the lab's VMs (the operator's Contributor). */
  grantRunCommand(principalId: string): void {
    this.runCommandOperators.add(principalId);
  }
  /** An ARM role with Microsoft.KeyVault/vaults/secrets/write on the vault (Contributor has it). */
  grantSecretsWrite(principalId: string): void {
    this.secretWriters.add(principalId);
  }
  /** Makes `other`'s vault another vault of this lab: this twin's ARM writes into it, and its firewall lets this twin's VMs in. */
  linkVault(other: AzureTwin): void {
    this.linkedVaults.set(other.vaultName.toLowerCase(), other);
    other.labTwins.add(this);
  }

  seedSecret(name: string, value: string): void {
    this.storeSecret(name, value);
  }
  /** Every version of a secret, oldest first: what tests read to see what the probe wrote. */
  secretVersions(name: string): readonly { version: string; value: string }[] {
    return (this.secrets.get(name.toLowerCase()) ?? []).map(({ version, value }) => ({ version, value }));
  }

  /** Key Vault's 403 to `principalId` in each form Azure sends (for a fault on one operation, such as list). */
  refusal(kind: KvRefusal, principalId: string, permission: "get" | "set" | "list" = "list"): FaultResponse {
    const tid = this.tenantId;
    if (kind === "ForbiddenByRbac") return { status: 403, body: KEYVAULT.forbiddenByRbac(principalId, tid, KV_ACTION[permission], this.vaultId, this.vaultName) };
    if (kind === "ForbiddenByFirewall") return { status: 403, body: KEYVAULT.forbiddenByFirewall(principalId, tid, "203.0.113.7", this.vaultName) };
    if (kind === "ForbiddenByConnection") return { status: 403, body: KEYVAULT.forbiddenByConnection(principalId, tid, this.vaultName) };
    return { status: 403, body: KEYVAULT.forbidden(principalId, tid, permission, this.vaultName, kind) };
  }

  fault(f: Fault): void {
    this.faults.push({ ...f, left: f.times ?? Infinity, until: f.forMs === undefined ? Infinity : Date.now() + f.forMs });
  }

  /** Forgets policies, grants, secrets, faults and logs (identities and servers stay). */
  reset(): void {
    this.policies.clear();
    this.listKeysGrants.clear();
    this.roleGrants.length = 0;
    this.accessModel = "accessPolicy";
    this.runCommandOperators.clear();
    this.secretWriters.clear();
    this.policyDenialCode = "AccessDenied";
    this.vaultNetwork = labNetwork();
    this.secrets.clear();
    this.faults = [];
    this.requests.length = 0;
    this.events.length = 0;
    this.keyMode = "right";
    this.labStack = "test";
    this.armMeta.clear();
  }

  /** What the probe needs to talk to the twin instead of Azure, as `identity`. */
  probeEnv(identity: Identity): Record<string, string> {
    return { PROBE_IMDS_URL: identity.imdsUrl, PROBE_ARM_URL: this.armUrl, PROBE_CA_FILE: this.certs.caFile };
  }

  async stop(): Promise<void> {
    for (const child of this.children) child.kill("SIGKILL");
    const servers = [this.vaultServer, this.armServer, ...this.imdsServers];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
    await this.azurite.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // ---- plumbing --------------------------------------------------------------------------------------------------

  private dispatch(service: Service, req: http.IncomingMessage, res: http.ServerResponse, identity?: Identity): void {
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
          this.requests.push({
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
        if (service === "imds") this.imds(ctx, identity!);
        else if (service === "vault") this.vault(ctx);
        else this.arm(ctx);
      } catch (e) {
        ctx.reply(500, { error: { code: "InternalServerError", message: `twin bug: ${(e as Error).message}` } });
      }
    });
  }

  /** The first live fault for this request, if any (and counts it down). */
  private takeFault(service: Service, op: Op, principalId: string | undefined, secret?: string): FaultResponse | undefined {
    const now = Date.now();
    this.faults = this.faults.filter((f) => f.left > 0 && f.until > now);
    const f = this.faults.find(
      (x) => x.service === service && (!x.op || x.op === op) && (!x.principalId || x.principalId === principalId) && (!x.secret || x.secret.toLowerCase() === secret?.toLowerCase()),
    );
    if (!f) return undefined;
    f.left--;
    return f.response;
  }

  private answerFault(ctx: Ctx, op: Op, secret?: string): boolean {
    const f = this.takeFault(ctx.service, op, ctx.principalId, secret);
    if (f) ctx.reply(f.status, f.body, { ...(f.headers ?? {}) });
    return f !== undefined;
  }

  private bearer(ctx: Ctx): { token?: TokenClaims; raw?: string } {
    const m = /^Bearer (.+)$/i.exec(ctx.req.headers.authorization ?? "");
    return m ? { raw: m[1], token: readJwt(m[1]) } : {};
  }

  // ---- IMDS ------------------------------------------------------------------------------------------------------

  private imds(ctx: Ctx, identity: Identity): void {
    ctx.principalId = identity.principalId;
    // IMDS refuses requests without Metadata: true, and forwarded ones: both guard against SSRF.
    if (ctx.req.headers.metadata !== "true" || ctx.req.headers["x-forwarded-for"] !== undefined) return ctx.reply(400, IMDS.missingMetadata);
    if (!/^\/metadata\/identity\/oauth2\/token\/?$/.test(ctx.url.pathname)) return ctx.reply(404, { error: "not_found", error_description: "Not found" });
    if (ctx.req.method !== "GET") return ctx.reply(405, { error: "method_not_allowed", error_description: "Not allowed" });
    if (!ctx.url.searchParams.get("api-version")) return ctx.reply(400, { error: "invalid_request", error_description: "Required query variable 'api-version' is missing" });
    if (this.answerFault(ctx, "token")) return;
    const resource = ctx.url.searchParams.get("resource") ?? "";
    if (resource.replace(/\/$/, "") !== VAULT_AUDIENCE && !ARM_AUDIENCES.has(resource)) return ctx.reply(400, IMDS.badResource);
    const now = Math.floor(Date.now() / 1000);
    ctx.reply(200, {
      access_token: fakeJwt({ aud: resource, oid: identity.principalId, tid: this.tenantId, appid: identity.principalId }),
      client_id: identity.principalId,
      expires_in: "3599",
      expires_on: String(now + 3599),
      ext_expires_in: "3599",
      not_before: String(now),
      resource,
      token_type: "Bearer",
    });
  }

  // ---- Key Vault -------------------------------------------------------------------------------------------------

  private vaultChallenge(): Record<string, string> {
    return { "WWW-Authenticate": `Bearer authorization="https://login.microsoftonline.com/${this.tenantId}", resource="${VAULT_AUDIENCE}"` };
  }

  private vault(ctx: Ctx): void {
    // Key Vault authenticates before it looks at anything else: no token, the 401 challenge.
    const { raw, token } = this.bearer(ctx);
    if (!raw) return ctx.reply(401, KEYVAULT.missingToken, this.vaultChallenge());
    if (!token) return ctx.reply(401, { error: { code: "Unauthorized", message: "AKV10001: Token is not a valid JWT." } }, this.vaultChallenge());
    if (token.aud.replace(/\/$/, "") !== VAULT_AUDIENCE) return ctx.reply(401, KEYVAULT.badAudience(token.aud), this.vaultChallenge());
    ctx.principalId = token.oid;
    if (!ctx.url.searchParams.get("api-version")) return ctx.reply(400, KEYVAULT.badParameter("The 'api-version' query parameter is missing."));

    const parts = ctx.url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const method = ctx.req.method;
    let op: Op;
    if (parts[0] !== "secrets") return ctx.reply(404, KEYVAULT.badParameter(`Unknown path ${ctx.url.pathname}`));
    if (method === "GET" && (parts.length === 1 || parts[2] === "versions")) op = "list";
    else if (method === "GET" && parts.length <= 3) op = "get";
    else if (method === "PUT" && parts.length === 2) op = "set";
    else return ctx.reply(405, KEYVAULT.badParameter(`${method} is not allowed on ${ctx.url.pathname}`));

    if (this.answerFault(ctx, op, parts[1])) return;
    // The firewall sees the caller (its 403 names it) before the vault looks at any permission.
    const refused = networkRefusal(this.vaultNetwork, this.vaultName, {
      oid: token.oid,
      tid: this.tenantId,
      inLabSubnet: [...this.labTwins].some((t) => t.identities.get(token.oid)?.vmName !== undefined),
      clientAddress: (ctx.req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
    });
    if (refused) return ctx.reply(403, refused);
    const denied = this.accessModel === "rbac" ? this.rbacDenial(token.oid, op as "get" | "set" | "list", parts) : this.policyDenial(token.oid, op as SecretPermission);
    if (denied) return ctx.reply(403, denied);
    if (op === "list") {
      const names = parts.length === 1 ? [...this.secrets.keys()] : [parts[1].toLowerCase()];
      const value = names.flatMap((n) => {
        const versions = this.secrets.get(n) ?? [];
        const pick = parts.length === 1 ? versions.slice(-1) : versions;
        return pick.map((v) => ({
          id: parts.length === 1 ? `${this.vaultUrl}secrets/${n}` : `${this.vaultUrl}secrets/${n}/${v.version}`,
          attributes: this.attributes(v),
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
    if (!/^[0-9a-zA-Z-]{1,127}$/.test(parts[1])) return ctx.reply(400, KEYVAULT.badParameter("The request URI contains an invalid name: " + parts[1]));
    const v = this.storeSecret(parts[1], body.value, body.contentType, body.tags);
    ctx.reply(200, this.bundle(parts[1], v));
  }

  private policyDenial(oid: string, op: SecretPermission) {
    return this.policies.get(oid)?.has(op) ? undefined : KEYVAULT.forbidden(oid, this.tenantId, op, this.vaultName, this.policyDenialCode);
  }

  /** RBAC: some assignment of the caller, at the vault or at this secret (scopes inherit downwards), grants the action. */
  private rbacDenial(oid: string, op: "get" | "set" | "list", parts: string[]) {
    const action = KV_ACTION[op];
    const resource = parts.length === 1 ? this.vaultId : this.secretScope(parts[1]);
    const covers = (scope: string) => resource.toLowerCase() === scope.toLowerCase() || resource.toLowerCase().startsWith(`${scope.toLowerCase()}/`);
    const allows = (pattern: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*")}$`, "i").test(action);
    const granted = this.roleGrants.some((g) => g.principalId === oid && covers(g.scope) && g.dataActions.some(allows));
    return granted ? undefined : KEYVAULT.forbiddenByRbac(oid, this.tenantId, action, resource, this.vaultName);
  }

  private storeSecret(name: string, value: string, contentType?: string, tags?: Record<string, string>): SecretVersion {
    const v: SecretVersion = { version: randomBytes(16).toString("hex"), value, contentType, tags, created: Math.floor(Date.now() / 1000) };
    const key = name.toLowerCase();
    this.secrets.set(key, [...(this.secrets.get(key) ?? []), v]);
    return v;
  }

  private attributes(v: SecretVersion) {
    return { enabled: true, created: v.created, updated: v.created, recoveryLevel: "Recoverable+Purgeable", recoverableDays: 90 };
  }

  private bundle(name: string, v: SecretVersion) {
    return {
      value: v.value,
      id: `${this.vaultUrl}secrets/${name}/${v.version}`,
      attributes: this.attributes(v),
      ...(v.contentType ? { contentType: v.contentType } : {}),
      ...(v.tags ? { tags: v.tags } : {}),
    };
  }

  // ---- ARM -------------------------------------------------------------------------------------------------------

  private arm(ctx: Ctx): void {
    const { raw, token } = this.bearer(ctx);
    const challenge = { "WWW-Authenticate": `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The authentication failed."` };
    if (!raw || !token) return ctx.reply(401, ARM.missingToken, challenge);
    if (!ARM_AUDIENCES.has(token.aud)) return ctx.reply(401, ARM.badAudience, challenge);
    ctx.principalId = token.oid;
    const p = ctx.url.pathname;
    const sub = `/subscriptions/${this.subscriptionId}`;
    const rg = `${sub}/resourceGroups/${this.resourceGroup}`.toLowerCase();

    const listKeys = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+)\/listKeys$/i.exec(p);
    if (listKeys && ctx.req.method === "POST") {
      if (this.answerFault(ctx, "listKeys")) return;
      const scope = listKeys[1];
      // ARM authorizes before it looks the resource up: without the role, 403 even for an account that is not there.
      if (!this.listKeysGrants.has(token.oid)) return ctx.reply(403, ARM.authorizationFailed(token.oid, LIST_KEYS_ACTION, scope));
      if (scope.toLowerCase() !== this.storageAccountId.toLowerCase()) return ctx.reply(404, ARM.notFound(`Microsoft.Storage/storageAccounts/${scope.split("/").pop()}`));
      const key = this.keyMode === "right" ? DEV_KEY : randomBytes(64).toString("base64");
      return ctx.reply(200, {
        keys: [
          { keyName: "key1", value: key, permissions: "Full" },
          { keyName: "key2", value: randomBytes(64).toString("base64"), permissions: "Full" },
        ],
      });
    }

    const secretPut = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)\/secrets\/([^/]+)$/i.exec(p);
    if (secretPut && ctx.req.method === "PUT") return this.armSecretPut(ctx, token.oid, secretPut[1], decodeURIComponent(secretPut[2]), decodeURIComponent(secretPut[3]));

    const runCommand = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)\/runCommand$/i.exec(p);
    if (runCommand && ctx.req.method === "POST") {
      if (this.answerFault(ctx, "runCommand")) return;
      const vmName = runCommand[1];
      if (!this.runCommandOperators.has(token.oid)) return ctx.reply(403, ARM.authorizationFailed(token.oid, RUN_COMMAND_ACTION, this.vmId(vmName)));
      const vm = [...this.identities.values()].find((i) => i.vmName === vmName);
      if (!vm || !p.toLowerCase().startsWith(rg)) return ctx.reply(404, ARM.notFound(`Microsoft.Compute/virtualMachines/${vmName}`));
      let input: any;
      try {
        input = JSON.parse(ctx.body.toString("utf8"));
      } catch {
        return ctx.reply(400, { error: { code: "InvalidRequestContent", message: "The request content was invalid and could not be deserialized." } });
      }
      if (input?.commandId !== "RunShellScript" || !Array.isArray(input.script)) {
        return ctx.reply(400, { error: { code: "InvalidParameter", message: "commandId must be RunShellScript and script a list of lines (Linux VM).", target: "commandId" } });
      }
      const id = randomUUID();
      this.operations.set(id, { done: false, started: new Date().toISOString() });
      this.execute(id, vm, input.script, input.parameters ?? []);
      const ops = `${this.armUrl}${sub}/providers/Microsoft.Compute/locations/${this.location}/operations/${id}`;
      return ctx.reply(202, undefined, { "Azure-AsyncOperation": `${ops}?p=${id}&api-version=2024-11-01`, Location: `${ops}?p=${id}&monitor=true&api-version=2024-11-01`, "Retry-After": "1" });
    }

    const op = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/([^/]+)$/i.exec(p);
    if (op && ctx.req.method === "GET") {
      const o = this.operations.get(op[1]);
      if (!o) return ctx.reply(404, ARM.notFound(`operations/${op[1]}`));
      if (ctx.url.searchParams.get("monitor") === "true") return o.done ? ctx.reply(200, o.result) : ctx.reply(202, undefined, { "Retry-After": "1" });
      return ctx.reply(200, {
        startTime: o.started,
        ...(o.done ? { endTime: o.ended, status: "Succeeded", properties: { output: o.result } } : { status: "InProgress" }),
        name: op[1],
      });
    }
    const vaultGet = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)$/i.exec(p);
    if (vaultGet && ctx.req.method === "GET") return this.armVaultGet(ctx, token.oid, vaultGet[1], vaultGet[2], decodeURIComponent(vaultGet[3]));
    const vmGet = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)$/i.exec(p);
    if (vmGet && ctx.req.method === "GET") return this.armVmGet(ctx, token.oid, vmGet[1], vmGet[2], decodeURIComponent(vmGet[3]));
    ctx.reply(404, { error: { code: "InvalidResourceType", message: `The resource type could not be found for ${ctx.req.method} ${p}.` } });
  }

  private inLab(sub: string, group: string): boolean {
    return sub.toLowerCase() === this.subscriptionId && group.toLowerCase() === this.resourceGroup.toLowerCase();
  }

  /**
   * GET Microsoft.KeyVault/vaults/{name} (Vaults_Get): the Vault resource, with the fields verify's ownership check
   * reads (tags, properties.vaultUri, properties.networkAcls.virtualNetworkRules[].id), as @azure/arm-keyvault's Vault
   * model has them. Control plane: the vault firewall does not apply. Reading needs Microsoft.KeyVault/vaults/read.
   */
  private armVaultGet(ctx: Ctx, oid: string, sub: string, group: string, vaultName: string): void {
    if (this.answerFault(ctx, "vaultGet")) return;
    const scope = `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.KeyVault/vaults/${vaultName}`;
    if (!this.armReaders().has(oid)) return ctx.reply(403, ARM.authorizationFailed(oid, "Microsoft.KeyVault/vaults/read", scope));
    const target = vaultName.toLowerCase() === this.vaultName.toLowerCase() ? this : this.linkedVaults.get(vaultName.toLowerCase());
    if (!target || !this.inLab(sub, group)) return ctx.reply(404, ARM.notFound(`Microsoft.KeyVault/vaults/${vaultName}`));
    const meta = target.armMeta.get(target.vaultName.toLowerCase()) ?? {};
    ctx.reply(200, {
      id: target.vaultId,
      name: target.vaultName,
      type: "Microsoft.KeyVault/vaults",
      location: this.location,
      tags: meta.tags ?? this.labTags(),
      properties: {
        tenantId: this.tenantId,
        sku: { family: "A", name: "standard" },
        vaultUri: target.vaultUrl,
        enableRbacAuthorization: target.accessModel === "rbac",
        publicNetworkAccess: target.vaultNetwork.publicNetworkAccess,
        networkAcls: {
          bypass: "None",
          defaultAction: target.vaultNetwork.defaultAction,
          ipRules: [],
          virtualNetworkRules: [{ id: meta.subnetId ?? this.labSubnetId, ignoreMissingVnetServiceEndpoint: false }],
        },
        provisioningState: "Succeeded",
      },
    });
  }

  /**
   * GET Microsoft.Compute/virtualMachines/{name} (VirtualMachines_Get): the fields verify's ownership check reads
   * (id, tags, properties.networkProfile.networkInterfaces[].id), as @azure/arm-compute's VirtualMachine has them.
   */
  private armVmGet(ctx: Ctx, oid: string, sub: string, group: string, vmName: string): void {
    if (this.answerFault(ctx, "vmGet")) return;
    if (!this.armReaders().has(oid)) return ctx.reply(403, ARM.authorizationFailed(oid, "Microsoft.Compute/virtualMachines/read", `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/${vmName}`));
    const vm = [...this.identities.values()].find((i) => i.vmName?.toLowerCase() === vmName.toLowerCase());
    if (!vm || !this.inLab(sub, group)) return ctx.reply(404, ARM.notFound(`Microsoft.Compute/virtualMachines/${vmName}`));
    const meta = this.armMeta.get(vm.vmName!.toLowerCase()) ?? {};
    const rg = `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroup}`;
    ctx.reply(200, {
      id: this.vmId(vm.vmName!),
      name: vm.vmName,
      type: "Microsoft.Compute/virtualMachines",
      location: this.location,
      tags: meta.tags ?? this.labTags(),
      identity: { type: "SystemAssigned", principalId: vm.principalId, tenantId: this.tenantId },
      properties: {
        vmId: deterministicUuid(vm.principalId),
        networkProfile: { networkInterfaces: [{ id: meta.nicId ?? `${rg}/providers/Microsoft.Network/networkInterfaces/${vm.vmName}-nic` }] },
        provisioningState: "Succeeded",
      },
    });
  }

  /** Who may read the lab's resources through ARM: the operator (Contributor reads everything in its scope). */
  private armReaders(): Set<string> {
    return new Set([...this.runCommandOperators, ...this.secretWriters]);
  }

  /**
   * PUT Microsoft.KeyVault/vaults/{vault}/secrets/{name} (Secrets_CreateOrUpdate): the control plane writes a new
   * version. ARM checks the caller's role for the write; neither the vault's firewall nor its access policies apply.
   * The answer never carries the value (secrets.json: "'value' will never be returned from the service").
   */
  private armSecretPut(ctx: Ctx, oid: string, group: string, vaultName: string, name: string): void {
    if (this.answerFault(ctx, "secretPut", name)) return;
    const scope = `/subscriptions/${this.subscriptionId}/resourceGroups/${group}/providers/Microsoft.KeyVault/vaults/${vaultName}/secrets/${name}`;
    if (!this.secretWriters.has(oid)) return ctx.reply(403, ARM.authorizationFailed(oid, SECRETS_WRITE_ACTION, scope));
    const target = vaultName.toLowerCase() === this.vaultName.toLowerCase() ? this : this.linkedVaults.get(vaultName.toLowerCase());
    if (!target || group.toLowerCase() !== this.resourceGroup.toLowerCase()) {
      return ctx.reply(404, ARM.notFound(`Microsoft.KeyVault/vaults/${vaultName}`));
    }
    if (!/^[a-zA-Z0-9-]{1,127}$/.test(name)) return ctx.reply(400, ARM.badRequest(`The secret name '${name}' is not valid: expected 1-127 letters, digits and hyphens.`));
    let body: any;
    try {
      body = JSON.parse(ctx.body.toString("utf8"));
    } catch {
      return ctx.reply(400, { error: { code: "InvalidRequestContent", message: "The request content was invalid and could not be deserialized." } });
    }
    if (typeof body?.properties?.value !== "string") return ctx.reply(400, ARM.badRequest("properties.value is required."));
    const existed = (target.secrets.get(name.toLowerCase()) ?? []).length > 0;
    const tags: Record<string, string> | undefined = body.tags && typeof body.tags === "object" ? body.tags : undefined;
    const v = target.storeSecret(name, body.properties.value, body.properties.contentType, tags);
    ctx.reply(existed ? 200 : 201, {
      id: `${target.vaultId}/secrets/${name}`,
      name,
      type: "Microsoft.KeyVault/vaults/secrets",
      location: this.location,
      ...(tags ? { tags } : {}),
      properties: {
        ...(v.contentType ? { contentType: v.contentType } : {}),
        attributes: { enabled: true, created: v.created, updated: v.created },
        secretUri: `${target.vaultUrl}secrets/${name}`,
        secretUriWithVersion: `${target.vaultUrl}secrets/${name}/${v.version}`,
      },
    });
  }

  /** Runs the posted shell script as the VM would: bash, named parameters as env, unnamed ones as arguments. */
  private execute(id: string, vm: Identity, script: string[], parameters: { name?: string; value?: string }[]): void {
    const file = path.join(this.dir, `runcommand-${id}.sh`);
    fs.writeFileSync(file, script.join("\n") + "\n", { mode: 0o700 });
    const named = Object.fromEntries(parameters.filter((x) => x.name && x.value).map((x) => [x.name!, x.value!]));
    const args = parameters.filter((x) => !x.name && x.value).map((x) => x.value!);
    this.events.push(`runCommand:start:${vm.vmName}`);
    const child = spawn("/bin/bash", [file, ...args], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...named, ...this.probeEnv(vm) }, stdio: ["ignore", "pipe", "pipe"] });
    this.children.add(child);
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", () => {
      this.children.delete(child);
      this.events.push(`runCommand:end:${vm.vmName}`);
      fs.rmSync(file, { force: true });
      const o = this.operations.get(id)!;
      // As on Azure (azure-cli #14425): the state says succeeded whatever the script's exit code was.
      o.result = {
        value: [
          {
            code: "ProvisioningState/succeeded",
            level: "Info",
            displayStatus: "Provisioning succeeded",
            message: `Enable succeeded: \n[stdout]\n${out.slice(-RUN_COMMAND_OUTPUT_LIMIT)}\n[stderr]\n${err.slice(-RUN_COMMAND_OUTPUT_LIMIT)}`,
          },
        ],
      };
      o.ended = new Date().toISOString();
      o.done = true;
    });
  }
}

/** A stable GUID-shaped id derived from `seed` (a VM's vmId in answers). */
function deterministicUuid(seed: string): string {
  const h = createHash("sha1").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function listen(server: net.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
}

function port(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

/** Canned faults with Azure's own bodies. */
export const FAULTS = {
  imdsIdentityNotFound: { status: 400, body: IMDS.identityNotFound },
  imdsThrottled: { status: 429, body: IMDS.throttled },
  imdsUnavailable: { status: 503, body: IMDS.unavailable },
  vaultThrottled: (retryAfterSeconds: number): FaultResponse => ({ status: 429, headers: { "Retry-After": String(retryAfterSeconds) }, body: KEYVAULT.throttled }),
  vaultUnavailable: { status: 503, body: KEYVAULT.unavailable },
  malformedJson: { status: 200, body: '{"value": "trunc' },
  /** A 403 that is not Key Vault's (a proxy's page): it says nothing about the vault's grants. */
  forbiddenNotKeyVault: { status: 403, headers: { "Content-Type": "text/html" }, body: "<html><body>403 Forbidden</body></html>" },
  /** A permission refusal with an inner code the lab has not seen for secrets (Go SDK guide: "the inner code may vary"). */
  forbiddenOtherCode: { status: 403, body: { error: { code: "Forbidden", message: "Operation list is not permitted.", innererror: { code: "KeyOperationForbidden" } } } },
} satisfies Record<string, FaultResponse | ((...a: any[]) => FaultResponse)>;
