import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { OPERATOR_SECRET_PERMISSIONS, SEAT_SECRET_PERMISSIONS, VaultAccessModel } from "../lib/azure";
import { VaultRbacAccess } from "./VaultRbacAccess";

export interface SecretVaultArgs {
  /** Resource group that holds the vault. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Azure region. */
  readonly location: string;
  /** Entra tenant of the vault and of every principal in its policies. */
  readonly tenantId: pulumi.Input<string>;
  /** Start of the vault's name; a random suffix makes it globally unique. Letters and digits, at most 10. */
  readonly namePrefix: string;
  /** The lab subnet, admitted through the vault firewall (it has the Microsoft.KeyVault service endpoint). */
  readonly subnetId: pulumi.Input<string>;
  /** Public IPs or CIDRs admitted through the firewall, for operators. */
  readonly operatorIpRanges: readonly string[];
  /** One VM identity per seat, in seat order: each gets secrets get and set, nothing else. */
  readonly seatPrincipalIds: readonly pulumi.Input<string>[];
  /** Seat numbers of `seatPrincipalIds`, for resource names (`vault2-seat501`); default 1, 2, ... */
  readonly seatNumbers?: readonly number[];
  /** Operator object ids: the deploying principal first, then any from config. */
  readonly operatorObjectIds: readonly pulumi.Input<string>[];
  /** Days a deleted vault or secret stays recoverable: 7 to 90. Default 90. */
  readonly softDeleteRetentionInDays?: number;
  /** Purge protection: once on, it cannot be turned off. Default true. */
  readonly purgeProtection?: boolean;
  /** Protect the vault itself, so `pulumi destroy` refuses to delete it (lasting labs). Default false. */
  readonly protect?: boolean;
  /** Name of the canary secret to create, with a random value kept secret in state and never exported. None when absent. */
  readonly canarySecretName?: string;
  /** `accessPolicy` (default): standalone access policies. `rbac`: RBAC authorization and role assignments only. */
  readonly accessModel?: VaultAccessModel;
  /** What the RBAC model needs: the subscription (built-in roles) and the seat role (components/SecretGetSetRole.ts). */
  readonly rbac?: {
    readonly subscriptionId: pulumi.Input<string>;
    readonly seatRoleDefinitionId: pulumi.Input<string>;
    /** The operators' Entra object type (config operatorPrincipalType). */
    readonly operatorPrincipalType: "User" | "ServicePrincipal" | "Group";
  };
}

/**
 * The lab's Key Vault (seed step 2). The permission model is set explicitly because the newest Key Vault API defaults
 * to RBAC. Access-policy model: policies are standalone `keyvault.AccessPolicy` resources and never inline on the vault
 * (mixing both makes them overwrite each other: pulumi-azure-native #594). RBAC model: no access policy at all; each
 * seat holds a get+set-only role on each secret it uses (components/VaultRbacAccess.ts). Firewall default Deny; the
 * lab subnet and operator IPs are let through.
 */
export class SecretVault extends pulumi.ComponentResource {
  /** The vault's globally unique name. */
  readonly vaultName: pulumi.Output<string>;
  /** `https://<name>.vault.azure.net/`. */
  readonly vaultUri: pulumi.Output<string>;
  /** The vault's resource id. */
  readonly vaultId: pulumi.Output<string>;
  /** Each seat's access policy, in seat order (none in the RBAC model). */
  readonly seatPolicies: readonly keyvault.AccessPolicy[];
  /** Each seat's grants in this vault, in seat order, in either model: what that seat's in-VM check waits for. */
  readonly seatGrants: readonly (readonly pulumi.Resource[])[];
  /** The canary secret, when `canarySecretName` was given. Its value is never an output. */
  readonly canarySecret?: keyvault.Secret;

  constructor(name: string, args: SecretVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dsvm-identity-lab:lab:SecretVault", name, {}, opts);
    const parent = { parent: this };
    const model = args.accessModel ?? "accessPolicy";
    if (model === "rbac" && !args.rbac) throw new Error(`SecretVault ${name}: the rbac model needs args.rbac (subscription and seat role)`);

    // A deleted vault stays soft-deleted and keeps its name, so every new lab gets a fresh random suffix.
    // prefix (<=10) + "-kv-" + 6 = at most 20 of the 24 characters allowed, starting with a letter.
    const suffix = new random.RandomString(`${name}-suffix`, { length: 6, special: false, upper: false, numeric: true, lower: true }, parent);

    const vault = new keyvault.Vault(
      `${name}-kv`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        vaultName: pulumi.interpolate`${args.namePrefix}-kv-${suffix.result}`,
        properties: {
          tenantId: args.tenantId,
          sku: { family: "A", name: "standard" },
          // Explicit either way: the newest API defaults to RBAC, which makes access policies inert.
          enableRbacAuthorization: model === "rbac",
          enableSoftDelete: true,
          softDeleteRetentionInDays: args.softDeleteRetentionInDays ?? 90,
          // The API rejects an explicit false, so the property is sent only when on.
          ...((args.purgeProtection ?? true) ? { enablePurgeProtection: true } : {}),
          enabledForDeployment: false,
          enabledForTemplateDeployment: false,
          enabledForDiskEncryption: false,
          publicNetworkAccess: "Enabled",
          networkAcls: {
            defaultAction: "Deny",
            bypass: "None",
            virtualNetworkRules: [{ id: args.subnetId, ignoreMissingVnetServiceEndpoint: false }],
            ipRules: args.operatorIpRanges.map((value) => ({ value })),
          },
          // No `accessPolicies` here: they are the standalone resources below.
        },
      },
      { parent: this, protect: args.protect ?? false },
    );

    const policy = (label: string, objectId: pulumi.Input<string>, secrets: readonly string[]) =>
      new keyvault.AccessPolicy(
        `${name}-${label}`,
        {
          resourceGroupName: args.resourceGroupName,
          vaultName: vault.name,
          policy: { tenantId: args.tenantId, objectId, permissions: { secrets: [...secrets], keys: [], certificates: [], storage: [] } },
        },
        parent,
      );
    if (model === "accessPolicy") args.operatorObjectIds.forEach((id, i) => policy(`operator${i + 1}`, id, OPERATOR_SECRET_PERMISSIONS));
    this.seatPolicies = model === "accessPolicy" ? args.seatPrincipalIds.map((id, i) => policy(`seat${args.seatNumbers?.[i] ?? i + 1}`, id, SEAT_SECRET_PERMISSIONS)) : [];

    if (args.canarySecretName !== undefined) {
      // The secret the in-VM checks read (the seeds' SQLPasswd). Made through the control plane, so the deployer
      // needs no data-plane access. The value is secret on the way in and in state (the Secret's properties).
      const value = new random.RandomPassword(`${name}-canary-value`, { length: 32, special: false }, parent);
      this.canarySecret = new keyvault.Secret(
        `${name}-canary`,
        { resourceGroupName: args.resourceGroupName, vaultName: vault.name, secretName: args.canarySecretName, properties: { value: pulumi.secret(value.result), contentType: "text/plain" } },
        { parent: this, additionalSecretOutputs: ["properties"] },
      );
    }

    if (model === "rbac") {
      const secrets: { name: string; resource: pulumi.Resource }[] = [];
      if (this.canarySecret && args.canarySecretName !== undefined) {
        // The probe writes <canary>-probe. Made here, empty of meaning, so it exists before the seats' assignments:
        // then their scope can be that one secret, not the vault (docs/windows-and-rbac.md says why).
        const probeName = `${args.canarySecretName}-probe`;
        const probe = new keyvault.Secret(
          `${name}-probe-secret`,
          { resourceGroupName: args.resourceGroupName, vaultName: vault.name, secretName: probeName, properties: { value: "not written by a seat yet", contentType: "text/plain" } },
          // Seats write new versions; the deploy must not write the placeholder back over them.
          { parent: this, ignoreChanges: ["properties.value"] },
        );
        secrets.push({ name: args.canarySecretName, resource: this.canarySecret }, { name: probeName, resource: probe });
      }
      const access = new VaultRbacAccess(
        `${name}-rbac`,
        {
          vaultId: vault.id,
          subscriptionId: args.rbac!.subscriptionId,
          seatRoleDefinitionId: args.rbac!.seatRoleDefinitionId,
          seatPrincipalIds: args.seatPrincipalIds,
          seatNumbers: args.seatNumbers,
          secrets,
          operatorObjectIds: args.operatorObjectIds,
          operatorPrincipalType: args.rbac!.operatorPrincipalType,
        },
        parent,
      );
      this.seatGrants = access.seatAssignments;
    } else {
      this.seatGrants = this.seatPolicies.map((p) => [p]);
    }

    this.vaultName = vault.name;
    this.vaultUri = vault.properties.apply((p) => p.vaultUri ?? "");
    this.vaultId = vault.id;
    this.registerOutputs({ vaultName: this.vaultName, vaultUri: this.vaultUri, vaultId: this.vaultId });
  }
}
