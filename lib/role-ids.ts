// ARM ids of role definitions, written one way everywhere: assignments name their role by this id, and Azure compares
// it as given, so the lab, bootstrap/ and the policy agree only if they build it alike.

/** `/subscriptions/<sub>/providers/Microsoft.Authorization/roleDefinitions/<guid>`: a built-in or custom role by GUID. */
export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}
