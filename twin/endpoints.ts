// What verify takes to talk to the twin instead of Azure: shared by the tests and by `npm run bench`.
import type { TestEndpoints } from "../scripts/lib/outputs";
import { DEV_ACCOUNT } from "./azurite";

/**
 * The test-only injection verify takes for the twin: its loopback vault and blob endpoints, and Azurite's fixed
 * account standing in for the lab's PREFIXstXXXXXXXX account. Shipped commands never pass it.
 */
export const TWIN_ENDPOINTS: TestEndpoints = { loopback: true, storageAccountName: DEV_ACCOUNT };
