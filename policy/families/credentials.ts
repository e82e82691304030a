// Credential checks: no literal secret anywhere the lab hands to ARM or a VM (secret values, custom data, user data,
// run commands, extension settings), no password sign-in switched back on, no run-as credentials or protected
// settings, no secret's value in the stack outputs, and no password anyone knows on a VM.
import { COMPONENT_PREFIX, DECLARED_PLACEHOLDER_SECRETS } from "../allow-list";
import { array, Finding, known, PolicyResourceView, Rule, STACK_TYPE } from "../engine";
import { azureName, byType, dependsOn, isRunCommand, T } from "../graph";
import { MIN_RANDOM_PASSWORD } from "../baseline";
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
function heldSecrets(resources: readonly PolicyResourceView[]): { from: string; value: string; needles: string[] }[] {
  const out: { from: string; value: string; needles: string[] }[] = [];
  for (const r of resources) {
    const v = r.type === T.secret ? r.inputs.properties?.value : r.type === T.randomPassword ? r.props.result : undefined;
    if (known(v) && v.length >= 8 && !(v in DECLARED_PLACEHOLDER_SECRETS) && !out.some((o) => o.value === v))
      out.push({ from: `${r.type === T.secret ? "Key Vault secret" : "random password"} ${r.name}`, value: v, needles: secretNeedles(v) });
  }
  return out;
}

/** Where a value may be: the Secret's value in a vault of this stack, and a Windows VM's admin password. */
function allowedSink(r: PolicyResourceView, path: string, resources: readonly PolicyResourceView[]): boolean {
  if (r.type === T.vm) return path === "osProfile.adminPassword" && !!r.inputs.osProfile?.windowsConfiguration;
  if (r.type !== T.secret || path !== "properties.value") return false;
  const vaults = byType(resources, T.vault);
  const name = r.inputs.vaultName;
  return known(name)
    ? vaults.some((v) => azureName(v, "vaultName").toLowerCase() === String(name).toLowerCase())
    : vaults.some((v) => dependsOn(r, v));
}

/** Paths no-secret-literals-in-scripts already judges (scripts, custom data, extension settings). */
function scriptPath(r: PolicyResourceView, path: string): boolean {
  if (r.type === T.vm) return /^(osProfile\.customData|userData|osProfile\.windowsConfiguration\.additionalUnattendContent)\b/.test(path);
  if (isRunCommand(r)) return /^(source|parameters)\b/.test(path);
  if (/compute:VirtualMachine(ScaleSet)?Extension$/.test(r.type)) return /^(settings|protectedSettings)\b/.test(path);
  return false;
}

/** Every string in a value with its path (`a.b[0].c`). */
function stringPaths(v: unknown, path = ""): { path: string; text: string }[] {
  if (typeof v === "string") return [{ path, text: v }];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringPaths(x, `${path}[${i}]`));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => stringPaths(x, path ? `${path}.${k}` : k));
  return [];
}

const off = (v: unknown) => v === false || (typeof v === "string" && /^false$/i.test(v));
/** The random provider's default special characters (terraform-provider-random's password charset). */
const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** Every string in a value, for the outputs scan. */
const strings = (v: unknown): string[] =>
  typeof v === "string" ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === "object" ? Object.values(v).flatMap(strings) : [];

/** Provider inputs that hold a credential (azure-native's clientSecret, clientCertificatePassword, and the like). */
const PROVIDER_CREDENTIAL_KEYS = /secret|password|token|clientCertificate$|clientCertificatePath|accessKey|accountKey|sasToken/i;

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
  {
    kind: "stack",
    id: "credential-secret-sinks",
    name: "A generated secret's value goes only to its one sink: its Key Vault secret in the lab's vault, or a Windows seat's admin password",
    enforcement: "mandatory",
    why: "A RandomPassword's value is a credential. In a tag, a content type, another secret, another vault or any other resource's input it is readable by whoever reads that resource (Reader, the state, logs), encoded or not.",
    source: ["MCSB IM-8 (restrict the exposure of credentials and secrets)", "MCSB DP-6"],
    fix: "Remove the value from everywhere but the Secret's properties.value (in the lab's vault) or the Windows VM's osProfile.adminPassword.",
    check: (resources) => {
      const held = heldSecrets(resources).filter((h) => h.from.startsWith("random password"));
      const sinks = new Map<string, string>();
      // Preview: a value not known yet is traced by dependency. Only its one sink may take an input from it.
      const byDependency = byType(resources, T.randomPassword)
        .filter((p) => !known(p.props.result))
        .flatMap((p): Finding[] => {
          const takers = resources.filter((r) => r.type !== STACK_TYPE && !r.type.startsWith(COMPONENT_PREFIX) && dependsOn(r, p));
          const sinkLike = (r: PolicyResourceView) =>
            (r.type === T.vm && !!r.inputs.osProfile?.windowsConfiguration) ||
            (r.type === T.secret && allowedSink(r, "properties.value", resources));
          const others = takers.filter((r) => !sinkLike(r));
          const extraSinks = takers.filter(sinkLike).slice(1);
          return [...others, ...extraSinks].map((r) => ({
            urn: r.urn,
            message: `${r.name} takes an input from random password ${p.name} (its value not known yet)${others.includes(r) ? "" : ", which already goes to another resource"}: remove it; only its Key Vault secret's value or a Windows seat's adminPassword may hold it.`,
          }));
        });
      return [
        ...byDependency,
        ...resources
          .filter((r) => r.type !== T.randomPassword && r.type !== STACK_TYPE)
          .flatMap((r): Finding[] =>
            stringPaths(r.inputs).flatMap(({ path, text }): Finding[] => {
              if (scriptPath(r, path)) return [];
              return held.flatMap((h): Finding[] => {
                if (text === h.value && allowedSink(r, path, resources)) {
                  const first = sinks.get(h.value);
                  if (!first || first === r.urn) return (sinks.set(h.value, r.urn), []);
                  return [
                    {
                      urn: r.urn,
                      message: `${r.name} ${path} takes the value of ${h.from} (${fingerprint(h.value)}), which already goes to another resource: remove it; each generated value has one sink.`,
                    },
                  ];
                }
                if (!holdsSecret(decoded(text), h.needles)) return [];
                const why =
                  text === h.value && (r.type === T.secret || r.type === T.vm) ? " (a vault not of this stack, or not a Windows seat)" : "";
                return [
                  {
                    urn: r.urn,
                    message: `${r.name} ${path} carries the value of ${h.from} (${fingerprint(h.value)})${why}: remove it; only its Key Vault secret's value or a Windows seat's adminPassword may hold it.`,
                  },
                ];
              });
            }),
          ),
      ];
    },
  },
  {
    kind: "stack",
    id: "credential-random-password-strength",
    name: "Every RandomPassword is at least as strong as the baseline: 32 characters from at least 62 distinct ones",
    enforcement: "mandatory",
    why: "A short password or one drawn from a tiny alphabet (overrideSpecial of four characters, classes switched off) can be guessed; the canary and the Windows admin password are credentials.",
    source: ["MCSB IM-6", "MCSB IM-8"],
    fix: "Set length >= 32 and keep upper, lower and numeric on; overrideSpecial may only add characters.",
    check: (resources) =>
      byType(resources, T.randomPassword).flatMap((r): Finding[] => {
        const i = r.inputs;
        const problems: string[] = [];
        const length = Number(i.length);
        if ((typeof i.length === "number" || known(i.length)) && !(length >= MIN_RANDOM_PASSWORD.length))
          problems.push(`length ${String(i.length)} is below ${MIN_RANDOM_PASSWORD.length}`);
        const classes = { upper: 26, lower: 26, numeric: 10 } as const;
        const offClasses = (Object.keys(classes) as (keyof typeof classes)[]).filter((k) => off(i[k]));
        if (offClasses.length) problems.push(`${offClasses.join(", ")} ${offClasses.length === 1 ? "is" : "are"} switched off`);
        const special = off(i.special)
          ? ""
          : known(i.overrideSpecial)
            ? String(i.overrideSpecial)
            : i.overrideSpecial === undefined
              ? DEFAULT_SPECIAL
              : "";
        const distinct =
          (Object.keys(classes) as (keyof typeof classes)[]).filter((k) => !off(i[k])).reduce((n, k) => n + classes[k], 0) +
          new Set([...special].filter((c) => !/[A-Za-z0-9]/.test(c))).size;
        if (distinct < MIN_RANDOM_PASSWORD.distinctCharacters)
          problems.push(`it draws from ${distinct} distinct characters, fewer than ${MIN_RANDOM_PASSWORD.distinctCharacters}`);
        return problems.length
          ? [
              {
                urn: r.urn,
                message: `RandomPassword ${r.name}: ${problems.join("; ")}. Set length >= ${MIN_RANDOM_PASSWORD.length} and keep upper, lower and numeric on.`,
              },
            ]
          : [];
      }),
  },
  {
    kind: "stack",
    id: "credential-provider-literals",
    name: "No explicit provider carries a literal credential",
    enforcement: "mandatory",
    why: "A provider's clientSecret, certificate password or token is a credential in the program's source and in the state; the lab deploys with the ambient OIDC identity only.",
    source: ["MCSB IM-8", "MCSB IM-3"],
    fix: "Remove the credential from the provider; authenticate with OIDC or the CLI's identity.",
    check: (resources) =>
      resources
        .filter((r) => r.type.startsWith("pulumi:providers:"))
        .flatMap((r): Finding[] => {
          const keys = Object.keys(r.inputs).filter(
            (k) => PROVIDER_CREDENTIAL_KEYS.test(k) && r.inputs[k] !== undefined && r.inputs[k] !== "" && r.inputs[k] !== null,
          );
          return keys.length
            ? [
                {
                  urn: r.urn,
                  message: `Provider ${r.name} sets ${keys.join(", ")}: remove ${keys.length === 1 ? "it" : "them"}; providers authenticate with the ambient OIDC identity.`,
                },
              ]
            : [];
        }),
  },
];
