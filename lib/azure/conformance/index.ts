// The conformance table: every Azure behaviour the lab relies on, one file per area.
import type { ConformanceEntry } from "./types";
import { TEARDOWN_CONFORMANCE } from "./teardown";
import { AUTHORIZATION_CONFORMANCE } from "./authorization";
import { DEPLOY_CONFORMANCE } from "./deploy";
import { KEYVAULT_CONFORMANCE } from "./keyvault";
import { IN_VM_CONFORMANCE } from "./in-vm";
import { LAB_CONFORMANCE } from "./lab";
import { POLICY_GATE_CONFORMANCE } from "./policy-gate";
import { CONFIG_CONFORMANCE } from "./config";

export type { ConformanceEntry, ConformanceSource } from "./types";

/** Every entry, in the order docs/conformance.md lists them. Each area's file adds its own. */
export const CONFORMANCE: readonly ConformanceEntry[] = [
  ...TEARDOWN_CONFORMANCE,
  ...AUTHORIZATION_CONFORMANCE,
  ...DEPLOY_CONFORMANCE,
  ...IN_VM_CONFORMANCE,
  ...KEYVAULT_CONFORMANCE,
  ...LAB_CONFORMANCE,
  ...POLICY_GATE_CONFORMANCE,
  ...CONFIG_CONFORMANCE,
];
