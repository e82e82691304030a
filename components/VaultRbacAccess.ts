import * as pulumi from "@pulumi/pulumi";
import type * as authorization from "@pulumi/azure-native/authorization";
import { BUILTIN_ROLES } from "../lib/azure";
import { grant, PrincipalType, roleIdIn } from "./role-assignment";
import type { SeatIdentity } from "./seat";

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
  /** This vault's seats, in seat order. Names and descriptions use their lab seat numbers. */
  readonly seats: readonly SeatIdentity[];
  /**
   * The secrets each seat may get and set, each of which must exist when its assignment is made: the assignment's
   * scope is `<vaultId>/secrets/<name>`.
   */
  readonly secrets: readonly { readonly name: string; readonly resource: pulumi.Resource }[];
  /** Operator object ids: each gets Key Vault Secrets Officer on the vault. */
  readonly operatorObjectIds: readonly pulumi.Input<string>[];
  /** The operators' object type: Azure refuses an assignment whose principalType does not match the principal. */
  readonly operatorPrincipalType: PrincipalType;
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
    this.seatAssignments = args.seats.map((seat) =>
      args.secrets.map((secret) =>
        // The scope is the secret itself, so it must exist first.
        grant(
          `${name}-seat${seat.number}-${secret.name.toLowerCase()}`,
          {
            principalId: seat.principalId,
            principalType: "ServicePrincipal",
            roleDefinitionId: args.seatRoleDefinitionId,
            scope: pulumi.interpolate`${args.vaultId}/secrets/${secret.name}`,
            description: `Seat ${seat.number}: get and set secret ${secret.name}, nothing else (dsvm-identity-lab)`,
          },
          { parent: this, dependsOn: [secret.resource], deletedWith: args.vault },
        ),
      ),
    );
    const officer = roleIdIn(args.subscriptionId, BUILTIN_ROLES.keyVaultSecretsOfficer);
    this.operatorAssignments = args.operatorObjectIds.map((id, i) =>
      grant(
        `${name}-operator${i + 1}`,
        {
          principalId: id,
          principalType: args.operatorPrincipalType,
          roleDefinitionId: officer,
          scope: args.vaultId,
          description: "Lab operator: Key Vault Secrets Officer on the lab vault (dsvm-identity-lab)",
        },
        { parent: this },
      ),
    );
    this.registerOutputs({});
  }
}
