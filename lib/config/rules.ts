// One rule per key: the form each value must take on its own. Rules between keys are in cross-checks.ts.
import { CustomRoleSource, DSVM_IMAGE_DISK_GB, LIMITS, SeatOs, VaultAccessModel } from "../azure";
import { isoSeconds, parseIsoSeconds, TTL_HOURS } from "../lifecycle";
import { hasHostBits, isPrivate, isPublic, parseCidr } from "../net";
import { GUID } from "../azure/ids";
import { bool, int, list, Parser, str } from "./parsers";
import type { LabConfig, ListKeysRole, OperatorPrincipalType } from "./schema";
import { sshKeyProblem } from "./ssh-key";

// https://learn.microsoft.com/troubleshoot/azure/virtual-machines/linux/linux-vm-faqs: names Azure refuses as admin.
const RESERVED_USERS = new Set(
  "administrator admin user user1 test user2 test1 user3 admin1 1 123 a actuser adm admin2 aspnet backup console david guest john owner root server sql support support_388945a0 sys test2 test3 user4 user5".split(
    " ",
  ),
);

/**
 * createdAt bounds. A lab is created now, so a createdAt ahead of the clock by more than a little skew is a typo (year
 * 9999 would never be reaped); one before the project's time is one too.
 */
export const CREATED_AT = { maxSkewMinutes: 10, earliest: "2020-01-01T00:00:00Z" } as const;

/**
 * Key Vault object names (https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates):
 * "a 1-127 character string, starting with a letter and containing only 0-9, a-z, A-Z, and -". Some versions of that
 * page drop "starting with a letter"; the stricter form is kept, which also keeps a leading '-' (read as a flag by the
 * in-VM probe) out. The probe writes <name>-probe, so 6 characters are kept for it.
 */
const SECRET_NAME_MAX = LIMITS.secretNameLength - "-probe".length;

const operatorIds: Parser<string[]> = (raw, problem, ctx) => {
  const ids = list((v) => (GUID.test(v) ? undefined : "is not a GUID"), "Entra object ids (GUIDs)")(raw, problem, ctx);
  // Entra object ids are case-insensitive: two spellings of one id are one operator listed twice.
  const seen = new Map<string, string>();
  for (const id of ids) {
    const first = seen.get(id.toLowerCase());
    if (first !== undefined)
      problem(
        `a list of distinct Entra object ids; ${JSON.stringify(id)} repeats ${JSON.stringify(first)} (object ids are case-insensitive)`,
      );
    seen.set(id.toLowerCase(), id);
  }
  return ids;
};

const createdAt: Parser<string> = (raw, problem, { now }) => {
  if (raw === "") return raw;
  const at = parseIsoSeconds(raw);
  const earliest = Date.parse(CREATED_AT.earliest);
  const latest = now.getTime() + CREATED_AT.maxSkewMinutes * 60_000;
  const bounds = `from ${CREATED_AT.earliest} to ${CREATED_AT.maxSkewMinutes} minutes after now (${isoSeconds(now)})`;
  if (!at) return problem(`empty, or an ISO 8601 UTC time to the second such as 2025-01-31T09:00:00Z, ${bounds}`);
  if (at.getTime() > latest)
    return problem(`a time ${bounds}: a lab is created now, and one dated later would not be reaped when it should`);
  if (at.getTime() < earliest) return problem(`a time ${bounds}`);
  return raw;
};

export const RULES = {
  namePrefix: str(
    /^[a-z][a-z0-9]{2,9}$/,
    "3-10 lowercase letters and digits, starting with a letter (it goes into vault and storage names)",
  ),
  location: str(/^[a-z][a-z0-9]{2,39}$/, "an Azure region name in lowercase, such as westeurope or eastus2"),
  // Each seat holds at least one role assignment, so the subscription's limit bounds the seats; crossCheck counts the
  // rest (lab users, assignments in use) and the subnet's addresses.
  seats: int(
    1,
    LIMITS.roleAssignmentsPerSubscription,
    ` (each seat holds a role assignment; Azure allows ${LIMITS.roleAssignmentsPerSubscription} per subscription)`,
  ),
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
  operatorObjectIds: operatorIds,
  operatorIpRanges: list((v) => {
    const c = parseCidr(v, true);
    if (!c) return "is not an IPv4 address or CIDR";
    if (c.prefix === 31) return "is a /31, which storage firewalls refuse: list its two addresses instead";
    if (c.prefix < 8 || hasHostBits(c)) return "is not a network of /8 or narrower without host bits";
    return isPublic(c) ? undefined : "is not public (Azure firewalls take public ranges; the lab subnet is already allowed)";
  }, "public IPv4 addresses or CIDRs such as 203.0.113.7 or 203.0.113.0/28"),
  addressSpace: ((raw, problem) => {
    const c = parseCidr(raw);
    return c && !hasHostBits(c) && isPrivate(c) && c.prefix <= 24
      ? raw
      : problem("a private (RFC 1918) CIDR of /24 or wider, such as 10.42.0.0/16");
  }) as Parser<string>,
  subnetPrefix: ((raw, problem) => {
    const c = parseCidr(raw);
    return c && !hasHostBits(c) && c.prefix <= LIMITS.smallestSubnetPrefix
      ? raw
      : problem("a CIDR of /29 or wider without host bits, such as 10.42.1.0/24");
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
    new RegExp(`^[A-Za-z][0-9A-Za-z-]{0,${SECRET_NAME_MAX - 1}}$`),
    `a Key Vault secret name: 1-${SECRET_NAME_MAX} letters, digits and hyphens, starting with a letter (Key Vault's object-name rule; the probe writes <name>-probe)`,
  ),
  checkOnDeploy: bool,
  ephemeral: bool,
  ttlHours: int(TTL_HOURS.min, TTL_HOURS.max, " hours"),
  createdAt,
  owner: str(/^(|[A-Za-z0-9][A-Za-z0-9._@+-]{0,63})$/, "empty, or 1-64 letters, digits, '.', '_', '@', '+' or '-' (a user name or e-mail)"),
  labUsersGroupObjectId: ((raw, problem) =>
    raw === "" || GUID.test(raw)
      ? raw.toLowerCase()
      : problem("empty, or the lab-users group's Entra object id (a GUID; the bootstrap exports it)")) as Parser<string>,
  os: str(/^(ubuntu|windows)$/, "ubuntu or windows") as Parser<SeatOs>,
  vaultAccessModel: str(/^(accessPolicy|rbac)$/, "accessPolicy or rbac") as Parser<VaultAccessModel>,
  bastion: bool,
  operatorPrincipalType: str(/^(User|ServicePrincipal|Group)$/, "User, ServicePrincipal or Group") as Parser<OperatorPrincipalType>,
  bastionSubnetPrefix: ((raw, problem) => {
    const c = parseCidr(raw);
    return c && !hasHostBits(c) && c.prefix <= LIMITS.bastionSubnetPrefix
      ? raw
      : problem(
          `a CIDR of /${LIMITS.bastionSubnetPrefix} or wider without host bits, such as 10.42.0.0/26 (Azure Bastion needs at least a /${LIMITS.bastionSubnetPrefix})`,
        );
  }) as Parser<string>,
  // The deploying principal always holds a policy in every vault, so at most 1023 seat policies fit.
  seatsPerVault: int(
    1,
    LIMITS.accessPoliciesPerVault - 1,
    ` (a vault holds ${LIMITS.accessPoliciesPerVault} access policies, one is the deployer's)`,
  ),
  roleAssignmentsInUse: int(0, LIMITS.roleAssignmentsPerSubscription, " (e.g. `az role assignment list --all --query 'length(@)'`)"),
} satisfies { [K in keyof LabConfig]: Parser<LabConfig[K]> };

export const CONFIG_KEYS = Object.keys(RULES) as (keyof LabConfig)[];
