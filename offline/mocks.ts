// Pulumi mocks that answer like Azure: ARM-shaped ids, identities, private IPs, vault URIs, blob endpoints.
// Every value the mocks make up is remembered, so the plan can mark outputs that are known only after deploy.
import type * as pulumi from "@pulumi/pulumi";
import {
  ARM_TYPE,
  extensionResourceId,
  GET_CLIENT_CONFIG,
  RANDOM_TYPE,
  resourceGroupId,
  resourceId,
  storageEndpoint,
  TYPE,
  vaultUri,
} from "../lib/azure";
import { deterministicGuid } from "../lib/naming";
import { formatIpv4, parseCidr } from "../lib/net";

import { MOCK_CLIENT } from "../policy/offline";

export { MOCK_CLIENT };

interface ArmType {
  /** The ARM type (lib/azure/tokens.ts); none for the resource group, whose id has no providers segment. */
  readonly arm?: string;
  /** The input that holds the Azure name. */
  readonly nameKey: string;
  /** For child types: the input holding the parent's name. */
  readonly parentKey?: string;
}

const ARM_TYPES: Record<string, ArmType> = {
  [TYPE.resourceGroup]: { nameKey: "resourceGroupName" },
  [TYPE.nsg]: { arm: ARM_TYPE.nsg, nameKey: "networkSecurityGroupName" },
  [TYPE.publicIp]: { arm: ARM_TYPE.publicIp, nameKey: "publicIpAddressName" },
  [TYPE.nat]: { arm: ARM_TYPE.nat, nameKey: "natGatewayName" },
  [TYPE.vnet]: { arm: ARM_TYPE.vnet, nameKey: "virtualNetworkName" },
  [TYPE.subnet]: { arm: ARM_TYPE.subnet, nameKey: "subnetName", parentKey: "virtualNetworkName" },
  [TYPE.nic]: { arm: ARM_TYPE.nic, nameKey: "networkInterfaceName" },
  [TYPE.bastion]: { arm: ARM_TYPE.bastion, nameKey: "bastionHostName" },
  [TYPE.vm]: { arm: ARM_TYPE.vm, nameKey: "vmName" },
  [TYPE.runCommandByVm]: { arm: ARM_TYPE.runCommand, nameKey: "runCommandName", parentKey: "vmName" },
  [TYPE.extension]: { arm: ARM_TYPE.extension, nameKey: "vmExtensionName", parentKey: "vmName" },
  [TYPE.schedule]: { arm: ARM_TYPE.schedule, nameKey: "name" },
  [TYPE.vault]: { arm: ARM_TYPE.vault, nameKey: "vaultName" },
  [TYPE.secret]: { arm: ARM_TYPE.secret, nameKey: "secretName", parentKey: "vaultName" },
  [TYPE.accessPolicy]: { arm: ARM_TYPE.accessPolicy, nameKey: "", parentKey: "vaultName" },
  [TYPE.storage]: { arm: ARM_TYPE.storage, nameKey: "accountName" },
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
    if (args.token === GET_CLIENT_CONFIG) {
      Object.values(MOCK_CLIENT).forEach((v) => this.invent(v));
      return { ...MOCK_CLIENT };
    }
    throw new Error(`the offline plan has no mock for the call ${args.token}`);
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const inputs = args.inputs as Record<string, any>;
    if (args.type === RANDOM_TYPE.randomString) {
      return { id: args.name, state: { ...inputs, result: this.invent(randomLike(args.name, inputs.length ?? 8)) } };
    }
    if (args.type === RANDOM_TYPE.randomPassword) {
      return { id: args.name, state: { ...inputs, result: this.invent(randomLike(args.name, inputs.length ?? 24)) } };
    }
    if (args.type === TYPE.roleDefinition) {
      const name = inputs.roleDefinitionId ?? this.invent(deterministicGuid("roledef", args.name));
      return {
        id: this.invent(extensionResourceId(inputs.scope, ARM_TYPE.roleDefinition, name)),
        state: { ...inputs, name, type: ARM_TYPE.roleDefinition },
      };
    }
    if (args.type === TYPE.roleAssignment) {
      const name = inputs.roleAssignmentName ?? this.invent(deterministicGuid("assignment", args.name));
      return { id: this.invent(extensionResourceId(inputs.scope, ARM_TYPE.roleAssignment, name)), state: { ...inputs, name } };
    }
    if (args.type.startsWith("azuread:index/")) return this.newEntraObject(args.type, args.name, inputs);
    const arm = ARM_TYPES[args.type];
    if (!arm) return { id: args.custom ? this.invent(`mock-id-${args.name}`) : undefined, state: { ...inputs } };

    const name: string = arm.nameKey
      ? (inputs[arm.nameKey] ?? this.invent(`${args.name}-${randomLike(args.name, 8)}`))
      : (inputs.policy?.objectId ?? args.name);
    const sub = MOCK_CLIENT.subscriptionId;
    const names = arm.parentKey ? [inputs[arm.parentKey], name] : [name];
    const id = this.invent(!arm.arm ? resourceGroupId(sub, name) : resourceId(sub, inputs.resourceGroupName, arm.arm, ...names));
    const state: Record<string, unknown> = { ...inputs, name };
    switch (args.type) {
      case TYPE.subnet:
        this.subnetPrefixById.set(id, inputs.addressPrefix);
        break;
      case TYPE.nic:
        state.ipConfigurations = (inputs.ipConfigurations ?? []).map((c: any) => ({
          ...c,
          privateIPAddress: this.invent(this.nextAddress(c.subnet?.id)),
        }));
        break;
      case TYPE.publicIp:
        state.ipAddress = this.invent(`20.50.0.${++this.publicIps}`);
        break;
      case TYPE.vm:
        state.identity = {
          ...inputs.identity,
          principalId: this.invent(deterministicGuid("principal", id)),
          tenantId: MOCK_CLIENT.tenantId,
        };
        break;
      case TYPE.vault:
        state.properties = { ...inputs.properties, vaultUri: this.invent(vaultUri(name)) };
        break;
      case TYPE.storage:
        state.primaryEndpoints = {
          blob: this.invent(storageEndpoint(name, "blob")),
          queue: this.invent(storageEndpoint(name, "queue")),
          table: this.invent(storageEndpoint(name, "table")),
          file: this.invent(storageEndpoint(name, "file")),
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
