// Large labs: which vault each seat uses, and how many role assignments the lab spends. Pure functions, no Pulumi.
// A vault holds at most 1024 access policies, so past `seatsPerVault` seats the lab gets another vault; each seat's
// policy lives in its own shard's vault, and every operator has a policy in every vault.

/** One vault and the seats whose identities have a policy in it. */
export interface VaultShard {
  /** 0 for the first vault. */
  readonly index: number;
  /** Pulumi logical name of the SecretVault: `vault` for the first (existing stacks keep it), then `vault2`, ... */
  readonly logicalName: string;
  /** Seat numbers (from 1), ascending and contiguous. */
  readonly seats: readonly number[];
}

function checkCounts(seats: number, seatsPerVault: number): void {
  if (!Number.isSafeInteger(seats) || seats < 0) throw new RangeError(`seats must be a whole number, got ${seats}`);
  if (!Number.isSafeInteger(seatsPerVault) || seatsPerVault < 1)
    throw new RangeError(`seatsPerVault must be a whole number of at least 1, got ${seatsPerVault}`);
}

/** The logical name of the vault at `index` (0-based). */
export function vaultLogicalName(index: number): string {
  return index === 0 ? "vault" : `vault${index + 1}`;
}

/** The 0-based shard of seat `seat` (counted from 1). */
export function shardOfSeat(seat: number, seatsPerVault: number): number {
  checkCounts(seat, seatsPerVault);
  if (seat < 1) throw new RangeError(`seats count from 1, got ${seat}`);
  return Math.floor((seat - 1) / seatsPerVault);
}

/** Seats 1..seats in order, cut into vaults of at most `seatsPerVault`. A lab always has at least one vault. */
export function vaultShards(seats: number, seatsPerVault: number): VaultShard[] {
  checkCounts(seats, seatsPerVault);
  const count = Math.max(1, Math.ceil(seats / seatsPerVault));
  return Array.from({ length: count }, (_, index) => ({
    index,
    logicalName: vaultLogicalName(index),
    seats: Array.from(
      { length: Math.max(0, Math.min(seatsPerVault, seats - index * seatsPerVault)) },
      (_, i) => index * seatsPerVault + i + 1,
    ),
  }));
}

/** The lab's shape, as far as role assignments go. */
export interface LabShape {
  readonly seats: number;
  /** A lab-users group is configured (lab users sign in with Entra ID). */
  readonly labUsers: boolean;
  /** The vault uses RBAC, not access policies: then seats and operators hold role assignments in it. */
  readonly vaultRbac?: boolean;
  /** Operators, the deploying principal included (RBAC model: one assignment each per vault). */
  readonly operators?: number;
  /** Secrets each seat is granted one by one in the RBAC model (the canary and its -probe). */
  readonly secretsPerSeat?: number;
  /**
   * Principals that hold "Virtual Machine Administrator Login" on each seat: the deploying principal and each operator
   * on a Windows seat, 0 (the default) on Ubuntu.
   */
  readonly adminLoginsPerSeat?: number;
}

/** What the lab spends against the subscription's role-assignment limit. */
export interface RoleAssignmentUse {
  /** One per seat: listKeys on the storage account. */
  readonly listKeys: number;
  /** One per seat when a lab-users group is configured: Virtual Machine User Login on that seat's VM. */
  readonly labUsers: number;
  /** RBAC vault model only: each seat on each of its secrets, and each operator on the vault. */
  readonly vault: number;
  /** Windows seats: Virtual Machine Administrator Login for the deploying principal and each operator, per seat. */
  readonly adminLogin: number;
  /** Everything the lab creates. */
  readonly total: number;
  /** Assignments each further seat adds. */
  readonly perSeat: number;
}

/** Role assignments the lab creates. Role definitions are not assignments: each custom role is one per lab. */
export function roleAssignmentUse(lab: LabShape): RoleAssignmentUse {
  const rbacPerSeat = lab.vaultRbac ? (lab.secretsPerSeat ?? 2) : 0;
  const adminPerSeat = lab.adminLoginsPerSeat ?? 0;
  if (!Number.isSafeInteger(adminPerSeat) || adminPerSeat < 0)
    throw new RangeError(`adminLoginsPerSeat must be a whole number, got ${adminPerSeat}`);
  const perSeat = 1 + (lab.labUsers ? 1 : 0) + rbacPerSeat + adminPerSeat;
  const listKeys = lab.seats;
  const labUsers = lab.labUsers ? lab.seats : 0;
  const vault = lab.vaultRbac ? lab.seats * rbacPerSeat + (lab.operators ?? 1) : 0;
  const adminLogin = lab.seats * adminPerSeat;
  return { listKeys, labUsers, vault, adminLogin, total: listKeys + labUsers + vault + adminLogin, perSeat };
}

/** Seats per vault for a vault model: the RBAC model has no access-policy limit, so it keeps one vault. */
export function effectiveSeatsPerVault(seats: number, seatsPerVault: number, vaultRbac: boolean): number {
  return vaultRbac ? Math.max(1, seats) : seatsPerVault;
}
