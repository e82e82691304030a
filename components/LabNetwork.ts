import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import type * as inputs from "@pulumi/azure-native/types/input";

export interface LabNetworkArgs {
  /** Resource group that holds the network. */
  readonly resourceGroupName: pulumi.Input<string>;
  /** Azure region. */
  readonly location: string;
  /** Prefix of the Azure names (`<prefix>-vnet`, ...). */
  readonly namePrefix: string;
  /** Private address space of the VNet. */
  readonly addressSpace: string;
  /** The lab subnet, inside `addressSpace`. */
  readonly subnetPrefix: string;
  /** Public CIDRs that may reach port 22. Empty: no inbound rule at all. Validated by lib/config. */
  readonly allowedSshCidrs: readonly string[];
}

/**
 * The lab's network: one VNet, one subnet with service endpoints for Key Vault and Storage (so their firewalls can
 * admit the subnet), an NSG with no inbound rule from the internet unless SSH CIDRs are configured, and a NAT gateway
 * for egress. Egress is needed because the seed's step 4 calls ARM (listKeys) from inside the VM, and Azure retires
 * implicit default outbound access for new subnets; the NAT gateway admits no inbound traffic.
 */
export class LabNetwork extends pulumi.ComponentResource {
  /** The VNet's resource id. */
  readonly vnetId: pulumi.Output<string>;
  /** The lab subnet's resource id: VMs attach here; vault and storage firewalls allow it. */
  readonly subnetId: pulumi.Output<string>;
  /** The NSG on the lab subnet. */
  readonly nsgId: pulumi.Output<string>;

  constructor(name: string, args: LabNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dsvm-identity-lab:lab:LabNetwork", name, {}, opts);
    const common = { resourceGroupName: args.resourceGroupName, location: args.location };
    const parent = { parent: this };

    // Azure's default rules already deny inbound from the internet; the only rule we ever add is SSH from the
    // configured public CIDRs.
    const securityRules: inputs.network.SecurityRuleArgs[] = args.allowedSshCidrs.length
      ? [
          {
            name: "allow-ssh-from-allowed-cidrs",
            priority: 100,
            direction: "Inbound",
            access: "Allow",
            protocol: "Tcp",
            sourceAddressPrefixes: [...args.allowedSshCidrs],
            sourcePortRange: "*",
            destinationAddressPrefix: "VirtualNetwork",
            destinationPortRange: "22",
          },
        ]
      : [];
    const nsg = new network.NetworkSecurityGroup(`${name}-nsg`, { ...common, networkSecurityGroupName: `${args.namePrefix}-nsg`, securityRules }, parent);

    const natIp = new network.PublicIPAddress(
      `${name}-nat-ip`,
      {
        ...common,
        publicIpAddressName: `${args.namePrefix}-nat-ip`,
        sku: { name: "Standard", tier: "Regional" },
        publicIPAllocationMethod: "Static",
        publicIPAddressVersion: "IPv4",
      },
      parent,
    );
    const nat = new network.NatGateway(
      `${name}-nat`,
      { ...common, natGatewayName: `${args.namePrefix}-nat`, sku: { name: "Standard" }, publicIpAddresses: [{ id: natIp.id }], idleTimeoutInMinutes: 4 },
      parent,
    );

    // Subnets are standalone resources, never inline on the VNet as well: mixing the two makes them fight.
    const vnet = new network.VirtualNetwork(
      `${name}-vnet`,
      { ...common, virtualNetworkName: `${args.namePrefix}-vnet`, addressSpace: { addressPrefixes: [args.addressSpace] } },
      { ...parent, ignoreChanges: ["subnets"] },
    );
    const subnet = new network.Subnet(
      `${name}-subnet`,
      {
        resourceGroupName: args.resourceGroupName,
        virtualNetworkName: vnet.name,
        subnetName: "lab",
        addressPrefix: args.subnetPrefix,
        networkSecurityGroup: { id: nsg.id },
        natGateway: { id: nat.id },
        defaultOutboundAccess: false,
        serviceEndpoints: [{ service: "Microsoft.KeyVault" }, { service: "Microsoft.Storage" }],
      },
      parent,
    );

    this.vnetId = vnet.id;
    this.subnetId = subnet.id;
    this.nsgId = nsg.id;
    this.registerOutputs({ vnetId: this.vnetId, subnetId: this.subnetId, nsgId: this.nsgId });
  }
}
