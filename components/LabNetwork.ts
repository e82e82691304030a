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
  /** Public CIDRs that may reach the admin port (22, or 3389 for Windows). Empty: no inbound rule at all. Validated by lib/config. */
  readonly allowedSshCidrs: readonly string[];
  /** The port those CIDRs may reach: 22 (SSH, default) or 3389 (RDP, Windows seats). */
  readonly adminPort?: 22 | 3389;
  /** Azure Bastion (Standard) in AzureBastionSubnet: reach the seats with no public IP on them. Absent: none. */
  readonly bastion?: { readonly subnetPrefix: string };
}

/**
 * The lab's network: one VNet, one subnet with service endpoints for Key Vault and Storage (so their firewalls can
 * admit the subnet), an NSG with no inbound rule from the internet unless admin CIDRs are configured (SSH, or RDP for
 * Windows seats), Azure Bastion when asked for, and a NAT gateway
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

    // Azure's default rules already deny inbound from the internet; the only rule we ever add is SSH (or RDP, for
    // Windows seats) from the configured public CIDRs. Bastion reaches the seats from inside the VNet.
    const port = args.adminPort ?? 22;
    const securityRules: inputs.network.SecurityRuleArgs[] = args.allowedSshCidrs.length
      ? [
          {
            name: port === 22 ? "allow-ssh-from-allowed-cidrs" : "allow-rdp-from-allowed-cidrs",
            priority: 100,
            direction: "Inbound",
            access: "Allow",
            protocol: "Tcp",
            sourceAddressPrefixes: [...args.allowedSshCidrs],
            sourcePortRange: "*",
            destinationAddressPrefix: "VirtualNetwork",
            destinationPortRange: String(port),
          },
        ]
      : [];
    const nsg = new network.NetworkSecurityGroup(
      `${name}-nsg`,
      { ...common, networkSecurityGroupName: `${args.namePrefix}-nsg`, securityRules },
      parent,
    );

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
      {
        ...common,
        natGatewayName: `${args.namePrefix}-nat`,
        sku: { name: "Standard" },
        publicIpAddresses: [{ id: natIp.id }],
        idleTimeoutInMinutes: 4,
      },
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

    if (args.bastion) {
      // Azure Bastion needs a subnet named exactly AzureBastionSubnet (/26 or larger) and a Standard static public IP.
      // It is the only thing with a public IP; seats keep none, and the NSG gains no rule.
      const bastionSubnet = new network.Subnet(
        `${name}-bastion-subnet`,
        {
          resourceGroupName: args.resourceGroupName,
          virtualNetworkName: vnet.name,
          subnetName: "AzureBastionSubnet",
          addressPrefix: args.bastion.subnetPrefix,
        },
        { ...parent, dependsOn: [subnet] },
      );
      const bastionIp = new network.PublicIPAddress(
        `${name}-bastion-ip`,
        {
          ...common,
          publicIpAddressName: `${args.namePrefix}-bastion-ip`,
          sku: { name: "Standard", tier: "Regional" },
          publicIPAllocationMethod: "Static",
          publicIPAddressVersion: "IPv4",
        },
        parent,
      );
      new network.BastionHost(
        `${name}-bastion`,
        {
          ...common,
          bastionHostName: `${args.namePrefix}-bastion`,
          sku: { name: "Standard" },
          ipConfigurations: [{ name: "bastion-ipconfig", subnet: { id: bastionSubnet.id }, publicIPAddress: { id: bastionIp.id } }],
        },
        parent,
      );
    }

    this.vnetId = vnet.id;
    this.subnetId = subnet.id;
    this.nsgId = nsg.id;
    this.registerOutputs({ vnetId: this.vnetId, subnetId: this.subnetId, nsgId: this.nsgId });
  }
}
