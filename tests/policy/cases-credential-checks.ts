// Regressions of the credential checks: password sign-in, extra SSH keys, and secrets where they must never be
// (outputs, custom data, scripts, literals). cases-credentials.ts holds what the red team found past them.
import { gzipSync } from "zlib";
import type { Case } from "./case";
import { b64, FAKE_ACCOUNT_KEY, FAKE_PASSWORD, field, osProfile, set, T } from "./mutation-helpers";
import type { Mutation } from "./mutate";
import { WIN } from "./mutation-helpers";
import { runCommand } from "./cases-inventory";

export const CREDENTIAL_CHECK_CASES: readonly Case[] = [
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
];
