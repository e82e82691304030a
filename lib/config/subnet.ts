// Subnet sizing: how wide the lab subnet must be for a number of seats.
import { LIMITS } from "../azure";

/** The widest prefix (smallest subnet) with room for `seats` hosts. */
export function subnetPrefixFor(seats: number): number {
  let prefix = LIMITS.smallestSubnetPrefix;
  while (prefix > 0 && 2 ** (32 - prefix) - LIMITS.reservedAddressesPerSubnet < seats) prefix--;
  return prefix;
}

/** Usable addresses in a subnet of `prefix`, after the ones Azure keeps. */
export function usableAddresses(prefix: number): number {
  return 2 ** (32 - prefix) - LIMITS.reservedAddressesPerSubnet;
}
