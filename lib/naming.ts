// Deterministic names: a re-run of the same stack computes the same names, so creates are idempotent.
import { createHash } from "crypto";

/** A name-based (v5-style, SHA-1) GUID of the parts, like Bicep's guid(). Same parts, same GUID. */
export function deterministicGuid(...parts: string[]): string {
  const h = createHash("sha1").update(parts.join("|")).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The Azure names of one seat's resources. Seats count from 1. */
export function seatVmName(namePrefix: string, seat: number): string {
  return `${namePrefix}-vm${seat}`;
}

/** DevTest Labs finds a VM's auto-shutdown schedule by this exact name. */
export function shutdownScheduleName(vmName: string): string {
  return `shutdown-computevm-${vmName}`;
}

/** A role assignment's name: the same scope, principal and role give the same GUID, so a re-run is idempotent. */
export function roleAssignmentGuid(scope: string, principalId: string, roleDefinitionId: string): string {
  return deterministicGuid(scope.toLowerCase(), principalId, roleDefinitionId.toLowerCase());
}

/**
 * The GUID of one of the lab's custom roles (lib/azure/roles.ts LAB_CUSTOM_ROLES) at a scope: the subscription
 * (`/subscriptions/<id>`, made by bootstrap/) or a lab's resource group. bootstrap/ and the lab compute the same GUID,
 * so a lab references the subscription's role without looking it up.
 */
export function customRoleGuid(scope: string, seed: string): string {
  return deterministicGuid(scope.toLowerCase(), seed);
}

// ARM ids of scopes (subscriptionScope, resourceGroupId) are built in lib/azure/ids.ts.
