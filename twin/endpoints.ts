// What verify takes to talk to the twin instead of Azure: shared by the tests and by `npm run bench`.

/**
 * The test-only injection verify takes for the twin (scripts/verify/outputs.ts TestEndpoints, matched structurally so
 * the twin does not import the commands): its loopback vault and blob endpoints. No storage account name: each twin's
 * account is shaped like the lab's PREFIXstXXXXXXXX (twin/azurite.ts newAccounts), so verify checks it as the lab's.
 * Shipped commands never pass it.
 */
export const TWIN_ENDPOINTS: { readonly loopback: true } = { loopback: true };
