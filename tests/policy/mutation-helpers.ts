// Building blocks of the gate's regression cases: each injects one change into the real program under mocks
// (tests/policy/mutate.ts). Names are the program's logical names; grants are found whichever form the program uses
// (an access policy inline on the vault, or a standalone one).
import { randomBytes } from "crypto";
import type * as pulumi from "@pulumi/pulumi";
import { ARM_TYPE, extensionResourceId, RANDOM_TYPE, subscriptionScope, TYPE } from "../../lib/azure";
import { MOCK_CLIENT } from "../../offline/mocks";
import { Mutation, patch } from "./mutate";

/** The program's types by short name (lib/azure/tokens.ts). */
export const T = {
  ap: TYPE.accessPolicy,
  vault: TYPE.vault,
  secret: TYPE.secret,
  key: TYPE.key,
  account: TYPE.storage,
  assignment: TYPE.roleAssignment,
  roleDef: TYPE.roleDefinition,
  vm: TYPE.vm,
  nic: TYPE.nic,
  publicIp: TYPE.publicIp,
  nsg: TYPE.nsg,
  bastion: TYPE.bastion,
  extension: TYPE.extension,
  runCommand: TYPE.runCommandByVm,
  schedule: TYPE.schedule,
  group: TYPE.resourceGroup,
  subnet: TYPE.subnet,
  vnet: TYPE.vnet,
  randomPassword: RANDOM_TYPE.randomPassword,
} as const;

export const SUB = subscriptionScope(MOCK_CLIENT.subscriptionId);
/** A role definition id in `sub` (a scope), as lib/azure/ids.ts builds them. */
export const roleId = (guid: string, sub = SUB) => extensionResourceId(sub, ARM_TYPE.roleDefinition, guid);
/** A principal the lab has never heard of. */
export const OUTSIDER = "7d2c9a1e-5b3f-4e8a-9c6d-2f1e0a9b8c7d";
export const STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";

// Made up at test time, so no credential-looking literal is committed; tests check none is ever echoed.
export const FAKE_PASSWORD = `P${randomBytes(12).toString("hex")}`;
export const FAKE_ACCOUNT_KEY = randomBytes(64).toString("base64");

/** Principal-id spellings every principal case is tried with: as written, and case-folded. */
export const FOLDS: readonly { readonly name: string; readonly fold: (id: string) => string }[] = [
  { name: "as written", fold: (id) => id },
  { name: "UPPER case", fold: (id) => id.toUpperCase() },
];

type Sdk = typeof pulumi;

/** Seat 1's VM, captured as it is constructed, so later resources can use its identity. */
export function seat1(): { capture: Mutation; principalId: (sdk: Sdk) => pulumi.Output<string> } {
  let vm: any;
  return {
    capture: { type: T.vm, name: "seat1-vm", change: (p) => p, capture: (r) => (vm = r) },
    principalId: (sdk) => sdk.output(vm.identity).apply((i: any) => i.principalId as string),
  };
}

/** Changes seat 1's access policy, inline on the vault or standalone. */
export function seatPolicy(fn: (entry: any) => any): Mutation[] {
  const s = seat1();
  return [
    s.capture,
    { type: T.ap, name: "vault-seat1", change: (props, sdk) => ({ ...props, policy: patch(sdk, props.policy, fn) }) },
    {
      type: T.vault,
      name: "vault-kv",
      change: (props, sdk) => ({
        ...props,
        properties: sdk.all([props.properties, s.principalId(sdk)]).apply(([p, id]: [any, string]) => ({
          ...p,
          accessPolicies: (p.accessPolicies ?? []).map((e: any) => (e.objectId === id ? fn(e) : e)),
        })),
      }),
    },
  ];
}

export const addSecretPermissions = (...extra: string[]) =>
  seatPolicy((e) => ({ ...e, permissions: { ...e.permissions, secrets: [...e.permissions.secrets, ...extra] } }));

/** One more inline access policy on the vault. */
export const inlinePolicy = (entry: Record<string, unknown>): Mutation => ({
  type: T.vault,
  name: "vault-kv",
  change: (props, sdk) => ({
    ...props,
    properties: patch(sdk, props.properties, (p: any) => ({
      ...p,
      accessPolicies: [...(p.accessPolicies ?? []), { tenantId: MOCK_CLIENT.tenantId, ...entry }],
    })),
  }),
});

/** Changes one field of a resource, keeping it an Output. */
export const field = (type: string, name: string | undefined, key: string, fn: (v: any) => unknown): Mutation => ({
  type,
  name,
  change: (props, sdk) => ({ ...props, [key]: patch(sdk, props[key], fn) }),
});
export const set = (type: string, name: string | undefined, fields: Record<string, unknown>): Mutation => ({
  type,
  name,
  change: (props) => ({ ...props, ...fields }),
});
export const vaultProps = (fn: (p: any) => any) => field(T.vault, "vault-kv", "properties", fn);
export const replaceRole = (name: string, guid: string) =>
  field(T.assignment, name, "roleDefinitionId", (id: string) => id.replace(/[^/]+$/, guid));

/** Adds resources once the anchor (by default seat 1's shutdown schedule, made after the VMs) is constructed. */
export const addAfter = (
  add: (sdk: Sdk) => void,
  anchor: { type: string; name: string } = { type: T.schedule, name: "seat1-shutdown" },
): Mutation => ({ ...anchor, change: (p) => p, add: (_p, sdk) => add(sdk) });

/** A resource of any type, as the program would register it. */
export const custom = (sdk: Sdk, type: string, name: string, props: Record<string, unknown>): pulumi.CustomResource =>
  new (sdk.CustomResource as unknown as new (t: string, n: string, p: Record<string, unknown>) => pulumi.CustomResource)(type, name, props);

/** A new inbound NSG rule on the lab's NSG, beside its own. */
export const nsgRule = (rule: Record<string, unknown>): Mutation => ({
  type: T.nsg,
  change: (props, sdk) => ({
    ...props,
    securityRules: patch(sdk, props.securityRules ?? [], (rules: any[]) => [
      ...rules,
      {
        name: "injected",
        priority: 110,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        ...rule,
      },
    ]),
  }),
});

export const osProfile = (fn: (o: any) => any) => field(T.vm, "seat1-vm", "osProfile", fn);
export const b64 = (text: string) => Buffer.from(text).toString("base64");

/** The win-rbac stack's shape as config on top of dev: Windows seats, the RBAC vault, Bastion and lab users. */
export const WIN = {
  os: "windows",
  sshPublicKey: "",
  vaultAccessModel: "rbac",
  bastion: "true",
  labUsersGroupObjectId: "00000000-0000-0000-0000-00000000a5e5",
};
