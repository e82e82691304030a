// Credential checks: no literal secret anywhere the lab hands to ARM or a VM (secret values, custom data, user data,
// run commands, extension settings), no password sign-in switched back on, no run-as credentials or protected
// settings, no secret's value in the stack outputs, and no password anyone knows on a VM.
import { DECLARED_PLACEHOLDER_SECRETS } from "../allow-list";
import { array, Finding, known, PolicyResourceView, Rule, STACK_TYPE } from "../engine";
import { azureName, byType, dependsOn, isRunCommand, T } from "../graph";
import { decoded, fingerprint, holdsSecret, passwordLoginIn, secretLiteralsIn, secretNeedles, sshKeysIn, stringsIn } from "../secrets";

/** Texts a resource runs or hands to a VM: custom data, user data, run command scripts, extension settings. */
function scriptTexts(r: PolicyResourceView): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [];
  const add = (where: string, v: unknown, base64 = false) => known(v) && out.push({ where, text: base64 ? decoded(v) : v });
  if (r.type === T.vm) {
    add("osProfile.customData", r.inputs.osProfile?.customData, true);
    add("userData", r.inputs.userData, true);
    array(r.inputs.osProfile?.windowsConfiguration?.additionalUnattendContent).forEach((c: any, i: number) =>
      add(`osProfile.windowsConfiguration.additionalUnattendContent[${i}]`, c?.content),
    );
  }
  if (isRunCommand(r)) {
    add("source.script", r.inputs.source?.script);
    add("source.scriptUri", r.inputs.source?.scriptUri);
    array(r.inputs.parameters).forEach((p: any) => add(`parameters.${p?.name || "?"}`, p?.value));
  }
  if (/compute:VirtualMachine(ScaleSet)?Extension$/.test(r.type)) {
    for (const key of ["settings", "protectedSettings"]) {
      // The JSON keeps each value's key (`"password": "..."`); the strings add base64-decoded scripts.
      const texts = stringsIn(r.inputs[key]);
      if (texts.length) out.push({ where: key, text: [JSON.stringify(r.inputs[key]), ...texts].join("\n") });
    }
  }
  return out;
}

/** Secret values this stack itself holds (secret values, random passwords), when known: never to appear elsewhere. */
export function heldSecrets(resources: readonly PolicyResourceView[]): { from: string; value: string; needles: string[] }[] {
  const out: { from: string; value: string; needles: string[] }[] = [];
  for (const r of resources) {
    const v = r.type === T.secret ? r.inputs.properties?.value : r.type === T.randomPassword ? r.props.result : undefined;
    if (known(v) && v.length >= 8 && !(v in DECLARED_PLACEHOLDER_SECRETS) && !out.some((o) => o.value === v))
      out.push({ from: `${r.type === T.secret ? "Key Vault secret" : "random password"} ${r.name}`, value: v, needles: secretNeedles(v) });
  }
  return out;
}

/** Every string in a value with its path (`a.b[0].c`). */
export function stringPaths(v: unknown, path = ""): { path: string; text: string }[] {
  if (typeof v === "string") return [{ path, text: v }];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringPaths(x, `${path}[${i}]`));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => stringPaths(x, path ? `${path}.${k}` : k));
  return [];
}

/** Every string in a value, for the outputs scan. */
const strings = (v: unknown): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === "object" ? Object.values(v).flatMap(strings) : [];

const CREDENTIAL_SOURCE = [
  "seed step 3 (read secrets with the VM's identity)",
  "MCSB IM-8 (restrict the exposure of credentials and secrets)",
  "Checkov CKV_AZURE_45",
  "tfsec azure-compute-no-secrets-in-custom-data",
];

export const credentialRules: readonly Rule[] = [
  {
    kind: "stack",
    id: "no-secret-literals-in-scripts",
    name: "No secret literals in custom data, user data, run command scripts or extension settings",
    enforcement: "mandatory",
    why: "Scripts and custom data are stored in plain text in ARM and in the Pulumi state, readable by anyone with Reader. VMs fetch secrets with their identity at run time instead.",
    source: CREDENTIAL_SOURCE,
    fix: "Read the value inside the VM from Key Vault with its managed identity.",
    check: (resources) => {
      const held = heldSecrets(resources);
      return resources.flatMap((r) =>
        scriptTexts(r).flatMap(({ where, text }) => {
          const hits = new Set<string>(secretLiteralsIn(text));
          for (const s of held) if (holdsSecret(text, s.needles)) hits.add(`the value of ${s.from} (${fingerprint(s.value)})`);
          return hits.size
            ? [
                {
                  urn: r.urn,
                  message: `${r.name} ${where} contains ${[...hits].join(" and ")}: remove it; read secrets inside the VM from Key Vault with its managed identity.`,
                },
              ]
            : [];
        }),
      );
    },
  },
  {
    kind: "stack",
    id: "credential-secret-values",
    name: "Every Key Vault secret's value is generated (a RandomPassword of the stack), never a literal",
    enforcement: "mandatory",
    why: "A literal secret value is in the program's source, its git history and every PR diff; a generated one exists only in the vault and the encrypted state.",
    source: CREDENTIAL_SOURCE,
    fix: "Take the value from a @pulumi/random RandomPassword, as the canary does (components/SecretVault.ts).",
    check: (resources) => {
      const generated = byType(resources, T.randomPassword);
      return byType(resources, T.secret).flatMap((s): Finding[] => {
        const v = s.inputs.properties?.value;
        if (known(v) && v in DECLARED_PLACEHOLDER_SECRETS) return [];
        const ok = known(v) ? generated.some((p) => p.props.result === v) : generated.some((p) => dependsOn(s, p)) || v === undefined;
        return ok
          ? []
          : [
              {
                urn: s.urn,
                message: `Key Vault secret ${azureName(s, "secretName")} has a literal value (${known(v) ? fingerprint(v) : "not from a RandomPassword"}): remove it from the program and take the value from a RandomPassword.`,
              },
            ];
      });
    },
  },
  {
    kind: "stack",
    id: "credential-password-login",
    name: "No script, custom data or extension turns password sign-in back on",
    enforcement: "mandatory",
    why: "Seats sign in with SSH keys or Entra ID only. A cloud-init `ssh_pwauth`, an sshd_config edit, chpasswd or a Windows local password makes every seat a brute-force target again, whatever the VM's own setting says.",
    source: ["MCSB IM-6 (strong authentication)", "Checkov CKV_AZURE_1", "tfsec azure-compute-disable-password-authentication"],
    fix: "Remove the password-login change; people sign in with SSH keys (Ubuntu) or Entra ID.",
    check: (resources) =>
      resources.flatMap((r) =>
        scriptTexts(r).flatMap(({ where, text }) => {
          const hits = passwordLoginIn(text);
          return hits.length
            ? [
                {
                  urn: r.urn,
                  message: `${r.name} ${where} turns password sign-in on (${hits.join(", ")}): remove it; seats sign in with SSH keys or Entra ID only.`,
                },
              ]
            : [];
        }),
      ),
  },
  {
    kind: "stack",
    id: "credential-ssh-keys",
    name: "The only SSH key is config sshPublicKey: no other key on a VM, none added by a script",
    enforcement: "mandatory",
    why: "An SSH key is a credential that signs in as the admin. The lab declares one (config sshPublicKey); a second key in the VM's profile, or one that cloud-init or a script adds to authorized_keys, is a way in nobody reviews.",
    source: ["MCSB IM-6 (strong authentication)", "MCSB PA-7", "Checkov CKV_AZURE_178"],
    fix: "Keep osProfile.linuxConfiguration.ssh.publicKeys to the one key from config sshPublicKey; add keys nowhere else.",
    check: (resources, ctx) => [
      ...byType(resources, T.vm).flatMap((vm): Finding[] => {
        const keys = array(vm.inputs.osProfile?.linuxConfiguration?.ssh?.publicKeys).map((k) => String(k?.keyData ?? "").trim());
        const declared = (ctx.sshPublicKey ?? "").trim();
        const extra = keys.filter((k) => !declared || k !== declared);
        return extra.length
          ? [
              {
                urn: vm.urn,
                message: `VM ${azureName(vm, "vmName")} has ${extra.length} SSH key(s) that are not config sshPublicKey (${extra.map(fingerprint).join(", ")}): remove them; put the one admin key in config sshPublicKey.`,
              },
            ]
          : [];
      }),
      ...resources.flatMap((r) =>
        scriptTexts(r).flatMap(({ where, text }) => {
          const declared = (ctx.sshPublicKey ?? "").trim();
          const hits = sshKeysIn(declared ? text.split(declared).join("") : text);
          return hits.length
            ? [
                {
                  urn: r.urn,
                  message: `${r.name} ${where} adds a way to sign in (${hits.join(", ")}): remove it; the only key is config sshPublicKey.`,
                },
              ]
            : [];
        }),
      ),
    ],
  },
  {
    kind: "stack",
    id: "credential-run-as-and-protected",
    name: "No run command runs as a user with a password, and no run command or extension carries protected parameters or settings",
    enforcement: "mandatory",
    why: "runAsPassword is a literal password of a VM account; protected parameters and settings are where credentials go to hide from review. The lab's check runs as the VM agent with the seat's identity and needs none.",
    source: ["MCSB IM-8", "Checkov CKV_AZURE_45"],
    fix: "Remove runAsUser, runAsPassword, protectedParameters and protectedSettings.",
    check: (resources) =>
      resources.flatMap((r): Finding[] => {
        const found: string[] = [];
        if (isRunCommand(r)) {
          for (const k of ["runAsUser", "runAsPassword"]) if (r.inputs[k] !== undefined) found.push(k);
          if (array(r.inputs.protectedParameters).length) found.push("protectedParameters");
        }
        const ps = r.inputs.protectedSettings;
        if (/Extension$/.test(r.type) && ps !== undefined && !(typeof ps === "object" && ps && Object.keys(ps).length === 0))
          found.push("protectedSettings");
        return found.length
          ? [
              {
                urn: r.urn,
                message: `${r.name} sets ${found.join(", ")}: remove ${found.length === 1 ? "it" : "them"}; the lab's check runs with the seat's identity and no credential.`,
              },
            ]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "credential-stack-outputs",
    name: "No stack output carries a secret's value",
    enforcement: "mandatory",
    why: "Stack outputs are shown by `pulumi stack output`, in CI logs and to anyone who can read the stack. `pulumi.unsecret` on a secret's value publishes it.",
    source: ["MCSB IM-8", "MCSB DP-6"],
    fix: "Export names and URIs only; never a secret's value, secret or not.",
    check: (resources) => {
      const held = heldSecrets(resources);
      return byType(resources, STACK_TYPE).flatMap((stack) =>
        Object.entries(stack.props).flatMap(([key, value]) => {
          const texts = strings(value);
          const found = [
            ...held
              .filter((s) => texts.some((t) => holdsSecret(decoded(t), s.needles)))
              .map((s) => `the value of ${s.from} (${fingerprint(s.value)})`),
            ...secretLiteralsIn(texts.join("\n")),
          ];
          return found.length
            ? [
                {
                  urn: stack.urn,
                  message: `Stack output ${key} carries ${found.join(" and ")}: remove the output; export names and URIs only.`,
                },
              ]
            : [];
        }),
      );
    },
  },
  {
    kind: "stack",
    id: "vm-password-auth-disabled",
    name: "Password authentication is disabled (Linux), or the admin password is a generated one nobody knows (Windows)",
    enforcement: "mandatory",
    why: "Linux seats sign in by SSH key only; a password can be guessed, phished or leaked. Azure requires a Windows admin password, so it must be a RandomPassword of the stack that no one ever sees; people sign in with Entra ID.",
    source: ["MCSB IM-6", "Checkov CKV_AZURE_1", "tfsec azure-compute-disable-password-authentication"],
    fix: "Linux: set osProfile.linuxConfiguration.disablePasswordAuthentication: true and never set adminPassword. Windows: take adminPassword from a @pulumi/random RandomPassword, as a secret, never exported.",
    check: (resources) =>
      byType(resources, T.vm).flatMap((r) => {
        const os = r.inputs.osProfile ?? {};
        const problems: string[] = [];
        if (os.windowsConfiguration) {
          const pw = os.adminPassword;
          // Generated: the value of a RandomPassword of this stack when known (offline), else its dependency (preview).
          const generated = byType(resources, T.randomPassword).some((p) =>
            known(pw) && known(p.props.result) ? p.props.result === pw : dependsOn(r, p),
          );
          if (pw === undefined) problems.push("osProfile.adminPassword is not set (Azure requires one on Windows)");
          else if (!generated)
            problems.push("osProfile.adminPassword is not a generated RandomPassword of this stack (someone could know it)");
          return problems.length
            ? [
                {
                  urn: r.urn,
                  message: `Windows VM ${azureName(r, "vmName")}: ${problems.join(" and ")}. Set adminPassword from a @pulumi/random RandomPassword, secret and never exported; sign-in is through Entra ID.`,
                },
              ]
            : [];
        }
        if (os.linuxConfiguration?.disablePasswordAuthentication !== true)
          problems.push("osProfile.linuxConfiguration.disablePasswordAuthentication is not true");
        if (os.adminPassword !== undefined) problems.push("osProfile.adminPassword is set");
        return problems.length
          ? [
              {
                urn: r.urn,
                message: `VM ${azureName(r, "vmName")}: ${problems.join(" and ")}. Set disablePasswordAuthentication: true and remove adminPassword; sign-in is by SSH key only.`,
              },
            ]
          : [];
      }),
  },
];
