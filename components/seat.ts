import type * as pulumi from "@pulumi/pulumi";

/** One seat's VM identity, with its lab seat number (1-based): resource names and descriptions use the number. */
export interface SeatIdentity {
  readonly number: number;
  /** The VM's system-assigned identity (an Entra service principal). */
  readonly principalId: pulumi.Input<string>;
}

/** The seats of `principalIds` in seat order, numbered 1, 2, ... */
export function numberedSeats(principalIds: readonly pulumi.Input<string>[]): SeatIdentity[] {
  return principalIds.map((principalId, i) => ({ number: i + 1, principalId }));
}
