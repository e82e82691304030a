import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as random from "@pulumi/random";
import * as storage from "@pulumi/azure-native/storage";
import { BUILTIN_ROLES, CustomRoleSource, LAB_CUSTOM_ROLES, subscriptionScope } from "../lib/azure";
import type { ListKeysRole } from "../lib/config";
import { customRoleGuid, deterministicGuid } from "../lib/naming";
import { labCustomRole } from "./lab-custom-role";
import { grant, roleIdIn } from "./role-assignment";
import type { SeatIdentity } from "./seat";

export interface StorageKeyAccessArgs {
  /** Resource group that holds the account; also the custom role's assignable scope. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** The resource group's id. */
  readonly resourceGroupId: pulumi.Input<string>;
  /** Subscription of the role definitions. */
  readonly subscriptionId: pulumi.Input<string>;
  /** Azure region. */
  readonly location: string;
  /** Start of the account's name; a random suffix makes it globally unique. Letters and digits, at most 10. */
  readonly namePrefix: string;
  /** The lab subnet, admitted through the storage firewall (it has the Microsoft.Storage service endpoint). */
  readonly subnetId: pulumi.Input<string>;
  /** Public IPs or CIDRs admitted through the firewall, for operators. */
  readonly operatorIpRanges: readonly string[];
  /** The seats, in seat order: each identity may call listKeys on this account, nothing else. */
  readonly seats: readonly SeatIdentity[];
  /** `custom`: a role whose only action is listkeys/action. `builtin`: Storage Account Key Operator Service Role. */
  readonly listKeysRole: ListKeysRole;
  /**
   * Where the custom role lives. `subscription` (default): the one bootstrap/ made for the subscription, referenced by
   * its GUID; nothing is created, so a deployer without roleDefinitions/write can deploy. `lab`: created here, at
   * the resource group.
   */
  readonly customRoleSource?: CustomRoleSource;
  /** Protect the account itself, so `pulumi destroy` refuses to delete it (lasting labs). Default false. */
  readonly protect?: boolean;
}

/**
 * The storage account and each seat's right to call `listKeys` on it (seed step 4).
 *
 * Shared-key access stays ON, against the usual advice to disable it: the seed's step 4 is "call listKeys and use the
 * key", which only works with shared keys. Everything else is locked down: HTTPS only, TLS 1.2, no public blob access,
 * firewall default Deny with only the lab subnet and operator IPs admitted.
 */
export class StorageKeyAccess extends pulumi.ComponentResource {
  /** The account's globally unique name. */
  readonly accountName: pulumi.Output<string>;
  /** The account's resource id: the scope of every seat's role assignment. */
  readonly accountId: pulumi.Output<string>;
  /** `https://<name>.blob.core.windows.net/`. */
  readonly blobEndpoint: pulumi.Output<string>;
  /** Full id of the role that seats hold. */
  readonly roleDefinitionId: pulumi.Output<string>;
  /** Each seat's listKeys role assignment, in seat order: what that seat's in-VM check waits for. */
  readonly seatAssignments: readonly authorization.RoleAssignment[];

  constructor(name: string, args: StorageKeyAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dsvm-identity-lab:lab:StorageKeyAccess", name, {}, opts);
    const parent = { parent: this };

    // prefix (<=10) + "st" + 8 = at most 20 lowercase letters and digits.
    const suffix = new random.RandomString(
      `${name}-suffix`,
      { length: 8, special: false, upper: false, numeric: true, lower: true },
      parent,
    );
    const account = new storage.StorageAccount(
      `${name}-account`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        accountName: pulumi.interpolate`${args.namePrefix}st${suffix.result}`,
        kind: "StorageV2",
        sku: { name: "Standard_LRS" },
        enableHttpsTrafficOnly: true,
        minimumTlsVersion: "TLS1_2",
        allowBlobPublicAccess: false,
        // Deliberately true: the mission's listKeys path needs shared keys (see the class comment and README).
        allowSharedKeyAccess: true,
        allowCrossTenantReplication: false,
        publicNetworkAccess: "Enabled",
        networkRuleSet: {
          defaultAction: "Deny",
          bypass: "None",
          virtualNetworkRules: [{ virtualNetworkResourceId: args.subnetId, action: "Allow" }],
          // Storage firewalls take a single address without "/32".
          ipRules: args.operatorIpRanges.map((ip) => ({ iPAddressOrRange: ip.replace(/\/32$/, ""), action: "Allow" })),
        },
      },
      { parent: this, protect: args.protect ?? false },
    );

    const spec = LAB_CUSTOM_ROLES.storageListKeys;
    const source = args.customRoleSource ?? "subscription";
    let role: authorization.RoleDefinition | undefined;
    if (args.listKeysRole === "custom" && source === "lab") {
      // The GUID as first shipped (the resource group's id as given), so an existing lab keeps its role.
      const roleGuid = pulumi.output(args.resourceGroupId).apply((rg) => deterministicGuid(rg, spec.seed));
      role = labCustomRole(`${name}-listkeys-role`, { role: "storageListKeys", roleGuid, resourceGroupId: args.resourceGroupId }, parent);
    }
    // Built from the subscription so role assignments get the canonical form; `role.name` adds the dependency.
    this.roleDefinitionId = roleIdIn(
      args.subscriptionId,
      args.listKeysRole === "builtin"
        ? BUILTIN_ROLES.storageAccountKeyOperator
        : role
          ? role.name
          : pulumi.output(args.subscriptionId).apply((sub) => customRoleGuid(subscriptionScope(sub), spec.seed)),
    );

    this.seatAssignments = args.seats.map((seat) =>
      grant(
        `${name}-seat${seat.number}-listkeys`,
        {
          principalId: seat.principalId,
          principalType: "ServicePrincipal",
          roleDefinitionId: this.roleDefinitionId,
          scope: account.id,
          description: `Seat ${seat.number}: listKeys on the lab storage account (dsvm-identity-lab)`,
        },
        parent,
      ),
    );

    this.accountName = account.name;
    this.accountId = account.id;
    this.blobEndpoint = account.primaryEndpoints.apply((e) => e.blob);
    this.registerOutputs({
      accountName: this.accountName,
      accountId: this.accountId,
      blobEndpoint: this.blobEndpoint,
      roleDefinitionId: this.roleDefinitionId,
    });
  }
}
