// The probe's contract, as the operator side and the twin see it: its checks in order, its report, its flags. The
// probes themselves (probe/vm-probe.py, probe/vm-probe.ps1) hold the same names; tests/probe/ checks they agree.

/** The probe's checks, in the order it runs and reports them. */
export const PROBE_CHECKS = [
  "vault-token",
  "secret-get",
  "secret-set",
  "secret-list-denied",
  "arm-token",
  "storage-listkeys",
  "storage-data",
] as const;
export type ProbeCheckName = (typeof PROBE_CHECKS)[number];

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly status: "passed" | "failed" | "skipped";
  readonly detail: string;
  readonly attempts: number;
  readonly seconds: number;
}

export interface ProbeReport {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

/** What the probe is pointed at: the lab's vault, canary secret and storage account. */
export interface ProbeTarget {
  readonly vaultUri: string;
  readonly secretName: string;
  readonly storageAccountId: string;
  readonly blobEndpoint: string;
  readonly nonce?: string;
  readonly deadlineSeconds?: number;
}

export function probeArgs(t: ProbeTarget): string[] {
  return [
    "--vault-uri",
    t.vaultUri,
    "--secret",
    t.secretName,
    "--storage-account-id",
    t.storageAccountId,
    "--blob-endpoint",
    t.blobEndpoint,
    ...(t.nonce !== undefined ? ["--nonce", t.nonce] : []),
    ...(t.deadlineSeconds !== undefined ? ["--deadline-seconds", String(t.deadlineSeconds)] : []),
  ];
}

/** `--vault-uri` -> `VaultUri`: the PowerShell parameter vm-probe.ps1 takes for each of the Python probe's flags. */
export function psParameterName(flag: string): string {
  return flag
    .split("-")
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

/** The probe's flags, each taking one value; on Windows each is also a named parameter (psParameterName). */
export const PROBE_FLAGS = ["--vault-uri", "--secret", "--storage-account-id", "--blob-endpoint", "--nonce", "--deadline-seconds"] as const;
