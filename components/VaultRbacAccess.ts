import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { BUILTIN_ROLES } from "../lib/azure";
import { roleAssignmentGuid } from "../lib/naming";

export interface VaultRbacAccessArgs {
  /** The vault's resource id (one vault shard). */
  readonly vaultId: pulumi.Input<string>;
  /**
   * The vault resource. The secret-scope assignments are `deletedWith` it: when the vault goes, its secrets and
   * their assignments go too, so `pulumi destroy` skips them; removing a seat still deletes that seat's.
   */
  readonly vault: pulumi.Resource;
  /** Subscription of the built-in role definitions. */
  readonly subscriptionId: pulumi.Input<string>;
  /** The seat role: dataActions exactly getSecret and setSecret (components/SecretGetSetRole.ts). */
  readonly seatRoleDefinitionId: pulumi.Input<string>;
  /** One VM identity per seat of this vault, in seat order; `seatNumbers` says which lab seat each one is. */
  readonly seatPrincipalIds: readonly pulumi.Input<string>[];
  /** The lab's seat numbers of `seatPrincipalIds` (1-based); default 1..n. Names and descriptions use them. */
  readonly seatNumbers?: readonly number[];
  /**
   * The secrets each seat may get and set, each of which must exist when its assignment is made: the assignment's
   * scope is `<vaultId>/secrets/<name>`.
   */
  readonly secrets: readonly { readonly name: string; readonly resource: pulumi.Resource }[];
  /** Operator object ids: each gets Key Vault Secrets Officer on the vault. */
  readonly operatorObjectIds: readonly pulumi.Input<string>[];
  /** The operators' object type: Azure refuses an assignment whose principalType does not match the principal. */
  readonly operatorPrincipalType: "User" | "ServicePrincipal" | "Group";
}

/**
 * Who may do what in one vault in the RBAC model. Each seat's identity holds the get+set-only role on each secret
 * it needs, scoped to that secret (stronger than an access policy, which is vault-wide): it can neither list the
 * vault nor read any other secret. Operators hold "Key Vault Secrets Officer" on the vault, to read and manage
 * secrets by hand (from operatorIpRanges); verify itself seeds through ARM and needs none of it.
 */
export class VaultRbacAccess extends pulumi.ComponentResource {
  /** Per seat, in seat order: its assignments (one per secret). What that seat's in-VM check waits for. */
  readonly seatAssignments: readonly (readonly authorization.RoleAssignment[])[];
  /** The operators' Secrets Officer assignments on the vault. */
  readonly operatorAssignments: readonly authorization.RoleAssignment[];

  constructor(name: string, args: VaultRbacAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dsvm-identity-lab:lab:VaultRbacAccess", name, {}, opts);
    const assign = (label: string, principalId: pulumi.Input<string>, principalType: string, roleDefinitionId: pulumi.Input<string>, scope: pulumi.Input<string>, description: string, dependsOn?: pulumi.Resource[], deletedWith?: pulumi.Resource) =>
      new authorization.RoleAssignment(
        `${name}-${label}`,
        {
          principalId,
          // Always explicit: the SDK would send "User". For a new VM identity it also spares the PrincipalNotFound
          // answers Azure gives while the identity replicates.
          principalType,
          roleDefinitionId,
          scope,
          roleAssignmentName: pulumi.all([scope, principalId, roleDefinitionId]).apply(([s, p, r]) => roleAssignmentGuid(s, p, r)),
          description,
        },
        { parent: this, dependsOn, deletedWith },
      );

    this.seatAssignments = args.seatPrincipalIds.map((principalId, i) => {
      const seat = args.seatNumbers?.[i] ?? i + 1;
      return args.secrets.map((secret) =>
        // The scope is the secret itself, so it must exist first.
        assign(`seat${seat}-${secret.name.toLowerCase()}`, principalId, "ServicePrincipal", args.seatRoleDefinitionId, pulumi.interpolate`${args.vaultId}/secrets/${secret.name}`, `Seat ${seat}: get and set secret ${secret.name}, nothing else (dsvm-identity-lab)`, [secret.resource], args.vault),
      );
    });
    const officer = pulumi.interpolate`/subscriptions/${args.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILTIN_ROLES.keyVaultSecretsOfficer}`;
    this.operatorAssignments = args.operatorObjectIds.map((id, i) => assign(`operator${i + 1}`, id, args.operatorPrincipalType, officer, args.vaultId, "Lab operator: Key Vault Secrets Officer on the lab vault (dsvm-identity-lab)"));
    this.registerOutputs({});
  }
}
