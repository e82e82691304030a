// The stack outputs, declared once. index.ts exports exactly these (a renamed key fails tsc there); verify's parser and
// the lab CLI read them by these keys (a renamed key fails tsc there too). Nothing in them is secret.

/** One vault shard: which seats' grants it holds. */
export interface VaultOutput {
  readonly vaultName: string;
  readonly vaultUri: string;
  readonly firstSeat: number;
  readonly lastSeat: number;
}

/** One seat's VM, and the vault holding its grants. */
export interface SeatVmOutput {
  readonly seat: number;
  readonly vmName: string;
  readonly vmId: string;
  /** The VM's system-assigned identity. */
  readonly principalId: string;
  readonly privateIp: string;
  readonly vaultName: string;
  readonly vaultUri: string;
}

/** What index.ts exports, as `pulumi stack output --json` prints it. */
export interface LabOutputs {
  readonly resourceGroupName: string;
  /** The first vault (the only one below seatsPerVault seats); `vaults` lists every one. */
  readonly vaultName: string;
  readonly vaultUri: string;
  readonly vaults: readonly VaultOutput[];
  readonly secretName: string;
  readonly os: "ubuntu" | "windows";
  readonly storageAccountName: string;
  readonly storageAccountId: string;
  readonly blobEndpoint: string;
  readonly seatVms: readonly SeatVmOutput[];
  /** Whether the lab expires; the lab CLI's list, reap and destroy decide on it. */
  readonly ephemeral: boolean;
  /** ISO 8601 UTC; ephemeral labs only. */
  readonly expiresAt?: string;
  /** ISO 8601 UTC, config createdAt: when the ephemeral lab was created (expiresAt is derived from it). */
  readonly createdAt?: string;
  /** Who asked for the lab, when known. */
  readonly owner?: string;
}

/** Outputs as read back from a stack someone else may have written: known keys only, values unchecked. */
export type UntrustedOutputs<T = LabOutputs> = { readonly [K in keyof T]?: unknown };
