// Pulumi mocks that answer like Azure: ARM-shaped ids, identities, private IPs, vault URIs, blob endpoints.
// Every value the mocks make up is remembered, so the plan can mark outputs that are known only after deploy.
import type * as pulumi from "@pulumi/pulumi";
import { deterministicGuid } from "../lib/naming";
import { formatIpv4, parseCidr } from "../lib/net";

import { MOCK_CLIENT } from "../policy/offline";

export { MOCK_CLIENT };

interface ArmType {
  /** ARM type path below the provider, e.g. Microsoft.Network/virtualNetworks. */
  readonly path: string;
  /** The input that holds the Azure name. */
  readonly nameKey: string;
  /** For child types: the input holding the parent's name, and the child segment. */
  readonly parent?: { readonly key: string; readonly segment: string };
}

const ARM_TYPES: Record<string, ArmType> = {
  "azure-native:resources:ResourceGroup": { path: "", nameKey: "resourceGroupName" },
  "azure-native:network:NetworkSecurityGroup": { path: "Microsoft.Network/networkSecurityGroups", nameKey: "networkSecurityGroupName" },
  "azure-native:network:PublicIPAddress": { path: "Microsoft.Network/publicIPAddresses", nameKey: "publicIpAddressName" },
  "azure-native:network:NatGateway": { path: "Microsoft.Network/natGateways", nameKey: "natGatewayName" },
  "azure-native:network:VirtualNetwork": { path: "Microsoft.Network/virtualNetworks", nameKey: "virtualNetworkName" },
  "azure-native:network:Subnet": {
    path: "Microsoft.Network/virtualNetworks",
    nameKey: "subnetName",
    parent: { key: "virtualNetworkName", segment: "subnets" },
  },
  "azure-native:network:NetworkInterface": { path: "Microsoft.Network/networkInterfaces", nameKey: "networkInterfaceName" },
  "azure-native:network:BastionHost": { path: "Microsoft.Network/bastionHosts", nameKey: "bastionHostName" },
  "azure-native:compute:VirtualMachine": { path: "Microsoft.Compute/virtualMachines", nameKey: "vmName" },
  "azure-native:compute:VirtualMachineRunCommandByVirtualMachine": {
    path: "Microsoft.Compute/virtualMachines",
    nameKey: "runCommandName",
    parent: { key: "vmName", segment: "runCommands" },
  },
  "azure-native:compute:VirtualMachineExtension": {
    path: "Microsoft.Compute/virtualMachines",
    nameKey: "vmExtensionName",
    parent: { key: "vmName", segment: "extensions" },
  },
  "azure-native:devtestlab:GlobalSchedule": { path: "Microsoft.DevTestLab/schedules", nameKey: "name" },
  "azure-native:keyvault:Vault": { path: "Microsoft.KeyVault/vaults", nameKey: "vaultName" },
  "azure-native:keyvault:Secret": {
    path: "Microsoft.KeyVault/vaults",
    nameKey: "secretName",
    parent: { key: "vaultName", segment: "secrets" },
  },
  "azure-native:keyvault:AccessPolicy": {
    path: "Microsoft.KeyVault/vaults",
    nameKey: "",
    parent: { key: "vaultName", segment: "accessPolicies" },
  },
  "azure-native:storage:StorageAccount": { path: "Microsoft.Storage/storageAccounts", nameKey: "accountName" },
};

export class AzureMocks implements pulumi.runtime.Mocks {
  /** Every value the mocks made up: ids, principal ids, IPs, random strings, endpoints. */
  readonly invented = new Set<string>();
  private readonly subnetPrefixById = new Map<string, string>();
  private readonly nextHost = new Map<string, number>();
  private publicIps = 0;

  private invent<T extends string>(value: T): T {
    this.invented.add(value);
    return value;
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    if (args.token === "azure-native:authorization:getClientConfig") {
      Object.values(MOCK_CLIENT).forEach((v) => this.invent(v));
      return { ...MOCK_CLIENT };
    }
    throw new Error(`the offline plan has no mock for the call ${args.token}`);
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const inputs = args.inputs as Record<string, any>;
    if (args.type === "random:index/randomString:RandomString") {
      return { id: args.name, state: { ...inputs, result: this.invent(randomLike(args.name, inputs.length ?? 8)) } };
    }
    if (args.type === "random:index/randomPassword:RandomPassword") {
      return { id: args.name, state: { ...inputs, result: this.invent(randomLike(args.name, inputs.length ?? 24)) } };
    }
    if (args.type === "azure-native:authorization:RoleDefinition") {
      const name = inputs.roleDefinitionId ?? this.invent(deterministicGuid("roledef", args.name));
      return {
        id: this.invent(`${inputs.scope}/providers/Microsoft.Authorization/roleDefinitions/${name}`),
        state: { ...inputs, name, type: "Microsoft.Authorization/roleDefinitions" },
      };
    }
    if (args.type === "azure-native:authorization:RoleAssignment") {
      const name = inputs.roleAssignmentName ?? this.invent(deterministicGuid("assignment", args.name));
      return { id: this.invent(`${inputs.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`), state: { ...inputs, name } };
    }
    if (args.type.startsWith("azuread:index/")) return this.newEntraObject(args.type, args.name, inputs);
    const arm = ARM_TYPES[args.type];
    if (!arm) return { id: args.custom ? this.invent(`mock-id-${args.name}`) : undefined, state: { ...inputs } };

    const name: string = arm.nameKey
      ? (inputs[arm.nameKey] ?? this.invent(`${args.name}-${randomLike(args.name, 8)}`))
      : (inputs.policy?.objectId ?? args.name);
    const rg = `/subscriptions/${MOCK_CLIENT.subscriptionId}/resourceGroups/${inputs.resourceGroupName}`;
    const id = this.invent(
      !arm.path
        ? `/subscriptions/${MOCK_CLIENT.subscriptionId}/resourceGroups/${name}`
        : arm.parent
          ? `${rg}/providers/${arm.path}/${inputs[arm.parent.key]}/${arm.parent.segment}/${name}`
          : `${rg}/providers/${arm.path}/${name}`,
    );
    const state: Record<string, unknown> = { ...inputs, name };
    switch (args.type) {
      case "azure-native:network:Subnet":
        this.subnetPrefixById.set(id, inputs.addressPrefix);
        break;
      case "azure-native:network:NetworkInterface":
        state.ipConfigurations = (inputs.ipConfigurations ?? []).map((c: any) => ({
          ...c,
          privateIPAddress: this.invent(this.nextAddress(c.subnet?.id)),
        }));
        break;
      case "azure-native:network:PublicIPAddress":
        state.ipAddress = this.invent(`20.50.0.${++this.publicIps}`);
        break;
      case "azure-native:compute:VirtualMachine":
        state.identity = {
          ...inputs.identity,
          principalId: this.invent(deterministicGuid("principal", id)),
          tenantId: MOCK_CLIENT.tenantId,
        };
        break;
      case "azure-native:keyvault:Vault":
        state.properties = { ...inputs.properties, vaultUri: this.invent(`https://${name}.vault.azure.net/`) };
        break;
      case "azure-native:storage:StorageAccount":
        state.primaryEndpoints = {
          blob: this.invent(`https://${name}.blob.core.windows.net/`),
          queue: this.invent(`https://${name}.queue.core.windows.net/`),
          table: this.invent(`https://${name}.table.core.windows.net/`),
          file: this.invent(`https://${name}.file.core.windows.net/`),
        };
        break;
    }
    return { id, state };
  }

  /** Entra objects (the bootstrap project): object ids, client ids and Graph-style resource ids. */
  private newEntraObject(type: string, name: string, inputs: Record<string, any>): { id: string; state: Record<string, unknown> } {
    const objectId = this.invent(deterministicGuid("entra-object", type, name));
    switch (type) {
      case "azuread:index/application:Application":
        return {
          id: this.invent(`/applications/${objectId}`),
          state: { ...inputs, objectId, clientId: this.invent(deterministicGuid("entra-client", name)) },
        };
      case "azuread:index/servicePrincipal:ServicePrincipal":
        return { id: this.invent(`/servicePrincipals/${objectId}`), state: { ...inputs, objectId } };
      case "azuread:index/group:Group":
        return { id: this.invent(`/groups/${objectId}`), state: { ...inputs, objectId } };
      default:
        return { id: this.invent(`${inputs.applicationId ?? ""}/${name}/${objectId}`), state: { ...inputs } };
    }
  }

  /** Azure hands out a subnet's addresses from .4 up (it keeps the first four). */
  private nextAddress(subnetId: string | undefined): string {
    const cidr = parseCidr(this.subnetPrefixById.get(subnetId ?? "") ?? "10.0.0.0/24")!;
    const n = this.nextHost.get(subnetId ?? "") ?? 4;
    this.nextHost.set(subnetId ?? "", n + 1);
    return formatIpv4(cidr.base + n);
  }
}

/** Lowercase letters and digits derived from the name: stable across runs, like a random suffix in state. */
function randomLike(seed: string, length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  let out = "";
  for (let i = 0; out.length < length; i++) {
    const digest = deterministicGuid(seed, String(i)).replace(/-/g, "");
    for (let j = 0; j < digest.length && out.length < length; j += 2)
      out += alphabet[parseInt(digest.slice(j, j + 2), 16) % alphabet.length];
  }
  return out;
}
