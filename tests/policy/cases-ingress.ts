// Regressions of inventory 2: every way in that the lab's config does not name.
import type { Case } from "./case";
import { addAfter, custom, field, nsgRule, set, SUB, T, vaultProps, WIN } from "./mutation-helpers";

const SSH_CIDR = { allowedSshCidrs: '["203.0.113.0/24"]' };
const SPLIT_WORLD = ["0.0.0.0/1", "128.0.0.0/1"];
const storageNet = (fn: (n: any) => any) => field(T.account, undefined, "networkRuleSet", fn);

export const INGRESS_CASES: readonly Case[] = [
  {
    title: "JupyterHub (8000) open to the Internet",
    mutations: [nsgRule({ sourceAddressPrefix: "Internet", destinationPortRange: "8000" })],
    rules: ["ingress-nsg-rules"],
    says: /rule injected admits port \[8000\] from \[Internet\]: Internet is not in config allowedSshCidrs/,
  },
  {
    title: "RStudio (8787) open to the Internet",
    mutations: [nsgRule({ sourceAddressPrefix: "*", destinationPortRange: "8787" })],
    rules: ["ingress-nsg-rules"],
    says: /admits port \[8787\] from \[\*\]/,
  },
  {
    title: "every port open from the admin CIDR",
    config: SSH_CIDR,
    mutations: [field(T.nsg, undefined, "securityRules", (rules: any[]) => rules.map((r) => ({ ...r, destinationPortRange: "*" })))],
    rules: ["ingress-nsg-rules"],
    says: /port \[\*\] is not the admin port 22/,
  },
  {
    title: "SSH from the AzureCloud service tag",
    mutations: [nsgRule({ sourceAddressPrefix: "AzureCloud", destinationPortRange: "22" })],
    rules: ["ingress-nsg-rules"],
    says: /AzureCloud is not in config allowedSshCidrs/,
  },
  {
    title: "SSH from 0.0.0.0/1 and 128.0.0.0/1",
    mutations: [nsgRule({ sourceAddressPrefixes: SPLIT_WORLD, destinationPortRange: "22" })],
    rules: ["ingress-nsg-rules"],
    says: /0\.0\.0\.0\/1 is not in config/,
  },
  {
    title: "a port range over 22 from the VirtualNetwork tag",
    mutations: [nsgRule({ sourceAddressPrefix: "VirtualNetwork", destinationPortRanges: ["20-30"] })],
    rules: ["ingress-nsg-rules"],
    says: /VirtualNetwork is not in config/,
  },
  {
    title: "an application security group admitted",
    mutations: [
      nsgRule({
        sourceApplicationSecurityGroups: [{ id: `${SUB}/resourceGroups/x/providers/Microsoft.Network/applicationSecurityGroups/asg` }],
        destinationPortRange: "22",
      }),
    ],
    rules: ["ingress-nsg-rules"],
    says: /application security group/,
  },
  {
    title: "allowedSshCidrs a /3 (not one office)",
    config: { allowedSshCidrs: '["32.0.0.0/3"]' },
    mutations: [],
    rules: ["ingress-nsg-rules"],
    says: /32\.0\.0\.0\/3 is wider than a \/24/,
  },
  {
    title: "RDP from the Internet on a Windows lab",
    config: WIN,
    mutations: [nsgRule({ sourceAddressPrefix: "*", destinationPortRange: "3389" })],
    rules: ["ingress-nsg-rules"],
    says: /not in config allowedSshCidrs.*port 3389/,
  },
  {
    title: "0.0.0.0/1 and 128.0.0.0/1 in the vault firewall",
    mutations: [vaultProps((p) => ({ ...p, networkAcls: { ...p.networkAcls, ipRules: SPLIT_WORLD.map((value) => ({ value })) } }))],
    rules: ["ingress-vault-firewall"],
    says: /IP rule 0\.0\.0\.0\/1 is not in config operatorIpRanges/,
  },
  {
    title: "0.0.0.0/1 and 128.0.0.0/1 in the storage firewall",
    mutations: [storageNet((n) => ({ ...n, ipRules: SPLIT_WORLD.map((iPAddressOrRange) => ({ iPAddressOrRange, action: "Allow" })) }))],
    rules: ["ingress-storage-firewall"],
    says: /IP rule 128\.0\.0\.0\/1 is not in config operatorIpRanges/,
  },
  {
    title: "vault bypass AzureServices",
    mutations: [vaultProps((p) => ({ ...p, networkAcls: { ...p.networkAcls, bypass: "AzureServices" } }))],
    rules: ["ingress-vault-firewall"],
    says: /bypass is "AzureServices"/,
  },
  {
    title: "storage bypass AzureServices",
    mutations: [storageNet((n) => ({ ...n, bypass: "AzureServices" }))],
    rules: ["ingress-storage-firewall"],
    says: /bypass is "AzureServices"/,
  },
  {
    title: "storage resource access rules",
    mutations: [
      storageNet((n) => ({
        ...n,
        resourceAccessRules: [{ tenantId: "x", resourceId: `${SUB}/providers/Microsoft.Synapse/workspaces/*` }],
      })),
    ],
    rules: ["ingress-storage-firewall"],
    says: /resource access rule/,
  },
  {
    title: "operatorIpRanges a /16 (config allows up to /8)",
    config: { operatorIpRanges: '["198.18.0.0/16"]' },
    mutations: [],
    rules: ["ingress-vault-firewall", "ingress-storage-firewall"],
    says: /198\.18\.0\.0\/16 is wider than a \/24/,
  },
  {
    title: "Bastion shareable links and tunneling",
    config: WIN,
    mutations: [set(T.bastion, undefined, { enableShareableLink: true, enableTunneling: true })],
    rules: ["ingress-bastion-features"],
    says: /turns on enableShareableLink, enableTunneling/,
  },
  {
    title: "Bastion IP connect and file copy",
    config: WIN,
    mutations: [set(T.bastion, undefined, { enableIpConnect: true, enableFileCopy: true })],
    rules: ["ingress-bastion-features"],
    says: /enableIpConnect, enableFileCopy/,
  },
  {
    title: "storage SFTP and local users",
    mutations: [set(T.account, undefined, { isSftpEnabled: true, isLocalUserEnabled: true, isHnsEnabled: true })],
    rules: ["ingress-storage-features", "inventory-properties"],
    says: /turns on isSftpEnabled, isLocalUserEnabled/,
  },
  {
    title: "storage cross-tenant replication",
    mutations: [set(T.account, undefined, { allowCrossTenantReplication: true })],
    rules: ["ingress-storage-features"],
    says: /allowCrossTenantReplication/,
  },
  {
    title: "a storage local user",
    mutations: [
      addAfter((sdk) =>
        custom(sdk, "azure-native:storage:LocalUser", "injected-local-user", {
          accountName: "x",
          resourceGroupName: "x",
          username: "sftp",
          hasSshPassword: true,
        }),
      ),
    ],
    rules: ["ingress-storage-features", "inventory-resource-types"],
    says: /Storage local user injected-local-user/,
  },
  {
    title: "blob public access",
    mutations: [set(T.account, undefined, { allowBlobPublicAccess: true })],
    rules: ["storage-no-blob-public-access"],
    says: /allowBlobPublicAccess true: set it to false/,
  },
  {
    title: "storage network default Allow",
    mutations: [storageNet((n) => ({ ...n, defaultAction: "Allow" }))],
    rules: ["storage-network-default-deny"],
    says: /networkRuleSet.defaultAction "Allow"/,
  },
  {
    title: "vault network default Allow",
    mutations: [vaultProps((p) => ({ ...p, networkAcls: { ...p.networkAcls, defaultAction: "Allow" } }))],
    rules: ["kv-network-default-deny"],
    says: /defaultAction "Allow": set it to "Deny"/,
  },
  {
    title: "a public IP on a seat without allowedSshCidrs",
    mutations: [
      addAfter(
        (sdk) =>
          custom(sdk, T.publicIp, "injected-ip", {
            resourceGroupName: "x",
            publicIpAddressName: "injected-ip",
          }),
        { type: T.nsg, name: "network-nsg" },
      ),
      field(T.nic, "seat1-nic", "ipConfigurations", (cs: any[]) =>
        cs.map((c) => ({
          ...c,
          publicIPAddress: { id: `${SUB}/resourceGroups/x/providers/Microsoft.Network/publicIPAddresses/injected-ip` },
        })),
      ),
    ],
    rules: ["ingress-public-ips"],
    says: /NIC seat1-nic has a public IP, but config allowedSshCidrs is empty/,
  },
  {
    title: "seats with public IPs on a subnet without the NSG",
    config: SSH_CIDR,
    mutations: [set(T.subnet, "network-subnet", { networkSecurityGroup: undefined })],
    rules: ["ingress-lab-subnet-nsg"],
    says: /Subnet network-subnet has no NSG, but seats have public IPs/,
  },
  {
    title: "a VM that is not a seat",
    mutations: [
      addAfter((sdk) => {
        const vm = custom(sdk, T.vm, "jumpbox-vm", {
          resourceGroupName: "x",
          vmName: "jumpbox",
          osProfile: { linuxConfiguration: { disablePasswordAuthentication: true } },
        });
        custom(sdk, T.schedule, "jumpbox-shutdown", { taskType: "ComputeVmShutdownTask", status: "Enabled", targetResourceId: vm.id });
      }),
    ],
    rules: ["inventory-resource-types"],
    says: /VM jumpbox is not one of the lab's seats \(config seats 2\)/,
  },
  {
    title: "a load balancer with a public frontend",
    mutations: [
      addAfter((sdk) => {
        const ip = custom(sdk, T.publicIp, "injected-lb-ip", {
          resourceGroupName: "x",
          publicIpAddressName: "lb-ip",
        });
        custom(sdk, "azure-native:network:LoadBalancer", "injected-lb", {
          resourceGroupName: "x",
          frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: ip.id } }],
        });
      }),
    ],
    rules: ["ingress-public-ips", "inventory-resource-types"],
    says: /Public IP lb-ip is neither the NAT gateway's/,
  },
];
