// The vault's network rules as the lab declares them (components/SecretVault.ts): publicNetworkAccess Enabled,
// networkAcls defaultAction Deny, bypass None, the lab subnet allowed, operatorIpRanges allowed. Key Vault applies them
// to the data plane only; ARM (control plane) writes are outside them (overview-vnet-service-endpoints.md).
import { KEYVAULT } from "./azure-errors";

export interface VaultNetwork {
  /** Disabled: only private links get in, and the lab has none, so every data-plane call is refused. */
  publicNetworkAccess: "Enabled" | "Disabled";
  /** Allow: no firewall at all. */
  defaultAction: "Allow" | "Deny";
  /** The lab subnet's service-endpoint rule: requests from a seat's identity (the VM is in the subnet). */
  labSubnetAllowed: boolean;
  /** Whether operatorIpRanges lists the operator's address: requests from any identity that is not a VM's. */
  operatorIpAllowed: boolean;
}

/** The realistic default: the lab's rules, with the operator outside them (a laptop or a GitHub-hosted runner). */
export function labNetwork(): VaultNetwork {
  return { publicNetworkAccess: "Enabled", defaultAction: "Deny", labSubnetAllowed: true, operatorIpAllowed: false };
}

export interface Caller {
  readonly oid: string;
  readonly tid: string;
  /** True for a seat's identity (its VM sits in the lab subnet), false for the operator's side. */
  readonly inLabSubnet: boolean;
  readonly clientAddress: string;
}

/** Key Vault's 403 body when the network rules refuse this caller, or undefined when they let it through. */
export function networkRefusal(net: VaultNetwork, vaultName: string, c: Caller): object | undefined {
  if (net.publicNetworkAccess === "Disabled") return KEYVAULT.forbiddenByConnection(c.oid, c.tid, vaultName);
  if (net.defaultAction === "Allow") return undefined;
  const allowed = c.inLabSubnet ? net.labSubnetAllowed : net.operatorIpAllowed;
  return allowed ? undefined : KEYVAULT.forbiddenByFirewall(c.oid, c.tid, c.clientAddress, vaultName);
}
