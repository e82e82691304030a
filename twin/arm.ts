// ARM over HTTPS: authentication and audience, then listKeys on the storage account, the control-plane secret PUT,
// the vault and VM GETs verify's ownership check reads, and run command (run-command.ts) with its operations.
// ARM authorizes by the caller's role before it looks the resource up, and the vault firewall never applies here.
import { createHash, randomBytes } from "crypto";
import { ARM_TYPE, NAME_PATTERN, parseResourceIdOf, resourceId } from "../lib/azure";
import { ARM } from "./azure-errors";
import type { StorageAccount } from "./azurite";
import { answerFault, bearer, Ctx } from "./context";
import type { FaultBook } from "./faults";
import { ARM_AUDIENCES, Identity } from "./imds";
import type { KeyVault } from "./keyvault";
import type { RunCommand } from "./run-command";

export const LIST_KEYS_ACTION = "Microsoft.Storage/storageAccounts/listKeys/action";
/** The ARM action of a control-plane secret PUT (Microsoft.KeyVault/vaults/secrets, Secrets_CreateOrUpdate). */
export const SECRETS_WRITE_ACTION = `${ARM_TYPE.secret}/write`;

/** What an ARM GET shows of a resource instead of the lab's, for ownership tests. */
export interface ArmMeta {
  tags?: Record<string, string>;
  subnetId?: string;
  nicId?: string;
}

/** A vault this ARM knows: the twin's own, or a linked twin's. */
export interface ArmVault {
  readonly vaultName: string;
  readonly vaultId: string;
  readonly vaultUrl: string;
  readonly armMeta: ReadonlyMap<string, ArmMeta>;
  readonly keyVault: KeyVault;
}

/** What ARM knows of the twin it belongs to. */
export interface ArmSite {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly storageAccountId: string;
  /** The twin's own account in Azurite: listKeys answers its key. */
  readonly storageAccount: StorageAccount;
  readonly labSubnetId: string;
  /** listKeys answers Azurite's key ("right") or a valid-looking key that Azurite refuses ("wrong"). */
  readonly keyMode: "right" | "wrong";
  readonly armMeta: ReadonlyMap<string, ArmMeta>;
  labTags(): Record<string, string>;
  vmId(vmName: string): string;
}

export class Arm {
  /** Role assignments on the storage account that allow listKeys. */
  readonly listKeysGrants = new Set<string>();
  /** ARM roles with Microsoft.KeyVault/vaults/secrets/write on the vault (Contributor has it). */
  readonly secretWriters = new Set<string>();

  /** `vault`: a vault by name (case-insensitive) in this lab; `vms`: the identities that belong to a VM. */
  constructor(
    private readonly site: ArmSite,
    private readonly faults: FaultBook,
    private readonly runCommand: RunCommand,
    private readonly vault: (name: string) => ArmVault | undefined,
    private readonly vms: () => Iterable<Identity>,
  ) {}

  reset(): void {
    this.listKeysGrants.clear();
    this.secretWriters.clear();
  }

  handle(ctx: Ctx): void {
    const { raw, token } = bearer(ctx);
    const challenge = {
      "WWW-Authenticate": `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The authentication failed."`,
    };
    if (!raw || !token) return ctx.reply(401, ARM.missingToken, challenge);
    if (!ARM_AUDIENCES.has(token.aud)) return ctx.reply(401, ARM.badAudience, challenge);
    ctx.principalId = token.oid;
    const p = ctx.url.pathname;

    const listKeys =
      /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+)\/listKeys$/i.exec(p);
    if (listKeys && ctx.req.method === "POST") return this.listKeys(ctx, token.oid, listKeys[1]);

    const secretPut = parseResourceIdOf(p, ARM_TYPE.secret);
    if (secretPut && ctx.req.method === "PUT")
      return this.secretPut(ctx, token.oid, secretPut.resourceGroup, ...(secretPut.names.map(decodeURIComponent) as [string, string]));

    const runCommand =
      /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)\/runCommand$/i.exec(p);
    if (runCommand && ctx.req.method === "POST") return this.runCommand.post(ctx, token.oid, runCommand[1]);

    const op = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Compute\/locations\/[^/]+\/operations\/([^/]+)$/i.exec(p);
    if (op && ctx.req.method === "GET") return this.runCommand.operation(ctx, op[1]);

    const vaultGet = parseResourceIdOf(p, ARM_TYPE.vault);
    if (vaultGet && ctx.req.method === "GET")
      return this.vaultGet(ctx, token.oid, vaultGet.subscriptionId, vaultGet.resourceGroup, decodeURIComponent(vaultGet.names[0]));
    const vmGet = parseResourceIdOf(p, ARM_TYPE.vm);
    if (vmGet && ctx.req.method === "GET")
      return this.vmGet(ctx, token.oid, vmGet.subscriptionId, vmGet.resourceGroup, decodeURIComponent(vmGet.names[0]));
    ctx.reply(404, { error: { code: "InvalidResourceType", message: `The resource type could not be found for ${ctx.req.method} ${p}.` } });
  }

  /** POST Microsoft.Storage/storageAccounts/{name}/listKeys. */
  private listKeys(ctx: Ctx, oid: string, scope: string): void {
    if (answerFault(ctx, this.faults, "listKeys")) return;
    // ARM authorizes before it looks the resource up: without the role, 403 even for an account that is not there.
    if (!this.listKeysGrants.has(oid)) return ctx.reply(403, ARM.authorizationFailed(oid, LIST_KEYS_ACTION, scope));
    if (scope.toLowerCase() !== this.site.storageAccountId.toLowerCase())
      return ctx.reply(404, ARM.notFound(`${ARM_TYPE.storage}/${scope.split("/").pop()}`));
    const key = this.site.keyMode === "right" ? this.site.storageAccount.key : randomBytes(64).toString("base64");
    return ctx.reply(200, {
      keys: [
        { keyName: "key1", value: key, permissions: "Full" },
        { keyName: "key2", value: randomBytes(64).toString("base64"), permissions: "Full" },
      ],
    });
  }

  private inLab(sub: string, group: string): boolean {
    return sub.toLowerCase() === this.site.subscriptionId && group.toLowerCase() === this.site.resourceGroup.toLowerCase();
  }

  /**
   * GET Microsoft.KeyVault/vaults/{name} (Vaults_Get): the Vault resource, with the fields verify's ownership check
   * reads (tags, properties.vaultUri, properties.networkAcls.virtualNetworkRules[].id), as @azure/arm-keyvault's Vault
   * model has them. Control plane: the vault firewall does not apply. Reading needs Microsoft.KeyVault/vaults/read.
   */
  private vaultGet(ctx: Ctx, oid: string, sub: string, group: string, vaultName: string): void {
    if (answerFault(ctx, this.faults, "vaultGet")) return;
    const scope = resourceId(sub, group, ARM_TYPE.vault, vaultName);
    if (!this.readers().has(oid)) return ctx.reply(403, ARM.authorizationFailed(oid, `${ARM_TYPE.vault}/read`, scope));
    const target = this.vault(vaultName);
    if (!target || !this.inLab(sub, group)) return ctx.reply(404, ARM.notFound(`${ARM_TYPE.vault}/${vaultName}`));
    const meta = target.armMeta.get(target.vaultName.toLowerCase()) ?? {};
    const kv = target.keyVault;
    ctx.reply(200, {
      id: target.vaultId,
      name: target.vaultName,
      type: ARM_TYPE.vault,
      location: this.site.location,
      tags: meta.tags ?? this.site.labTags(),
      properties: {
        tenantId: this.site.tenantId,
        sku: { family: "A", name: "standard" },
        vaultUri: target.vaultUrl,
        enableRbacAuthorization: kv.accessModel === "rbac",
        publicNetworkAccess: kv.network.publicNetworkAccess,
        networkAcls: {
          bypass: "None",
          defaultAction: kv.network.defaultAction,
          ipRules: [],
          virtualNetworkRules: [{ id: meta.subnetId ?? this.site.labSubnetId, ignoreMissingVnetServiceEndpoint: false }],
        },
        provisioningState: "Succeeded",
      },
    });
  }

  /**
   * GET Microsoft.Compute/virtualMachines/{name} (VirtualMachines_Get): the fields verify's ownership check reads
   * (id, tags, properties.networkProfile.networkInterfaces[].id), as @azure/arm-compute's VirtualMachine has them.
   */
  private vmGet(ctx: Ctx, oid: string, sub: string, group: string, vmName: string): void {
    if (answerFault(ctx, this.faults, "vmGet")) return;
    const site = this.site;
    if (!this.readers().has(oid))
      return ctx.reply(403, ARM.authorizationFailed(oid, `${ARM_TYPE.vm}/read`, resourceId(sub, group, ARM_TYPE.vm, vmName)));
    const vm = [...this.vms()].find((i) => i.vmName?.toLowerCase() === vmName.toLowerCase());
    if (!vm || !this.inLab(sub, group)) return ctx.reply(404, ARM.notFound(`${ARM_TYPE.vm}/${vmName}`));
    const meta = site.armMeta.get(vm.vmName!.toLowerCase()) ?? {};
    ctx.reply(200, {
      id: site.vmId(vm.vmName!),
      name: vm.vmName,
      type: ARM_TYPE.vm,
      location: site.location,
      tags: meta.tags ?? site.labTags(),
      identity: { type: "SystemAssigned", principalId: vm.principalId, tenantId: site.tenantId },
      properties: {
        vmId: deterministicUuid(vm.principalId),
        networkProfile: {
          networkInterfaces: [{ id: meta.nicId ?? resourceId(site.subscriptionId, site.resourceGroup, ARM_TYPE.nic, `${vm.vmName}-nic`) }],
        },
        provisioningState: "Succeeded",
      },
    });
  }

  /** Who may read the lab's resources through ARM: the operator (Contributor reads everything in its scope). */
  private readers(): Set<string> {
    return new Set([...this.runCommand.operators, ...this.secretWriters]);
  }

  /**
   * PUT Microsoft.KeyVault/vaults/{vault}/secrets/{name} (Secrets_CreateOrUpdate): the control plane writes a new
   * version. ARM checks the caller's role for the write; neither the vault's firewall nor its access policies apply.
   * The answer never carries the value (secrets.json: "'value' will never be returned from the service").
   */
  private secretPut(ctx: Ctx, oid: string, group: string, vaultName: string, name: string): void {
    if (answerFault(ctx, this.faults, "secretPut", name)) return;
    const scope = resourceId(this.site.subscriptionId, group, ARM_TYPE.secret, vaultName, name);
    if (!this.secretWriters.has(oid)) return ctx.reply(403, ARM.authorizationFailed(oid, SECRETS_WRITE_ACTION, scope));
    const target = this.vault(vaultName);
    if (!target || group.toLowerCase() !== this.site.resourceGroup.toLowerCase()) {
      return ctx.reply(404, ARM.notFound(`${ARM_TYPE.vault}/${vaultName}`));
    }
    if (!new RegExp(`^${NAME_PATTERN.secret}$`).test(name))
      return ctx.reply(400, ARM.badRequest(`The secret name '${name}' is not valid: expected 1-127 letters, digits and hyphens.`));
    let body: any;
    try {
      body = JSON.parse(ctx.body.toString("utf8"));
    } catch {
      return ctx.reply(400, {
        error: { code: "InvalidRequestContent", message: "The request content was invalid and could not be deserialized." },
      });
    }
    if (typeof body?.properties?.value !== "string") return ctx.reply(400, ARM.badRequest("properties.value is required."));
    const existed = target.keyVault.versions(name).length > 0;
    const tags: Record<string, string> | undefined = body.tags && typeof body.tags === "object" ? body.tags : undefined;
    const v = target.keyVault.storeSecret(name, body.properties.value, body.properties.contentType, tags);
    ctx.reply(existed ? 200 : 201, {
      id: `${target.vaultId}/secrets/${name}`,
      name,
      type: ARM_TYPE.secret,
      location: this.site.location,
      ...(tags ? { tags } : {}),
      properties: {
        ...(v.contentType ? { contentType: v.contentType } : {}),
        attributes: { enabled: true, created: v.created, updated: v.created },
        secretUri: `${target.vaultUrl}secrets/${name}`,
        secretUriWithVersion: `${target.vaultUrl}secrets/${name}/${v.version}`,
      },
    });
  }
}

/** A stable GUID-shaped id derived from `seed` (a VM's vmId in answers). */
function deterministicUuid(seed: string): string {
  const h = createHash("sha1").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
