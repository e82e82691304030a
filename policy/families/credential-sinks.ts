// Credential checks on generated secrets and providers: a generated secret's value goes only to its one sink, random
// passwords are as strong as the baseline says, and no explicit provider carries a literal credential.
import { COMPONENT_PREFIX } from "../allow-list";
import { Finding, known, PolicyResourceView, Rule, STACK_TYPE } from "../engine";
import { azureName, byType, dependsOn, isRunCommand, T } from "../graph";
import { MIN_RANDOM_PASSWORD } from "../baseline";
import { decoded, fingerprint, holdsSecret } from "../secrets";

import { heldSecrets, stringPaths } from "./credentials";

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

const off = (v: unknown) => v === false || (typeof v === "string" && /^false$/i.test(v));

/** The random provider's default special characters (terraform-provider-random's password charset). */
const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** Provider inputs that hold a credential (azure-native's clientSecret, clientCertificatePassword, and the like). */
const PROVIDER_CREDENTIAL_KEYS = /secret|password|token|clientCertificate$|clientCertificatePath|accessKey|accountKey|sasToken/i;

export const credentialSinkRules: readonly Rule[] = [
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
