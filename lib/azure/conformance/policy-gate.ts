// What the policy gate (policy/) relies on about Azure's defaults and features when it denies a way in.
import type { ConformanceEntry } from "./types";

const CHECKED = "2026-11-23";

export const POLICY_GATE_CONFORMANCE: readonly ConformanceEntry[] = [
  {
    id: "kv-network-bypass-default-azure-services",
    service: "keyvault",
    behaviour:
      "A vault's networkAcls.bypass that is not sent defaults to AzureServices: Azure's trusted services pass the firewall whatever its default action.",
    consequence:
      'The gate (ingress-vault-firewall) requires bypass to be exactly "None"; an unset bypass is denied like an explicit AzureServices.',
    sources: [
      {
        ref: "pulumi/pulumi-azure-native: sdk/nodejs types/input.ts, keyvault.NetworkRuleSetArgs.bypass (as published in @pulumi/azure-native 3.28.0), from the Key Vault management REST spec",
        date: "2026",
        quote:
          "Tells what traffic can bypass network rules. This can be 'AzureServices' or 'None'.  If not specified the default is 'AzureServices'.",
      },
    ],
    coveredBy: ["tests/policy/rules.test.ts"],
    checked: CHECKED,
  },
  {
    id: "bastion-shareable-link-no-portal",
    service: "arm",
    behaviour:
      "A Bastion shareable link lets whoever holds the URL connect to the target VM through Bastion without going through the Azure portal.",
    consequence:
      "The gate (ingress-bastion-features) denies enableShareableLink, with tunneling, IP connect, file copy and Kerberos, which the lab never declares.",
    sources: [
      {
        ref: "https://learn.microsoft.com/powershell/module/az.network/get-azbastionshareablelink",
        date: "2025",
        quote:
          "The Bastion Shareable Link feature lets users connect to a target resource (virtual machine or virtual machine scale set) using Azure Bastion without accessing the Azure portal.",
      },
    ],
    coveredBy: ["tests/policy/rules.test.ts"],
    checked: CHECKED,
  },
];
