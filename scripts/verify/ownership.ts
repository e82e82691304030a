// Before verify writes anything or runs anything, it asks ARM whether the vaults and VMs the outputs name are the
// lab's. A file (or a stack) naming someone else's vault would otherwise get a random value written into that secret,
// and a VM named in it would run the probe as root. Both GETs are control plane: the vault firewall does not apply.
//
// What marks a resource as the lab's (fields as @azure/arm-keyvault's Vault and @azure/arm-compute's VirtualMachine
// model them, generated from the REST specs' Vaults_Get and VirtualMachines_Get responses):
// - `tags.lab`: the program tags every taggable resource, lasting and ephemeral labs alike, with the stack's name
//   (lib/lifecycle.ts lifecycleOf, applied by lib/tags.ts). Its slug must be the resource group's STACK part, the same
//   on every vault and VM, and (with --stack) the stack's own name.
// - the vault's `properties.vaultUri` is the one the outputs give, and `properties.networkAcls.virtualNetworkRules`
//   names a subnet in the lab's own resource group (components/SecretVault.ts allows exactly the lab subnet).
// - the VM's `id` is the outputs' vmId and every NIC in `properties.networkProfile.networkInterfaces` is in the lab's
//   resource group.
import type { TokenCredential } from "@azure/core-auth";
import type { ComputeManagementClientOptionalParams } from "@azure/arm-compute";
import { PUBLIC_CLOUD, resourceGroupId } from "../../lib/azure";
import { stackSlug } from "../../lib/config";
import { printable } from "../../lib/printable";
import { VerifyOutputs, parseResourceId, SeatOutput } from "./outputs";

export interface OwnershipDeps {
  readonly credential: TokenCredential;
  readonly armEndpoint?: string;
  readonly additionalPolicies?: ComputeManagementClientOptionalParams["additionalPolicies"];
}

/** A vault or VM that ARM says is not the lab's: verify stops with exit 1, nothing written, nothing run. */
export class OwnershipError extends Error {}

const norm = (s: unknown) => (typeof s === "string" ? s.toLowerCase().replace(/\/+$/, "") : "");
const inGroup = (id: unknown, sub: string, rg: string) =>
  typeof id === "string" && norm(id).startsWith(`${resourceGroupId(sub, rg).toLowerCase()}/providers/`);

/**
 * Checks every vault in `vaults` (name -> the vault URI the outputs give) and every VM of `seats` through ARM.
 * `stack`: the stack verify read the outputs from (--stack), whose name the lab tag must carry.
 */
export async function checkOwnership(
  outputs: VerifyOutputs,
  vaults: ReadonlyMap<string, string>,
  seats: readonly SeatOutput[],
  deps: OwnershipDeps,
  stack?: string,
): Promise<void> {
  const { subscriptionId } = parseResourceId(outputs.storageAccountId);
  const sub = subscriptionId.toLowerCase();
  const rg = outputs.resourceGroupName.toLowerCase();
  const prefix = seats[0].vmName.replace(/-vm\d+$/, "");
  const rgSlug = rg.slice(prefix.length + 1, -"-rg".length);
  const options = {
    endpoint: deps.armEndpoint,
    credentials: { scopes: [PUBLIC_CLOUD.armScope] },
    additionalPolicies: deps.additionalPolicies,
  };
  const { KeyVaultManagementClient } = await import("@azure/arm-keyvault");
  const { ComputeManagementClient } = await import("@azure/arm-compute");
  const kv = new KeyVaultManagementClient(deps.credential, subscriptionId, options);
  const compute = new ComputeManagementClient(deps.credential, subscriptionId, options);
  const problems: string[] = [];
  const labTags = new Set<string>();
  const tagOk = (what: string, tags: Record<string, string> | undefined) => {
    const lab = tags?.lab;
    if (typeof lab !== "string" || !lab) return problems.push(`${what}: has no "lab" tag; every resource this program creates carries one`);
    labTags.add(lab);
    if (stackSlug(lab) !== rgSlug)
      problems.push(`${what}: its lab tag ${JSON.stringify(lab)} is not the stack of resource group ${outputs.resourceGroupName}`);
    else if (stack !== undefined && lab !== stack.split("/").pop())
      problems.push(`${what}: its lab tag ${JSON.stringify(lab)} is not the stack ${stack}`);
  };
  const get = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (e) {
      problems.push(
        `${what}: ARM could not read it (${(e as { statusCode?: number }).statusCode ?? "error"}: ${(e as Error).message.split("\n")[0].slice(0, 200)})`,
      );
      return undefined;
    }
  };
  await Promise.all(
    [...vaults].map(async ([name, uri]) => {
      const what = `vault ${name}`;
      const v = await get(what, () => kv.vaults.get(outputs.resourceGroupName, name));
      if (!v) return;
      tagOk(what, v.tags);
      if (norm(v.properties?.vaultUri) !== norm(uri))
        problems.push(`${what}: ARM gives its URI as ${JSON.stringify(v.properties?.vaultUri)}, the outputs ${JSON.stringify(uri)}`);
      const rules = v.properties?.networkAcls?.virtualNetworkRules ?? [];
      if (
        !rules.some(
          (r) => inGroup(r.id, sub, rg) && /\/providers\/microsoft\.network\/virtualnetworks\/[^/]+\/subnets\/[^/]+$/.test(norm(r.id)),
        )
      ) {
        problems.push(
          `${what}: its firewall allows no subnet of resource group ${outputs.resourceGroupName} (the lab's vault allows the lab subnet)`,
        );
      }
    }),
  );
  await Promise.all(
    seats.map(async (s) => {
      const what = `VM ${s.vmName} (seat ${s.seat})`;
      const vm = await get(what, () => compute.virtualMachines.get(outputs.resourceGroupName, s.vmName));
      if (!vm) return;
      tagOk(what, vm.tags);
      if (norm(vm.id) !== norm(s.vmId))
        problems.push(`${what}: ARM gives its id as ${JSON.stringify(vm.id)}, the outputs ${JSON.stringify(s.vmId)}`);
      const nics = vm.networkProfile?.networkInterfaces ?? [];
      if (!nics.length || !nics.every((n) => inGroup(n.id, sub, rg)))
        problems.push(`${what}: its network interfaces are not in resource group ${outputs.resourceGroupName}`);
    }),
  );
  if (labTags.size > 1)
    problems.push(`the vaults and VMs carry different lab tags (${[...labTags].map((t) => JSON.stringify(t)).join(", ")}): not one lab`);
  if (problems.length) {
    throw new OwnershipError(
      printable(
        `not this lab's resources, so nothing was written and nothing run:\n${problems
          .slice(0, 20)
          .map((p) => `  - ${p}`)
          .join("\n")}`,
        true,
      ),
    );
  }
}
