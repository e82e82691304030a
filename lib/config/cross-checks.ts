// Rules between keys, run once every key is valid on its own.
import { LIMITS } from "../azure";
import { contains, parseCidr, size } from "../net";
import { roleAssignmentUse } from "../shards";
import { ConfigProblem, LabConfig, shown } from "./schema";
import { subnetPrefixFor, usableAddresses } from "./subnet";

export interface CrossCheckContext {
  /** Operators known outside config (the plan's bench adds them), on top of the deployer and operatorObjectIds. */
  readonly extraOperators?: number;
}

export function crossCheck(c: LabConfig, context: CrossCheckContext, problems: ConfigProblem[]): void {
  // An ephemeral lab's expiry is computed from createdAt, never from the clock, so every `up` tags the same instant.
  if (c.ephemeral && !c.createdAt) {
    problems.push({
      key: "createdAt",
      value: '""',
      expected: "an ISO 8601 UTC time when ephemeral is true (`npm run lab -- create` sets it)",
    });
  }
  if (c.ephemeral && !c.owner)
    problems.push({ key: "owner", value: '""', expected: "a name when ephemeral is true: every ephemeral lab has an owner tag" });
  osCheck(c, problems);
  if (!networkCheck(c, problems)) return;
  capacityCheck(c, context, problems);
}

/** Subnets inside the address space and apart, and room for every seat. False when the subnet is outside. */
function networkCheck(c: LabConfig, problems: ConfigProblem[]): boolean {
  const space = parseCidr(c.addressSpace)!;
  const subnet = parseCidr(c.subnetPrefix)!;
  if (!contains(space, subnet)) {
    problems.push({ key: "subnetPrefix", value: JSON.stringify(c.subnetPrefix), expected: `a CIDR inside addressSpace ${c.addressSpace}` });
    return false;
  }
  if (c.bastion) {
    const bastion = parseCidr(c.bastionSubnetPrefix)!;
    const value = JSON.stringify(c.bastionSubnetPrefix);
    if (!contains(space, bastion))
      problems.push({ key: "bastionSubnetPrefix", value, expected: `a CIDR inside addressSpace ${c.addressSpace} when bastion is true` });
    else if (contains(bastion, subnet) || contains(subnet, bastion))
      problems.push({ key: "bastionSubnetPrefix", value, expected: `a CIDR apart from subnetPrefix ${c.subnetPrefix}` });
  }
  const hosts = size(subnet) - LIMITS.reservedAddressesPerSubnet;
  if (c.seats > hosts) {
    const prefix = subnetPrefixFor(c.seats);
    problems.push({
      key: "seats",
      value: String(c.seats),
      expected: `at most ${hosts}: subnet ${c.subnetPrefix} has ${hosts} usable addresses (Azure keeps ${LIMITS.reservedAddressesPerSubnet}); widen subnetPrefix to /${prefix} or wider (${usableAddresses(prefix)} addresses), inside addressSpace`,
    });
  }
  return true;
}

/** Access policies per vault and role assignments per subscription, each blamed on the key that overflows it. */
function capacityCheck(c: LabConfig, context: CrossCheckContext, problems: ConfigProblem[]): void {
  const extra = context.extraOperators ?? 0;
  // Every operator holds an access policy in every vault; the deploying principal is one more operator.
  const operators = c.operatorObjectIds.length + 1 + extra;
  if (c.vaultAccessModel === "accessPolicy") {
    // At least one seat's policy must fit beside the deployer's and the operators'.
    const maxIds = LIMITS.accessPoliciesPerVault - 2 - extra;
    if (c.operatorObjectIds.length > maxIds) {
      problems.push({
        key: "operatorObjectIds",
        value: `(${c.operatorObjectIds.length} ids)`,
        expected: `at most ${maxIds} ids: a vault holds ${LIMITS.accessPoliciesPerVault} access policies, one is the deploying principal's${extra ? `, ${extra} go to other operators` : ""} and at least one is a seat's`,
      });
      return;
    }
    const maxPerVault = LIMITS.accessPoliciesPerVault - operators;
    if (c.seatsPerVault > maxPerVault) {
      problems.push({
        key: "seatsPerVault",
        value: String(c.seatsPerVault),
        expected: `at most ${maxPerVault}: a vault holds ${LIMITS.accessPoliciesPerVault} access policies and ${operators} go to operators (the deploying principal and operatorObjectIds)`,
      });
    }
  }
  const assignments = roleAssignmentUse({
    seats: c.seats,
    labUsers: c.labUsersGroupObjectId !== "",
    vaultRbac: c.vaultAccessModel === "rbac",
    operators,
    adminLoginsPerSeat: c.os === "windows" ? operators : 0,
  });
  const limit = LIMITS.roleAssignmentsPerSubscription;
  if (assignments.total + c.roleAssignmentsInUse <= limit) return;
  const fixed = assignments.total - assignments.perSeat * c.seats;
  const maxSeats = Math.floor((limit - c.roleAssignmentsInUse - fixed) / assignments.perSeat);
  const needs = `this lab needs ${assignments.total} (${assignments.perSeat} per seat) and roleAssignmentsInUse says ${c.roleAssignmentsInUse} are taken`;
  if (maxSeats >= 1) {
    problems.push({
      key: "seats",
      value: String(c.seats),
      expected: `at most ${maxSeats}: Azure's limit of ${limit} role assignments per subscription; ${needs}`,
    });
  } else if (c.operatorObjectIds.length > 0 && fixed + assignments.perSeat > limit - c.roleAssignmentsInUse) {
    // Not even one seat fits: the operators' own assignments (and their per-seat logins on Windows) fill the limit.
    problems.push({
      key: "operatorObjectIds",
      value: `(${c.operatorObjectIds.length} ids)`,
      expected: `fewer ids: with them not one seat fits under Azure's limit of ${limit} role assignments per subscription; ${needs}`,
    });
  } else {
    problems.push({
      key: "roleAssignmentsInUse",
      value: String(c.roleAssignmentsInUse),
      expected: `at most ${limit - fixed - assignments.perSeat}: not one seat fits under Azure's limit of ${limit} role assignments per subscription; ${needs}`,
    });
  }
}

/** The rules that depend on the seats' OS: SSH key or none, and Windows' shorter names. */
function osCheck(c: LabConfig, problems: ConfigProblem[]): void {
  if (c.os === "ubuntu" && c.sshPublicKey === "") {
    problems.push({
      key: "sshPublicKey",
      value: '""',
      expected: "an OpenSSH public key line: 'ssh-ed25519 AAAA... comment' or 'ssh-rsa AAAA... comment' (Ubuntu seats sign in by SSH key)",
    });
  }
  if (c.os !== "windows") return;
  if (c.sshPublicKey !== "") {
    problems.push({
      key: "sshPublicKey",
      value: shown("sshPublicKey", c.sshPublicKey),
      expected: '"" when os is windows: Windows seats take no SSH key (sign-in is through Entra ID, AADLoginForWindows)',
    });
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
    problems.push({
      key: "adminUsername",
      value: JSON.stringify(c.adminUsername),
      expected: `at most ${LIMITS.windowsAdminUsernameLength} characters when os is windows`,
    });
  }
}
