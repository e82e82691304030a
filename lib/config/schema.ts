// The lab's configuration as the program sees it once validated, and the error that lists what is wrong with it.
import type { CustomRoleSource, SeatOs, VaultAccessModel } from "../azure";

export const PROJECT = "dsvm-identity-lab";

export type ListKeysRole = "custom" | "builtin";

export type OperatorPrincipalType = "User" | "ServicePrincipal" | "Group";

export interface LabConfig {
  readonly namePrefix: string;
  readonly location: string;
  readonly seats: number;
  readonly vmSize: string;
  readonly osDiskSizeGb: number;
  readonly adminUsername: string;
  readonly sshPublicKey: string;
  readonly allowedSshCidrs: readonly string[];
  readonly operatorObjectIds: readonly string[];
  readonly operatorIpRanges: readonly string[];
  readonly addressSpace: string;
  readonly subnetPrefix: string;
  readonly autoShutdownTime: string;
  readonly autoShutdownTimeZone: string;
  readonly listKeysRole: ListKeysRole;
  /** Where the custom roles come from: the bootstrap's, once per subscription (default), or made by this lab. */
  readonly customRoleSource: CustomRoleSource;
  readonly secretName: string;
  /** Run the in-VM probe on every seat during `pulumi up` (one run command per seat); a failing probe fails the deploy. */
  readonly checkOnDeploy: boolean;
  /** Ephemeral lab: tagged with its expiry, nothing protected, vault purgeable. See lib/lifecycle.ts. */
  readonly ephemeral: boolean;
  readonly ttlHours: number;
  /** ISO 8601 UTC, or empty. Required when ephemeral. */
  readonly createdAt: string;
  /** Empty when not configured. Required when ephemeral. */
  readonly owner: string;
  /** Entra group whose members may sign in to the seats; empty for none. */
  readonly labUsersGroupObjectId: string;
  /** The seats' image: the Ubuntu or the Windows Server DSVM. */
  readonly os: SeatOs;
  /** Key Vault permission model: access policies (vault-wide) or RBAC (a get/set-only role per secret). */
  readonly vaultAccessModel: VaultAccessModel;
  /** Azure Bastion (Standard) in its own subnet: reach the seats without any public IP on them. */
  readonly bastion: boolean;
  /** AzureBastionSubnet, inside addressSpace and apart from subnetPrefix; used only when bastion is true. */
  readonly bastionSubnetPrefix: string;
  /** The operators' Entra object type, for their RBAC role assignments (Azure refuses a type that does not match). */
  readonly operatorPrincipalType: OperatorPrincipalType;
  /** Seats per vault: past it, seats are sharded across vaults (lib/shards.ts). Access-policy model only. */
  readonly seatsPerVault: number;
  /** Role assignments the subscription already holds outside this lab, counted against Azure's limit. */
  readonly roleAssignmentsInUse: number;
}

/** Raw values as the Pulumi CLI hands them to a program: strings, with arrays as JSON text. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

/** One bad value: the key, what it was (as shown, never a secret), and the form it must take. */
export interface ConfigProblem {
  readonly key: string;
  readonly value: string;
  readonly expected: string;
}

/** What a problem shows instead of a value that must not be echoed. */
export const NOT_SHOWN = "(value not shown)";

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${PROJECT}:${p.key} = ${p.value}: expected ${p.expected}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

// Characters JSON.stringify leaves as they are but a terminal acts on or hides: C1 controls, bidi overrides and
// isolates, zero-width marks, line and paragraph separators, the BOM.
const INVISIBLE = /[\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** JSON text of `s` with every invisible or reordering character written as a \uXXXX escape. */
export function visibleJson(s: string): string {
  return JSON.stringify(s).replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Shows a bad value of a known key without ever echoing key material or a wall of text. */
export function shown(key: string, raw: string): string {
  if (/PRIVATE KEY/.test(raw)) return "<a private key, not shown>";
  const text = visibleJson(raw);
  return key === "sshPublicKey" && text.length > 40 ? `${text.slice(0, 30)}…"` : text.length > 80 ? `${text.slice(0, 77)}…"` : text;
}

/** Own properties only: `constructor`, `toString` or `__proto__` are never taken for a key. */
export function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}
