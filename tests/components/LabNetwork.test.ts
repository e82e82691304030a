import { ofType, one, runLab } from "../helpers/program";

describe("LabNetwork", () => {
  it("has a subnet with Key Vault and Storage service endpoints, no default outbound, egress through NAT", async () => {
    const run = await runLab();
    const subnet = one(run, "azure-native:network:Subnet", "network-subnet");
    expect(subnet.inputs.serviceEndpoints.map((s: any) => s.service).sort()).toEqual(["Microsoft.KeyVault", "Microsoft.Storage"]);
    expect(subnet.inputs.addressPrefix).toBe("10.42.1.0/24");
    expect(subnet.inputs.defaultOutboundAccess).toBe(false);
    expect(subnet.inputs.natGateway.id).toBe(one(run, "azure-native:network:NatGateway", "network-nat").id);
    expect(subnet.inputs.networkSecurityGroup.id).toBe(one(run, "azure-native:network:NetworkSecurityGroup", "network-nsg").id);
    expect(one(run, "azure-native:network:VirtualNetwork", "network-vnet").inputs.subnets).toBeUndefined();
    expect(subnet.parent).toMatch(/dsvm-identity-lab:lab:LabNetwork::network$/);
  });

  it("by default has no inbound rule at all, and no VM has a public IP", async () => {
    const run = await runLab();
    expect(one(run, "azure-native:network:NetworkSecurityGroup", "network-nsg").inputs.securityRules).toEqual([]);
    const pips = ofType(run, "azure-native:network:PublicIPAddress").map((p) => p.name);
    expect(pips).toEqual(["network-nat-ip"]); // the NAT gateway's egress address only
    for (const nic of ofType(run, "azure-native:network:NetworkInterface")) {
      expect(nic.inputs.ipConfigurations[0].publicIPAddress).toBeUndefined();
    }
  });

  it("with allowedSshCidrs, admits port 22 from exactly those CIDRs and gives each seat a public IP", async () => {
    const run = await runLab({ allowedSshCidrs: '["203.0.113.0/24","198.51.100.9"]' });
    const rules = one(run, "azure-native:network:NetworkSecurityGroup", "network-nsg").inputs.securityRules;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      direction: "Inbound",
      access: "Allow",
      protocol: "Tcp",
      destinationPortRange: "22",
      sourceAddressPrefixes: ["203.0.113.0/24", "198.51.100.9"],
    });
    expect(rules[0].sourceAddressPrefix).toBeUndefined();
    const seatIps = ofType(run, "azure-native:network:PublicIPAddress").filter((p) => p.name !== "network-nat-ip");
    expect(seatIps.map((p) => p.name).sort()).toEqual(["seat1-ip", "seat2-ip"]);
    const nic = one(run, "azure-native:network:NetworkInterface", "seat1-nic");
    expect(nic.inputs.ipConfigurations[0].publicIPAddress.id).toBe(one(run, "azure-native:network:PublicIPAddress", "seat1-ip").id);
  });

  it("never registers anything when allowedSshCidrs holds 0.0.0.0/0", async () => {
    await expect(runLab({ allowedSshCidrs: '["0.0.0.0/0"]' })).rejects.toThrow(/allowedSshCidrs = .*would open SSH to the whole internet/s);
  });
});
