// What `pulumi stack output --json` would print for a lab deployed on the twin: its resource group, vault, storage
// account and the given seats. Tests and `npm run bench` feed it to verify.
import type { Identity } from "./imds";
import type { AzureTwin } from "./twin";

export function twinOutputs(twin: AzureTwin, seats: readonly Identity[], secretName: string, opts: { seatVaultUri?: boolean } = {}) {
  return {
    resourceGroupName: twin.resourceGroup,
    vaultUri: twin.vaultUrl,
    vaultName: twin.vaultName,
    secretName,
    storageAccountId: twin.storageAccountId,
    blobEndpoint: twin.blobEndpoint,
    seatVms: seats.map((s, i) => ({
      seat: i + 1,
      vmName: s.vmName!,
      vmId: twin.vmId(s.vmName!),
      ...(opts.seatVaultUri ? { vaultUri: twin.vaultUrl } : {}),
    })),
  };
}
