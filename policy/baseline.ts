// The policy's own baseline: the boundaries and limits it holds the program to. Written here, not imported from
// lib/azure.ts: a PR that widens the program's constants must fail the policy, not move it.
// tests/policy/rules.test.ts checks that the program's constants still match.
import { LAB_TAG } from "../lib/lifecycle";

/** Seed step 2: the only secret permissions a seat's identity may hold (access-policy model). */
export const VM_SECRET_PERMISSIONS = ["get", "set"] as const;
/** Seed step 4: the one ARM action a seat's identity may hold. */
export const LIST_KEYS_ACTION = "Microsoft.Storage/storageAccounts/listkeys/action";
/** Seed step 2 in the RBAC model: a seat's Key Vault role has exactly these dataActions, and no actions. */
export const VM_SECRET_DATA_ACTIONS = ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/setSecret/action"] as const;
/** What operators (and the deployer) may hold in a vault's access policy: seed the canary, read back, clean up. */
export const OPERATOR_SECRET_PERMISSIONS = ["get", "list", "set", "delete", "recover"] as const;

/**
 * The widest network one allowed source may be: a /24, 256 addresses. An office, a campus lab or a VPN egress pool
 * fits in it; anything wider is an ISP's or a cloud's address space, where strangers share the range. Config accepts
 * operatorIpRanges up to a /8 (a firewall typo check); the gate is stricter on purpose.
 */
export const MAX_RANGE_PREFIX = 24;
/** All sources of one allow-list together: at most 1024 addresses (four offices' /24s). */
export const MAX_TOTAL_ADDRESSES = 1024;

/** The admin ports: SSH on Ubuntu seats, RDP on Windows seats. */
export const ADMIN_PORT = { ubuntu: 22, windows: 3389 } as const;

/** A lasting lab's vault keeps deleted secrets this long (Azure's maximum, and its default). */
export const LASTING_SOFT_DELETE_DAYS = 90;

/** Sizes the advisory size rule accepts: general-purpose and memory sizes that run the Gen2 DSVM image. */
export const ALLOWED_VM_SIZES = [
  "Standard_D2s_v5",
  "Standard_D4s_v5",
  "Standard_D8s_v5",
  "Standard_D4as_v5",
  "Standard_D8as_v5",
  "Standard_E4s_v5",
  "Standard_E8s_v5",
  "Standard_NC4as_T4_v3",
] as const;

/** Tags an ephemeral lab's resources must carry. */
export const EPHEMERAL_TAGS = [LAB_TAG.lab, LAB_TAG.owner, LAB_TAG.expiresAt] as const;
