// The lab's configuration: read once, validated as a whole, before any resource exists.
// Keys, types, descriptions and defaults are declared in Pulumi.yaml (the CLI applies the defaults); this module owns
// the rules. tests/lib/config.test.ts checks that the two name the same keys.
import { CustomRoleSource, DSVM_IMAGE_DISK_GB, LIMITS, SeatOs, VaultAccessModel } from "./azure";
import { parseIsoSeconds, TTL_HOURS } from "./lifecycle";
import { contains, hasHostBits, isPrivate, isPublic, parseCidr, size } from "./net";
import { roleAssignmentUse } from "./shards";

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

/** One bad value: the key, what it was, and the form it must take. */
export interface ConfigProblem {
  readonly key: string;
  readonly value: string;
  readonly expected: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${PROJECT}:${p.key} = ${p.value}: expected ${p.expected}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Raw values as the Pulumi CLI hands them to a program: strings, with arrays as JSON text. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

type Parser<T> = (raw: string, problem: (expected: string) => never) => T;

class Invalid extends Error {}

const str =
  (re: RegExp, expected: string): Parser<string> =>
  (raw, problem) =>
    re.test(raw) ? raw : problem(expected);

const int =
  (min: number, max: number, why = ""): Parser<number> =>
  (raw, problem) => {
    const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : problem(`an integer from ${min} to ${max}${why}`);
  };

const list =
  (item: (v: string) => string | undefined, expected: string): Parser<string[]> =>
  (raw, problem) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return problem(`a YAML list of ${expected}`);
    }
    if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== "string")) return problem(`a YAML list of ${expected}`);
    for (const v of parsed as string[]) {
      const why = item(v);
      if (why !== undefined) problem(`a list of ${expected}; ${JSON.stringify(v)} ${why}`);
    }
    return parsed as string[];
  };

const bool: Parser<boolean> = (raw, problem) => (raw === "true" ? true : raw === "false" ? false : problem("true or false"));

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// https://learn.microsoft.com/troubleshoot/azure/virtual-machines/linux/linux-vm-faqs: names Azure refuses as admin.
const RESERVED_USERS = new Set(
  "administrator admin user user1 test user2 test1 user3 admin1 1 123 a actuser adm admin2 aspnet backup console david guest john owner root server sql support support_388945a0 sys test2 test3 user4 user5".split(
    " ",
  ),
);

function sshKeyProblem(raw: string): string | undefined {
  if (/PRIVATE KEY/.test(raw)) return "the public half only; this looks like a private key, which must never be in config";
  const m = /^(ssh-ed25519|ssh-rsa) ([A-Za-z0-9+/]+={0,2})( .*)?$/.exec(raw.trim());
  if (!m) return "an OpenSSH public key line: 'ssh-ed25519 AAAA... comment' or 'ssh-rsa AAAA... comment'";
  const blob = Buffer.from(m[2], "base64");
  const typeLen = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (typeLen < 0 || blob.subarray(4, 4 + typeLen).toString() !== m[1]) return "an OpenSSH public key whose data matches its type";
  if (m[1] === "ssh-ed25519" && blob.length !== 51) return "an ssh-ed25519 key of 32 bytes";
  if (m[1] === "ssh-rsa") {
    // ssh-rsa blob: string type, mpint e, mpint n. Azure needs n >= 2048 bits.
    const eLen = blob.readUInt32BE(4 + typeLen);
    const nAt = 8 + typeLen + eLen;
    const nLen = blob.length >= nAt + 4 ? blob.readUInt32BE(nAt) : 0;
    const n = blob.subarray(nAt + 4, nAt + 4 + nLen);
    const bits = n.length * 8 - (n[0] === 0 ? 8 : 0);
    if (bits < 2048) return `an ssh-rsa key of at least 2048 bits (this one has ${Math.max(bits, 0)})`;
  }
  return undefined;
}

const RULES = {
  namePrefix: str(/^[a-z][a-z0-9]{2,9}$/, "3-10 lowercase letters and digits, starting with a letter (it goes into vault and storage names)"),
  location: str(/^[a-z][a-z0-9]{2,39}$/, "an Azure region name in lowercase, such as westeurope or eastus2"),
  // Each seat holds at least one role assignment, so the subscription's limit bounds the seats; crossCheck counts the
  // rest (lab users, assignments in use) and the subnet's addresses.
  seats: int(1, LIMITS.roleAssignmentsPerSubscription, ` (each seat holds a role assignment; Azure allows ${LIMITS.roleAssignmentsPerSubscription} per subscription)`),
  vmSize: str(/^Standard_[A-Z][A-Za-z0-9_-]*$/, "an Azure VM size such as Standard_D4s_v5"),
  osDiskSizeGb: int(DSVM_IMAGE_DISK_GB, LIMITS.maxOsDiskGb, ` GiB (the DSVM image needs ${DSVM_IMAGE_DISK_GB})`),
  adminUsername: ((raw, problem) =>
    !/^[a-z_][a-z0-9_-]{0,31}$/.test(raw)
      ? problem("a Linux user name: 1-32 lowercase letters, digits, '_' or '-', not starting with a digit or '-'")
      : RESERVED_USERS.has(raw)
        ? problem(`a user name that Azure allows; '${raw}' is reserved`)
        : raw) as Parser<string>,
  sshPublicKey: ((raw, problem) => {
    // Empty is for Windows seats only, which take no SSH key; crossCheck holds the rule between the two.
    if (raw.trim() === "") return "";
    const why = sshKeyProblem(raw);
    return why ? problem(why) : raw.trim();
  }) as Parser<string>,
  allowedSshCidrs: list((v) => {
    if (v.trim() === "*" || v.trim() === "0.0.0.0/0") return "would open SSH to the whole internet";
    const c = parseCidr(v, true);
    if (!c) return "is not an IPv4 address or CIDR";
    if (hasHostBits(c)) return "has host bits set";
    return isPublic(c) ? undefined : "is not a public range (the lab's VMs have no other inbound path)";
  }, "public IPv4 CIDRs such as 203.0.113.0/24, never 0.0.0.0/0 or *"),
  operatorObjectIds: list((v) => (GUID.test(v) ? undefined : "is not a GUID"), "Entra object ids (GUIDs)"),
  operatorIpRanges: list((v) => {
    const c = parseCidr(v, true);
    if (!c) return "is not an IPv4 address or CIDR";
    if (c.prefix === 31) return "is a /31, which storage firewalls refuse: list its two addresses instead";
    if (c.prefix < 8 || hasHostBits(c)) return "is not a network of /8 or narrower without host bits";
    return isPublic(c) ? undefined : "is not public (Azure firewalls take public ranges; the lab subnet is already allowed)";
  }, "public IPv4 addresses or CIDRs such as 203.0.113.7 or 203.0.113.0/28"),
  addressSpace: ((raw, problem) => {
    const c = parseCidr(raw);
    return c && !hasHostBits(c) && isPrivate(c) && c.prefix <= 24 ? raw : problem("a private (RFC 1918) CIDR of /24 or wider, such as 10.42.0.0/16");
  }) as Parser<string>,
  subnetPrefix: ((raw, problem) => {
    const c = parseCidr(raw);
    return c && !hasHostBits(c) && c.prefix <= LIMITS.smallestSubnetPrefix ? raw : problem("a CIDR of /29 or wider without host bits, such as 10.42.1.0/24");
  }) as Parser<string>,
  autoShutdownTime: str(/^([01]\d|2[0-3])[0-5]\d$/, "a 24-hour time as HHmm, such as 1900"),
  autoShutdownTimeZone: ((raw, problem) =>
    raw.includes("/")
      ? problem("a Windows time zone id such as 'W. Europe Standard Time' (DevTest Labs does not take IANA names)")
      : /^[A-Za-z][A-Za-z0-9 .+()&'-]{1,63}$/.test(raw)
        ? raw
        : problem("a Windows time zone id such as UTC or 'Pacific Standard Time'")) as Parser<string>,
  listKeysRole: str(/^(custom|builtin)$/, "custom or builtin") as Parser<ListKeysRole>,
  customRoleSource: str(/^(subscription|lab)$/, "subscription or lab") as Parser<CustomRoleSource>,
  secretName: str(
    new RegExp(`^[0-9a-zA-Z-]{1,${LIMITS.secretNameLength - "-probe".length}}$`),
    `a Key Vault secret name: 1-${LIMITS.secretNameLength - "-probe".length} letters, digits and hyphens (the probe writes <name>-probe)`,
  ),
  checkOnDeploy: bool,
  ephemeral: bool,
  ttlHours: int(TTL_HOURS.min, TTL_HOURS.max, " hours"),
  createdAt: ((raw, problem) =>
    raw === "" || parseIsoSeconds(raw) ? raw : problem("empty, or an ISO 8601 UTC time to the second such as 2025-01-31T09:00:00Z")) as Parser<string>,
  owner: str(/^(|[A-Za-z0-9][A-Za-z0-9._@+-]{0,63})$/, "empty, or 1-64 letters, digits, '.', '_', '@', '+' or '-' (a user name or e-mail)"),
  labUsersGroupObjectId: ((raw, problem) =>
    raw === "" || GUID.test(raw) ? raw.toLowerCase() : problem("empty, or the lab-users group's Entra object id (a GUID; the bootstrap exports it)")) as Parser<string>,
  os: str(/^(ubuntu|windows)$/, "ubuntu or windows") as Parser<SeatOs>,
  vaultAccessModel: str(/^(accessPolicy|rbac)$/, "accessPolicy or rbac") as Parser<VaultAccessModel>,
  bastion: bool,
  operatorPrincipalType: str(/^(User|ServicePrincipal|Group)$/, "User, ServicePrincipal or Group") as Parser<OperatorPrincipalType>,
  bastionSubnetPrefix: ((raw, problem) => {
    const c = parseCidr(raw);
    return c && !hasHostBits(c) && c.prefix <= LIMITS.bastionSubnetPrefix
      ? raw
      : problem(`a CIDR of /${LIMITS.bastionSubnetPrefix} or wider without host bits, such as 10.42.0.0/26 (Azure Bastion needs at least a /${LIMITS.bastionSubnetPrefix})`);
  }) as Parser<string>,
  // The deploying principal always holds a policy in every vault, so at most 1023 seat policies fit.
  seatsPerVault: int(1, LIMITS.accessPoliciesPerVault - 1, ` (a vault holds ${LIMITS.accessPoliciesPerVault} access policies, one is the deployer's)`),
  roleAssignmentsInUse: int(0, LIMITS.roleAssignmentsPerSubscription, " (e.g. `az role assignment list --all --query 'length(@)'`)"),
} satisfies { [K in keyof LabConfig]: Parser<LabConfig[K]> };

export const CONFIG_KEYS = Object.keys(RULES) as (keyof LabConfig)[];

/** Shows a bad value without ever echoing key material or a wall of text. */
function shown(key: string, raw: string): string {
  if (/PRIVATE KEY/.test(raw)) return "<a private key, not shown>";
  const text = JSON.stringify(raw);
  return key === "sshPublicKey" && text.length > 40 ? `${text.slice(0, 30)}…"` : text.length > 80 ? `${text.slice(0, 77)}…"` : text;
}

/**
 * Validates every key and the rules between them. Throws one ConfigError that lists every problem.
 * `raw` holds the project's keys without the namespace, as strings (what `pulumi.Config#get` returns).
 */
export function validateConfig(raw: RawConfig, context: { extraOperators?: number } = {}): LabConfig {
  const problems: ConfigProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (!(key in RULES)) {
      problems.push({ key, value: shown(key, raw[key] ?? ""), expected: `no such key; the keys are: ${CONFIG_KEYS.join(", ")}` });
    }
  }
  for (const key of CONFIG_KEYS) {
    const value = raw[key];
    if (value === undefined) {
      problems.push({ key, value: "(not set)", expected: `a value: set it with \`pulumi config set ${key} ...\`` });
      continue;
    }
    try {
      out[key] = (RULES[key] as Parser<unknown>)(value, (expected) => {
        problems.push({ key, value: shown(key, value), expected });
        throw new Invalid();
      });
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
    }
  }
  if (problems.length === 0) crossCheck(out as unknown as LabConfig, context, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as unknown as LabConfig;
}

function crossCheck(c: LabConfig, context: { extraOperators?: number }, problems: ConfigProblem[]): void {
  // An ephemeral lab's expiry is computed from createdAt, never from the clock, so every `up` tags the same instant.
  if (c.ephemeral && !c.createdAt) {
    problems.push({ key: "createdAt", value: '""', expected: "an ISO 8601 UTC time when ephemeral is true (`npm run lab -- create` sets it)" });
  }
  if (c.ephemeral && !c.owner) problems.push({ key: "owner", value: '""', expected: "a name when ephemeral is true: every ephemeral lab has an owner tag" });
  osCheck(c, problems);
  const space = parseCidr(c.addressSpace)!;
  const subnet = parseCidr(c.subnetPrefix)!;
  if (!contains(space, subnet)) {
    problems.push({ key: "subnetPrefix", value: JSON.stringify(c.subnetPrefix), expected: `a CIDR inside addressSpace ${c.addressSpace}` });
    return;
  }
  if (c.bastion) {
    const bastion = parseCidr(c.bastionSubnetPrefix)!;
    const value = JSON.stringify(c.bastionSubnetPrefix);
    if (!contains(space, bastion)) problems.push({ key: "bastionSubnetPrefix", value, expected: `a CIDR inside addressSpace ${c.addressSpace} when bastion is true` });
    else if (contains(bastion, subnet) || contains(subnet, bastion)) problems.push({ key: "bastionSubnetPrefix", value, expected: `a CIDR apart from subnetPrefix ${c.subnetPrefix}` });
  }
  const hosts = size(subnet) - LIMITS.reservedAddressesPerSubnet;
  if (c.seats > hosts) {
    const prefix = subnetPrefixFor(c.seats);
    problems.push({
      key: "seats",
      value: String(c.seats),
      expected: `at most ${hosts}: subnet ${c.subnetPrefix} has ${hosts} usable addresses (Azure keeps ${LIMITS.reservedAddressesPerSubnet}); widen subnetPrefix to /${prefix} or wider (${size({ base: 0, prefix, address: 0 }) - LIMITS.reservedAddressesPerSubnet} addresses), inside addressSpace`,
    });
  }
  // Every operator holds an access policy in every vault; the deploying principal is one more operator.
  const operators = new Set(c.operatorObjectIds.map((id) => id.toLowerCase())).size + 1 + (context.extraOperators ?? 0);
  const maxPerVault = LIMITS.accessPoliciesPerVault - operators;
  // The RBAC model holds no access policies, so the vault's policy limit does not bound it.
  if (c.vaultAccessModel === "accessPolicy" && c.seatsPerVault > maxPerVault) {
    problems.push({
      key: "seatsPerVault",
      value: String(c.seatsPerVault),
      expected: `at most ${maxPerVault}: a vault holds ${LIMITS.accessPoliciesPerVault} access policies and ${operators} go to operators`,
    });
  }
  const assignments = roleAssignmentUse({ seats: c.seats, labUsers: c.labUsersGroupObjectId !== "", vaultRbac: c.vaultAccessModel === "rbac", operators, adminLoginsPerSeat: c.os === "windows" ? operators : 0 });
  const limit = LIMITS.roleAssignmentsPerSubscription;
  if (assignments.total + c.roleAssignmentsInUse > limit) {
    const fixed = assignments.total - assignments.perSeat * c.seats;
    problems.push({
      key: "seats",
      value: String(c.seats),
      expected:
        `at most ${Math.max(0, Math.floor((limit - c.roleAssignmentsInUse - fixed) / assignments.perSeat))}: Azure's limit of ${limit} role assignments per subscription; ` +
        `this lab needs ${assignments.total} (${assignments.perSeat} per seat) and roleAssignmentsInUse says ${c.roleAssignmentsInUse} are taken`,
    });
  }
}

/** The widest prefix (smallest subnet) with room for `seats` hosts. */
export function subnetPrefixFor(seats: number): number {
  let prefix = LIMITS.smallestSubnetPrefix;
  while (prefix > 0 && 2 ** (32 - prefix) - LIMITS.reservedAddressesPerSubnet < seats) prefix--;
  return prefix;
}

/** The rules that depend on the seats' OS: SSH key or none, and Windows' shorter names. */
function osCheck(c: LabConfig, problems: ConfigProblem[]): void {
  if (c.os === "ubuntu" && c.sshPublicKey === "") {
    problems.push({ key: "sshPublicKey", value: '""', expected: "an OpenSSH public key line: 'ssh-ed25519 AAAA... comment' or 'ssh-rsa AAAA... comment' (Ubuntu seats sign in by SSH key)" });
  }
  if (c.os !== "windows") return;
  if (c.sshPublicKey !== "") {
    problems.push({ key: "sshPublicKey", value: shown("sshPublicKey", c.sshPublicKey), expected: '"" when os is windows: Windows seats take no SSH key (sign-in is through Entra ID, AADLoginForWindows)' });
  }
  // The computer name is the VM name, <prefix>-vm<seat>; Windows cuts names at 15 characters.
  const longest = `${c.namePrefix}-vm${c.seats}`;
  if (longest.length > LIMITS.windowsComputerNameLength) {
    const room = LIMITS.windowsComputerNameLength - `-vm${c.seats}`.length;
    problems.push({
      key: "namePrefix",
      value: JSON.stringify(c.namePrefix),
      expected: `at most ${room} characters when os is windows with ${c.seats} seat(s): the computer name ${longest} would be over Windows' ${LIMITS.windowsComputerNameLength}`,
    });
  }
  if (c.adminUsername.length > LIMITS.windowsAdminUsernameLength) {
    problems.push({ key: "adminUsername", value: JSON.stringify(c.adminUsername), expected: `at most ${LIMITS.windowsAdminUsernameLength} characters when os is windows` });
  }
}

/** Lowercase, hyphen-separated form of a stack name, safe inside Azure resource names. */
export function stackSlug(stack: string): string {
  const slug = stack.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
  return slug || "stack";
}
