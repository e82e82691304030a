// Small hand-made graphs of recorded resources, for the teardown, serialization and access-matrix tests.
import { ARM_TYPE, AZURE_NATIVE_PREFIX, resourceGroupId, resourceId } from "../../lib/azure";
import type { RecordedResource } from "../../offline/harness";

export const DEPLOYER = "00000000-0000-0000-0000-0000000000e1";
export const RG_ID = resourceGroupId("s", "rg");
const id = (armType: string, ...names: string[]) => resourceId("s", "rg", armType, ...names);

/** A recorded resource: a `module:Type` token gets `azure-native:` in front; the URN is built from type and name. */
export function res(type: string, name: string, extra: Partial<RecordedResource> = {}): RecordedResource {
  const full = type.split(":").length > 2 ? type : `${AZURE_NATIVE_PREFIX}${type}`;
  return {
    urn: `urn:pulumi:t::p::${full}::${name}`,
    type: full,
    name,
    custom: true,
    protect: false,
    inputs: {},
    state: {},
    dependencies: [],
    ...extra,
  };
}

export const urnOf = (r: RecordedResource) => r.urn;

/** A vault with the lab's firewall (default Deny, bypass None, no IP rule) unless `properties` says otherwise. */
export function vault(
  name: string,
  deps: RecordedResource[],
  properties: Record<string, unknown> = {},
  extra: Partial<RecordedResource> = {},
): RecordedResource {
  return res("keyvault:Vault", name, {
    id: id(ARM_TYPE.vault, name),
    inputs: {
      resourceGroupName: "rg",
      vaultName: name,
      properties: {
        enableRbacAuthorization: false,
        networkAcls: { defaultAction: "Deny", bypass: "None", ipRules: [], virtualNetworkRules: [{ id: "subnet" }] },
        ...properties,
      },
    },
    dependencies: deps.map(urnOf),
    ...extra,
  });
}

export function secret(name: string, vaultName: string, deps: RecordedResource[], extra: Partial<RecordedResource> = {}): RecordedResource {
  return res("keyvault:Secret", name, {
    id: id(ARM_TYPE.secret, vaultName, name),
    inputs: { resourceGroupName: "rg", vaultName, secretName: name },
    dependencies: deps.map(urnOf),
    ...extra,
  });
}

export function policy(
  name: string,
  vaultName: string,
  objectId: string,
  secrets: string[],
  deps: RecordedResource[],
  extra: Partial<RecordedResource> = {},
): RecordedResource {
  return res("keyvault:AccessPolicy", name, {
    id: id(ARM_TYPE.accessPolicy, vaultName, objectId),
    inputs: { resourceGroupName: "rg", vaultName, policy: { objectId, tenantId: "t", permissions: { secrets } } },
    dependencies: deps.map(urnOf),
    ...extra,
  });
}

export function vmOp(
  type: "compute:VirtualMachine" | "compute:VirtualMachineExtension" | "compute:VirtualMachineRunCommandByVirtualMachine",
  name: string,
  vmName: string,
  deps: RecordedResource[],
  extra: Partial<RecordedResource> = {},
): RecordedResource {
  return res(type, name, {
    id:
      type === "compute:VirtualMachine"
        ? id(ARM_TYPE.vm, vmName)
        : id(type.endsWith("Extension") ? ARM_TYPE.extension : ARM_TYPE.runCommand, vmName, name),
    inputs: { resourceGroupName: "rg", vmName },
    dependencies: deps.map(urnOf),
    ...extra,
  });
}

export function group(): RecordedResource {
  return res("resources:ResourceGroup", "rg", { id: RG_ID, inputs: { resourceGroupName: "rg" } });
}
