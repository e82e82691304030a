import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as random from "@pulumi/random";
import { OPERATOR_SECRET_PERMISSIONS, SEAT_SECRET_PERMISSIONS } from "../lib/azure";
import type { PrincipalType } from "./role-assignment";
import type { SeatIdentity } from "./seat";
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
  /** This vault's seats, in seat order: each identity gets secrets get and set, nothing else. Numbers name resources (`vault2-seat501`). */
  readonly seats: readonly SeatIdentity[];
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
  /** The permission model. Default `{ model: "accessPolicy" }`. */
  readonly access?: VaultAccess;
}

/**
 * `accessPolicy`: access policies, inline on the vault. `rbac`: RBAC authorization and role assignments only, with what
 * that model needs: the subscription (built-in roles) and the seat role (components/SecretGetSetRole.ts).
 */
export type VaultAccess =
  | { readonly model: "accessPolicy" }
  | {
      readonly model: "rbac";
      readonly subscriptionId: pulumi.Input<string>;
      readonly seatRoleDefinitionId: pulumi.Input<string>;
      /** The operators' Entra object type (config operatorPrincipalType). */
      readonly operatorPrincipalType: PrincipalType;
    };

/**
 * The lab's Key Vault (seed step 2). The permission model is set explicitly because the newest Key Vault API defaults
 * to RBAC. Access-policy model: every policy (operators', then seats') is inline on the vault, written in one PUT;
 * there is no standalone `keyvault.AccessPolicy` (mixing both makes them overwrite each other: pulumi-azure-native
 * #594). RBAC model: no access policy at all; each seat holds a get+set-only role on each secret it uses
 * (components/VaultRbacAccess.ts). Firewall default Deny; the lab subnet and operator IPs are let through.
 *
 * Every write to one vault is serialized: Key Vault answers 409 "serialize the operations" to parallel writes
 * (pulumi-azure-native #1013), and the provider's AccessPolicy reads, then writes, with no lock or retry. Inline
 * policies were chosen over a chain of standalone policies by the plan's critical path: the chain puts one policy
 * write (~5 s) per seat in series after the VMs, the inline policies one vault write (~20 s) after them. Measured with `npm run plan -- --json` (criticalPath, typical seconds):
 * chained, 2 seats 9 steps (~264 s through a VM), 500 seats 507 steps (2626 s); inline, 9 steps and 276 s at both.
 * The price: the vault waits for its own shard's VMs, so a seat's check also waits for the other VMs in its shard.
 * A stack deployed with standalone AccessPolicy resources must drop them from state first (`pulumi state delete
 * <urn>` each): their delete, which Pulumi runs after the vault's update, would remove the same principals' entries.
 *
 * `pulumi destroy`: secrets and secret-scope grants go with the vault (`deletedWith`). azure-native deletes a secret
 * through the data plane, which the firewall refuses from the operator's machine, and which races the deletion of
 * the deployer's own access; the vault's deletion removes them anyway.
 */
export class SecretVault extends pulumi.ComponentResource {
  /** The vault's globally unique name. */
  readonly vaultName: pulumi.Output<string>;
  /** `https://<name>.vault.azure.net/`. */
  readonly vaultUri: pulumi.Output<string>;
  /** The vault's resource id. */
  readonly vaultId: pulumi.Output<string>;
  /** The vault resource: what its secrets and secret-scope grants are `deletedWith`. */
  readonly vault: keyvault.Vault;
  /**
   * Each seat's grants in this vault, in seat order, in either model: what that seat's in-VM check waits for. In the
   * access-policy model that is the vault itself, which carries the policies.
   */
  readonly seatGrants: readonly (readonly pulumi.Resource[])[];
  /**
   * What identifies each seat's grants here, in seat order: the vault id, the principal and its permissions (access
   * policies), or each assignment's id, role and principal (RBAC). A changed grant changes these.
   */
  readonly seatGrantIdentity: readonly (readonly pulumi.Input<string>[])[];
  /** The canary secret, when `canarySecretName` was given. Its value is never an output. */
  readonly canarySecret?: keyvault.Secret;

  constructor(name: string, args: SecretVaultArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dsvm-identity-lab:lab:SecretVault", name, {}, opts);
    const parent = { parent: this };
    const access: VaultAccess = args.access ?? { model: "accessPolicy" };
    const model = access.model;
    // The type already requires them; this names them for an untyped (JavaScript) caller.
    if (access.model === "rbac" && (!access.subscriptionId || !access.seatRoleDefinitionId || !access.operatorPrincipalType)) {
      throw new Error(
        `SecretVault ${name}: access.model "rbac" needs access.subscriptionId, access.seatRoleDefinitionId and access.operatorPrincipalType`,
      );
    }

    // A deleted vault stays soft-deleted and keeps its name, so every new lab gets a fresh random suffix.
    // prefix (<=10) + "-kv-" + 6 = at most 20 of the 24 characters allowed, starting with a letter.
    const suffix = new random.RandomString(
      `${name}-suffix`,
      { length: 6, special: false, upper: false, numeric: true, lower: true },
      parent,
    );

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
          // Access-policy model: every policy in this one write (see the class comment). RBAC model: none.
          ...(model === "accessPolicy"
            ? {
                accessPolicies: [
                  ...args.operatorObjectIds.map((objectId) => policyEntry(args.tenantId, objectId, OPERATOR_SECRET_PERMISSIONS)),
                  ...args.seats.map((seat) => policyEntry(args.tenantId, seat.principalId, SEAT_SECRET_PERMISSIONS)),
                ],
              }
            : {}),
        },
      },
      { parent: this, protect: args.protect ?? false },
    );

    if (args.canarySecretName !== undefined) {
      // The secret the in-VM checks read (the seeds' SQLPasswd). Made through the control plane, so the deployer
      // needs no data-plane access. The value is secret on the way in and in state (the Secret's properties).
      const value = new random.RandomPassword(`${name}-canary-value`, { length: 32, special: false }, parent);
      this.canarySecret = new keyvault.Secret(
        `${name}-canary`,
        {
          resourceGroupName: args.resourceGroupName,
          vaultName: vault.name,
          secretName: args.canarySecretName,
          properties: { value: pulumi.secret(value.result), contentType: "text/plain" },
        },
        { parent: this, additionalSecretOutputs: ["properties"], deletedWith: vault },
      );
    }

    if (access.model === "rbac") {
      const secrets: { name: string; resource: pulumi.Resource }[] = [];
      if (this.canarySecret && args.canarySecretName !== undefined) {
        // The probe writes <canary>-probe. Made here, empty of meaning, so it exists before the seats' assignments:
        // then their scope can be that one secret, not the vault (docs/windows-and-rbac.md says why).
        const probeName = `${args.canarySecretName}-probe`;
        const probe = new keyvault.Secret(
          `${name}-probe-secret`,
          {
            resourceGroupName: args.resourceGroupName,
            vaultName: vault.name,
            secretName: probeName,
            properties: { value: "not written by a seat yet", contentType: "text/plain" },
          },
          // Seats write new versions; the deploy must not write the placeholder back over them. After the canary: two
          // secret writes to one vault at once get the 409 (pulumi-azure-native #1013).
          { parent: this, ignoreChanges: ["properties.value"], deletedWith: vault, dependsOn: [this.canarySecret] },
        );
        secrets.push({ name: args.canarySecretName, resource: this.canarySecret }, { name: probeName, resource: probe });
      }
      const rbacAccess = new VaultRbacAccess(
        `${name}-rbac`,
        {
          vaultId: vault.id,
          vault,
          subscriptionId: access.subscriptionId,
          seatRoleDefinitionId: access.seatRoleDefinitionId,
          seats: args.seats,
          secrets,
          operatorObjectIds: args.operatorObjectIds,
          operatorPrincipalType: access.operatorPrincipalType,
        },
        parent,
      );
      this.seatGrants = rbacAccess.seatAssignments;
      this.seatGrantIdentity = rbacAccess.seatAssignments.map((list) => list.flatMap((a) => [a.id, a.roleDefinitionId, a.principalId]));
    } else {
      this.seatGrants = args.seats.map(() => [vault]);
      this.seatGrantIdentity = args.seats.map((seat) => [vault.id, seat.principalId, `secrets:${SEAT_SECRET_PERMISSIONS.join(",")}`]);
    }

    this.vault = vault;
    this.vaultName = vault.name;
    this.vaultUri = vault.properties.apply((p) => p.vaultUri ?? "");
    this.vaultId = vault.id;
    this.registerOutputs({ vaultName: this.vaultName, vaultUri: this.vaultUri, vaultId: this.vaultId });
  }
}

/** One inline access policy: secrets only, nothing on keys, certificates or storage. */
function policyEntry(tenantId: pulumi.Input<string>, objectId: pulumi.Input<string>, secrets: readonly string[]) {
  return { tenantId, objectId, permissions: { secrets: [...secrets], keys: [], certificates: [], storage: [] } };
}
