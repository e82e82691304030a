// Config: how the Pulumi CLI reads the project and stack files and hands values to the program (what the offline
// tools must read the same way, lib/config/cli-yaml.ts), and the Key Vault name rule secretName follows.
import type { ConformanceEntry } from "./types";

const CHECKED = "2026-11-23";
const PULUMI = "1b5949891b3cefcb9974752b24a5ecef0acc86c8"; // pulumi/pulumi as of 2026-08-21
const PULUMI_DATE = "2026-08-21";
const GO_YAML_V3_0_1 = "f6f7691b1fdeb513f56608cd2c32c51f8194bf51"; // go-yaml/yaml tag v3.0.1, 2022-05-27

export const CONFIG_CONFORMANCE: readonly ConformanceEntry[] = [
  {
    id: "pulumi-cli-yaml-v3",
    service: "pulumi",
    behaviour:
      "Since CLI v3.50.0 the CLI decodes Pulumi.yaml and Pulumi.<stack>.yaml with gopkg.in/yaml.v3 v3.0.1 into `any`: yes/no/on/off stay strings (only true/True/TRUE, false/False/FALSE are booleans), integers are read with Go's base-0 ParseInt after dropping every '_' (so 010 is 8, 0b101 is 5), unquoted timestamps become Go times, and a key repeated in one mapping is an error.",
    variants: [
      "CLI v3.50.0 and later: gopkg.in/yaml.v3 (modelled)",
      "CLI before v3.50.0: gopkg.in/yaml.v2, which read yes/on/off as booleans (not modelled: the lab needs a current CLI)",
    ],
    consequence:
      "The offline tools resolve plain scalars with the same rules (lib/config/go-yaml-scalars.ts) instead of YAML 1.2 core, refuse duplicate keys, and refuse what they cannot read exactly like the CLI (explicit tags, merge keys, several documents), naming the file and line.",
    sources: [
      {
        ref: `pulumi/pulumi:sdk/go/common/encoding/marshal.go@${PULUMI}`,
        date: PULUMI_DATE,
        quote: 'yaml "gopkg.in/yaml.v3" ... err := yaml.Unmarshal(data, v)',
      },
      { ref: `pulumi/pulumi:sdk/go.mod@${PULUMI}`, date: PULUMI_DATE, quote: "gopkg.in/yaml.v3 v3.0.1" },
      {
        ref: "pulumi/pulumi:sdk/go/common/encoding/marshal.go@56666840308afda3ef2e29ea38aadc1bafd79e1f",
        date: "2022-12-10",
        quote: "cli: Implement comment preserving edits on config, projects (first in v3.50.0; the file moves from yaml.v2 to yaml.v3)",
      },
      {
        ref: `go-yaml/yaml:resolve.go@${GO_YAML_V3_0_1}`,
        date: "2022-05-27",
        quote: 'plain := strings.Replace(in, "_", "", -1); intv, err := strconv.ParseInt(plain, 0, 64)',
      },
      {
        ref: `go-yaml/yaml:decode.go@${GO_YAML_V3_0_1}`,
        date: "2022-05-27",
        quote:
          "It only works if explicitly attempting to unmarshal into a typed bool value. ... mapping key %#v already defined at line %d",
      },
    ],
    coveredBy: ["tests/lib/cli-yaml.test.ts", "tests/scripts/plan/config.test.ts"],
    checked: CHECKED,
  },
  {
    id: "pulumi-config-value-text",
    service: "pulumi",
    behaviour:
      "A config value reaches the program as text: a string as written, a boolean or number as its JSON (encoding/json), a list or mapping as JSON; an unquoted timestamp as Go's time.Time.String() (2025-01-31 09:00:00 +0000 UTC); NaN or infinity cannot be marshalled.",
    consequence:
      "readStackConfig hands validateConfig the same text; an unquoted timestamp and .nan/.inf are refused with a hint to quote, since the program would not see what was written.",
    sources: [
      {
        ref: `pulumi/pulumi:sdk/go/common/resource/config/object.go@${PULUMI}`,
        date: PULUMI_DATE,
        quote: "case bool, int64, uint64, float64: bytes, err := c.MarshalJSON() ... case time.Time: return newObject(v.String()), nil",
      },
    ],
    coveredBy: ["tests/lib/cli-yaml.test.ts", "tests/scripts/plan/config.test.ts"],
    checked: CHECKED,
  },
  {
    id: "pulumi-empty-config-value",
    service: "pulumi",
    behaviour:
      "A stack config key with no value (`key:`) is read as an empty string with a warning that a future version will read it as null.",
    consequence:
      'The offline tools refuse it (exit 2), naming the key and asking for `key: ""` when empty is meant, so the plan does not depend on which reading the CLI uses.',
    sources: [
      {
        ref: `pulumi/pulumi:sdk/go/common/workspace/loaders.go@${PULUMI}`,
        date: PULUMI_DATE,
        quote: 'This is currently treated as an empty string `""`, but will be treated as `null` in a future version of pulumi.',
      },
    ],
    coveredBy: ["tests/scripts/plan/config.test.ts"],
    checked: CHECKED,
  },
  {
    id: "pulumi-unnamespaced-stack-config",
    service: "pulumi",
    behaviour: "In Pulumi.<stack>.yaml, a config key without a namespace (`seats: 3`) is the project's key (`<project>:seats`).",
    consequence:
      "readStackConfig takes such keys as the project's (they used to be skipped), and refuses one key written both with and without the namespace.",
    sources: [
      {
        ref: `pulumi/pulumi:sdk/go/common/workspace/loaders.go@${PULUMI}`,
        date: PULUMI_DATE,
        quote: 'namespacedKey := fmt.Sprintf("%s:%s", project.Name, key)',
      },
    ],
    coveredBy: ["tests/scripts/plan/config.test.ts"],
    checked: CHECKED,
  },
  {
    id: "pulumi-declared-type-check",
    service: "pulumi",
    behaviour:
      "Before running the program the CLI checks each stack value against the type Pulumi.yaml declares: a string must not be a list or mapping, an integer's text must parse with Atoi, a boolean must be true or false, an array must be a list whose items have the item type.",
    consequence:
      "readStackConfig refuses the same values with the CLI's reason, so `yes` under a boolean key or a JSON string under a list key fails the plan as it would fail `pulumi up`.",
    sources: [
      {
        ref: `pulumi/pulumi:pkg/workspace/config.go@${PULUMI}`,
        date: PULUMI_DATE,
        quote: "Stack '%v' with configuration key '%v' must be of type '%v'",
      },
      {
        ref: `pulumi/pulumi:sdk/go/common/workspace/project.go@${PULUMI}`,
        date: PULUMI_DATE,
        quote: 'if ok && (literalValue == "true" || literalValue == "false")',
      },
    ],
    coveredBy: ["tests/scripts/plan/config.test.ts"],
    checked: CHECKED,
  },
  {
    id: "keyvault-object-name",
    service: "keyvault",
    behaviour:
      "A Key Vault object (secret) name is 1-127 characters of 0-9, a-z, A-Z and '-'; some versions of Microsoft's page add \"starting with a letter\". Names compare case-insensitively.",
    variants: [
      "starting with a letter (learn.microsoft.com, en-us)",
      "no rule on the first character (learn.microsoft.com, some localized copies)",
    ],
    consequence:
      "secretName takes the stricter variant: it starts with a letter (so never with '-', which the in-VM probe would read as a flag) and keeps 6 characters for <name>-probe (at most 121).",
    sources: [
      {
        ref: "https://learn.microsoft.com/en-us/azure/key-vault/general/about-keys-secrets-certificates",
        date: "2026",
        quote: "The name must be a 1-127 character string, starting with a letter and containing only 0-9, a-z, A-Z, and -.",
      },
      {
        ref: "https://learn.microsoft.com/da-dk/azure/key-vault/general/about-keys-secrets-certificates",
        date: "2026",
        quote: "The name must be a 1-127 character string, containing only 0-9, a-z, A-Z, and -.",
      },
    ],
    coveredBy: ["tests/lib/config-hardening.test.ts"],
    checked: CHECKED,
  },
];
