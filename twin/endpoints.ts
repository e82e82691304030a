// What verify takes to talk to the twin instead of Azure: shared by the tests and by `npm run bench`.
import { DEV_ACCOUNT } from "./azurite";

/**
 * The test-only injection verify takes for the twin (scripts/verify/outputs.ts TestEndpoints, matched structurally so
 * the twin does not import the commands): its loopback vault and blob endpoints, and Azurite's fixed account standing
 * in for the lab's PREFIXstXXXXXXXX account. Shipped commands never pass it.
 */
export const TWIN_ENDPOINTS: { readonly loopback: true; readonly storageAccountName: string } = {
  loopback: true,
  storageAccountName: DEV_ACCOUNT,
};
