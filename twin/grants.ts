// The lab's grants on the twin, as the program makes them: what tests and `npm run bench` start verify from.
import type { Identity } from "./imds";
import type { AzureTwin } from "./twin";

/**
 * A fresh twin state with the canary seeded: the operator may send run commands and write secrets through ARM (and,
 * unless `operatorPolicy` is false, has a data-plane policy, which the vault's firewall keeps it from using); each
 * seat gets secret get+set and storage listKeys.
 */
export function grantLab(
  twin: AzureTwin,
  operator: Identity,
  seats: readonly Identity[],
  secretName: string,
  opts: { operatorPolicy?: boolean } = {},
): void {
  twin.reset();
  twin.seedSecret(secretName, "value-from-pulumi");
  if (opts.operatorPolicy ?? true) twin.setPolicy(operator.principalId, ["get", "list", "set", "delete"]);
  twin.grantRunCommand(operator.principalId);
  twin.grantSecretsWrite(operator.principalId);
  for (const s of seats) {
    twin.setPolicy(s.principalId, ["get", "set"]);
    twin.grantListKeys(s.principalId);
  }
}
