// The outputs verify reads, as index.ts exports them, and a check that a bad --outputs is a usage error: shared by
// the verify input tests.
import { UsageError } from "../../../scripts/shared/cli";
import { UsageError as CliUsageError } from "../../../scripts/shared/cli";
import { parseOutputs } from "../../../scripts/verify/outputs";
import { verifyCli } from "../../../scripts/verify/cli";

export const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/dsvmlab-dev-rg/providers";
export const ESC = "\u001b";

export function seat(n: number, prefix = "dsvmlab", sub = SUB) {
  const vmName = `${prefix}-vm${n}`;
  return {
    seat: n,
    vmName,
    vmId: `${sub}/Microsoft.Compute/virtualMachines/${vmName}`,
    principalId: "11111111-2222-3333-4444-555555555555",
    privateIp: "10.42.1.4",
    vaultName: `${prefix}-kv-abc123`,
    vaultUri: `https://${prefix}-kv-abc123.vault.azure.net/`,
  };
}
/** A valid outputs object, as index.ts exports them (stack "dev", namePrefix "dsvmlab"). */
export function outputs(over: Record<string, unknown> = {}, seats = 2) {
  return {
    resourceGroupName: "dsvmlab-dev-rg",
    vaultName: "dsvmlab-kv-abc123",
    vaultUri: "https://dsvmlab-kv-abc123.vault.azure.net/",
    secretName: "SQLPasswd",
    storageAccountName: "dsvmlabstabc12345",
    storageAccountId: `${SUB}/Microsoft.Storage/storageAccounts/dsvmlabstabc12345`,
    blobEndpoint: "https://dsvmlabstabc12345.blob.core.windows.net/",
    os: "ubuntu",
    seatVms: Array.from({ length: seats }, (_, i) => seat(i + 1)),
    ...over,
  };
}

export const quiet = { stdout: { write: () => 0 }, stderr: { write: () => 0 } };
export async function usageError(argv: string[]): Promise<string> {
  const makeDeps = jest.fn();
  const err = await verifyCli(argv, quiet, makeDeps).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect(makeDeps).not.toHaveBeenCalled();
  return (err as Error).message;
}

/** The message parseOutputs throws, or "" when it accepts. */
export function refusal(o: unknown, testEndpoints?: Parameters<typeof parseOutputs>[2]): string {
  try {
    parseOutputs(o, "--outputs o.json", testEndpoints);
    return "";
  } catch (e) {
    expect(e).toBeInstanceOf(CliUsageError);
    return (e as Error).message;
  }
}
