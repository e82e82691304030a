// `npm run verify`: from the operator's machine, seed the canary secret with a fresh value, run the in-VM probe on
// every seat in parallel through ARM run command, check that each VM read back its own write, and report seat x check.
// The operator never calls a vault's data plane: its firewall (defaultAction Deny, bypass None) refuses any address
// not in operatorIpRanges, and a GitHub-hosted runner can never be listed. The canary goes in through ARM (a
// Microsoft.KeyVault/vaults/secrets PUT, control plane, outside the firewall) and the read-back happens inside the seat.
// Azure endpoints and the credential are injected (VerifyDeps), so tests run all of it against the local twin.
import { randomBytes } from "crypto";
import type { TokenCredential } from "@azure/core-auth";
import type { ComputeManagementClientOptionalParams } from "@azure/arm-compute";
import { PUBLIC_CLOUD, RETIRED_VAULT_DNS_SUFFIXES, suffixAlternation, VAULT_DNS_SUFFIXES } from "../../lib/azure";
import { UsageError } from "../shared/cli";
import { VerifyOutputs, parseResourceId, SeatOutput } from "./outputs";
import { checkOwnership } from "./ownership";
import { describeValue, fingerprint } from "../../lib/fingerprint";
import { CheckResult, PROBE_CHECKS, probeArgs } from "../../probe/contract";
import { parseProbeReport, runCommandStreams } from "../../probe/report";
import { probeRunCommand } from "../../probe/run-command";

/** What verify reports per seat: the run command itself, the probe's checks, and the read-back of the VM's write. */
export const VERIFY_CHECKS = ["run-command", ...PROBE_CHECKS, "set-readback"] as const;

export interface VerifyDeps {
  /** Who the operator is. Default: DefaultAzureCredential. */
  readonly credential: TokenCredential;
  /** ARM endpoint. Default: https://management.azure.com. */
  readonly armEndpoint?: string;
  /** Extra pipeline policies for every Azure client (tests: trust the twin's CA). */
  readonly additionalPolicies?: ComputeManagementClientOptionalParams["additionalPolicies"];
  /** How often run command polls. Default: the SDK's (2 s). */
  readonly pollIntervalMs?: number;
  /** How often a "still waiting" line goes to stderr. Default 15 s. */
  readonly progressEveryMs?: number;
}

export interface VerifyOptions {
  /** Seat numbers to check; all when absent. */
  readonly seats?: readonly number[];
  /** Passed to the probe: how long it keeps retrying while grants propagate. */
  readonly deadlineSeconds: number;
  /** The stack the outputs came from (--stack): the lab tag on its vaults and VMs must name it. */
  readonly stack?: string;
}

export interface SeatResult {
  readonly seat: number;
  readonly vmName: string;
  /** The vault this seat was checked against: its own shard's. */
  readonly vaultUri: string;
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly secretName: string;
  readonly vaultUri: string;
  readonly seats: readonly SeatResult[];
}

export interface Io {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
}

/** How a value is shown: length and a short hash, never the value (the probe's own format). */
export { describeValue };

const check = (
  name: string,
  ok: boolean,
  detail: string,
  status: CheckResult["status"] = ok ? "passed" : "failed",
  seconds = 0,
): CheckResult => ({
  name,
  ok,
  status,
  detail,
  attempts: status === "skipped" ? 0 : 1,
  seconds,
});

/** A seat's own vault: its `vaultUri` output, or the lab's single vault for stacks deployed before sharding. */
export function seatVaultUri(outputs: VerifyOutputs, s: SeatOutput): string {
  return s.vaultUri ?? outputs.vaultUri;
}

/** Key Vault's rule for a vault name (Secrets_CreateOrUpdate's vaultName pattern, 3-24 characters). */
const VAULT_NAME = /^[a-zA-Z0-9-]{3,24}$/;
/** `https://NAME.<vault suffix>/` in any cloud, the retired Azure Germany's too. */
const VAULT_HOST = new RegExp(
  `^https://([^./]+)\\.(?:${suffixAlternation([...VAULT_DNS_SUFFIXES, ...RETIRED_VAULT_DNS_SUFFIXES])})(:443)?/?$`,
  "i",
);

/**
 * A seat's vault name, which the ARM PUT needs: its `vaultName` output, the lab's for a seat on the first vault, or
 * the first label of the vault's host (NAME.vault.azure.net, and the other clouds' vault domains).
 */
export function seatVaultName(outputs: VerifyOutputs, s: SeatOutput): string {
  const uri = seatVaultUri(outputs, s);
  const fromHost = VAULT_HOST.exec(uri)?.[1];
  const name = s.vaultName ?? (uri === outputs.vaultUri ? outputs.vaultName : undefined) ?? fromHost;
  if (name === undefined || !VAULT_NAME.test(name)) {
    throw new UsageError(
      `seatVms (seat ${s.seat}): cannot tell the name of its vault ${JSON.stringify(uri)}${name === undefined ? "" : ` (got ${JSON.stringify(name)})`}; ` +
        "expected a vaultName output of 3-24 letters, digits and hyphens, or a vault URI https://NAME.vault.azure.net/",
    );
  }
  return name;
}

export function selectSeats(outputs: VerifyOutputs, wanted?: readonly number[]): SeatOutput[] {
  if (!wanted) return [...outputs.seatVms];
  const have = outputs.seatVms.map((s) => s.seat);
  const missing = wanted.filter((n) => !have.includes(n));
  if (missing.length)
    throw new UsageError(`--seats ${wanted.join(",")}: no seat ${missing.join(", ")} in this stack; its seats are ${have.join(", ")}`);
  return outputs.seatVms.filter((s) => wanted.includes(s.seat));
}

export async function runVerify(outputs: VerifyOutputs, opts: VerifyOptions, deps: VerifyDeps, io: Io): Promise<VerifyReport> {
  const seats = selectSeats(outputs, opts.seats);
  const progress = (line: string) => io.stderr.write(`verify: ${line}\n`);
  const { KeyVaultManagementClient } = await import("@azure/arm-keyvault");
  const { ComputeManagementClient } = await import("@azure/arm-compute");
  // A large lab spreads its seats over several vaults (lib/shards.ts): each seat is checked against its own.
  const vaults = new Map(seats.map((s) => [seatVaultUri(outputs, s), seatVaultName(outputs, s)]));
  const { subscriptionId } = parseResourceId(seats[0].vmId);
  // Nothing is written and nothing run until ARM confirms every vault and VM is this lab's.
  await checkOwnership(outputs, new Map([...vaults].map(([uri, name]) => [name, uri])), seats, deps, opts.stack);
  progress(`ARM confirms ${vaults.size} vault(s) and ${seats.length} VM(s) are this lab's`);

  // A fresh canary value per run: a VM that reports reading it proves it read the vault now, not a cache.
  const canary = randomBytes(24).toString("base64url");
  // ARM's audience whatever the endpoint, as the compute client asks for (a test endpoint is no audience).
  const arm = new KeyVaultManagementClient(deps.credential, subscriptionId, {
    endpoint: deps.armEndpoint,
    credentials: { scopes: [PUBLIC_CLOUD.armScope] },
    additionalPolicies: deps.additionalPolicies,
  });
  await Promise.all(
    [...vaults].map(async ([uri, name]) => {
      try {
        await arm.secrets.createOrUpdate(outputs.resourceGroupName, name, outputs.secretName, {
          properties: { value: canary, contentType: "text/plain" },
          tags: { seededBy: "dsvm-identity-lab verify" },
        });
      } catch (e) {
        throw new Error(
          `could not seed the canary secret ${outputs.secretName} in vault ${name} (${uri}) through ARM: ${(e as Error).message}`,
          { cause: e },
        );
      }
    }),
  );
  progress(
    `seeded ${outputs.secretName} with a fresh value (${describeValue(canary)}) through ARM${vaults.size > 1 ? ` in ${vaults.size} vaults` : ""}`,
  );

  const runId = randomBytes(6).toString("hex");
  const started = Date.now();
  const waiting = new Set(seats.map((s) => `seat ${s.seat}`));
  const ticker = setInterval(
    () => progress(`waiting for ${[...waiting].join(", ")} (${Math.round((Date.now() - started) / 1000)}s)`),
    deps.progressEveryMs ?? 15000,
  );
  try {
    const results = await Promise.all(
      seats.map(async (s) => {
        const vaultUri = seatVaultUri(outputs, s);
        const r = await verifySeat(s, {
          outputs,
          opts,
          deps,
          canary,
          nonce: `verify-${runId}-seat${s.seat}`,
          vaultUri,
          Compute: ComputeManagementClient,
          progress,
        });
        waiting.delete(`seat ${s.seat}`);
        const failed = r.checks.filter((c) => !passed(c)).map((c) => c.name);
        progress(
          `seat ${s.seat} (${s.vmName}): ${failed.length ? `FAILED ${failed.join(", ")}` : "every check passed"} (${Math.round((Date.now() - started) / 1000)}s)`,
        );
        return r;
      }),
    );
    return { ok: results.every((r) => r.ok), secretName: outputs.secretName, vaultUri: outputs.vaultUri, seats: results };
  } finally {
    clearInterval(ticker);
  }
}

interface SeatContext {
  readonly outputs: VerifyOutputs;
  readonly opts: VerifyOptions;
  readonly deps: VerifyDeps;
  readonly canary: string;
  readonly nonce: string;
  /** This seat's vault. */
  readonly vaultUri: string;
  readonly Compute: typeof import("@azure/arm-compute").ComputeManagementClient;
  readonly progress: (line: string) => void;
}

async function verifySeat(s: SeatOutput, c: SeatContext): Promise<SeatResult> {
  const t0 = Date.now();
  const secs = () => Math.round((Date.now() - t0) / 10) / 100;
  const done = (checks: CheckResult[]): SeatResult => ({
    seat: s.seat,
    vmName: s.vmName,
    vaultUri: c.vaultUri,
    ok: checks.every(passed),
    checks,
  });
  const skipRest = (why: string) => PROBE_CHECKS.map((n) => check(n, false, `skipped: ${why}`, "skipped"));

  let stdout: string;
  let stderr: string;
  let state: string;
  try {
    const { subscriptionId, resourceGroup } = parseResourceId(s.vmId);
    const compute = new c.Compute(c.deps.credential, subscriptionId, {
      endpoint: c.deps.armEndpoint,
      additionalPolicies: c.deps.additionalPolicies,
    });
    const args = probeArgs({ ...c.outputs, vaultUri: c.vaultUri, nonce: c.nonce, deadlineSeconds: c.opts.deadlineSeconds });
    c.progress(`seat ${s.seat} (${s.vmName}): run command started`);
    // Windows seats run vm-probe.ps1 with PowerShell; everything after is the same (same JSON).
    const poller = compute.virtualMachines.runCommand(resourceGroup, s.vmName, probeRunCommand(c.outputs.os ?? "ubuntu", args), {
      updateIntervalInMs: c.deps.pollIntervalMs,
    });
    ({ stdout, stderr, state } = runCommandStreams((await poller.pollUntilDone()).value));
  } catch (e) {
    return done([
      check("run-command", false, `run command on ${s.vmName} failed: ${(e as Error).message}`, "failed", secs()),
      ...skipRest("run-command failed"),
      check("set-readback", false, "skipped: run-command failed", "skipped"),
    ]);
  }
  // Never trust the state alone: run command says "succeeded" even when the script failed (azure-cli #14425).
  const report = parseProbeReport(stdout);
  if (!report) {
    const tail = stderr.trim().split("\n").slice(-3).join(" | ").slice(-300);
    return done([
      check(
        "run-command",
        false,
        `no probe report in the run command's stdout (state: ${state}, which says nothing about the script); stderr: ${tail || "(empty)"}`,
        "failed",
        secs(),
      ),
      ...skipRest("the probe's report is missing"),
      check("set-readback", false, "skipped: the probe's report is missing", "skipped"),
    ]);
  }
  const checks: CheckResult[] = [check("run-command", true, `${state}; the probe's report read from stdout`, "passed", secs())];
  for (const pc of report.checks) {
    // A report whose ok and status disagree proves nothing either way: it is a failure.
    if (pc.ok !== (pc.status === "passed")) {
      checks.push({
        ...pc,
        ok: false,
        status: "failed",
        detail: `the VM's report was inconsistent (ok ${pc.ok}, status ${pc.status}): ${pc.detail}`,
      });
      continue;
    }
    // The VM must have read the value seeded a moment ago, not some other secret or version.
    if (pc.name === "secret-get" && pc.ok && !pc.detail.includes(`sha256 ${fingerprint(c.canary)}`)) {
      checks.push({
        ...pc,
        ok: false,
        status: "failed",
        detail: `${pc.detail}: not the value verify just seeded (${describeValue(c.canary)})`,
      });
    } else checks.push(pc);
  }
  checks.push(
    setReadback(
      checks.find((x) => x.name === "secret-set")!,
      `${c.outputs.secretName}-probe`,
      c.nonce,
    ),
  );
  return done(checks);
}

/** A check passes only when it says so twice: ok true and status passed. */
export const passed = (c: CheckResult) => c.ok === true && c.status === "passed";

/**
 * The VM's own read-back of its write: secret-set reports the version it wrote and the hash of the value it read back
 * from that version; this seat's nonce must have that hash. Done inside the seat: the operator's data-plane read would
 * be refused by the vault's firewall.
 */
export function setReadback(set: CheckResult, name: string, nonce: string): CheckResult {
  if (!passed(set)) return check("set-readback", false, "skipped: secret-set failed", "skipped");
  const m = /\bversion ([0-9a-f]{32}): .*; read back: (\d+) chars, sha256 ([0-9a-f]{8})$/.exec(set.detail);
  if (!m)
    return check("set-readback", false, `secret-set did not report the version of ${name} it wrote and the hash it read back from it`);
  const [, version, length, hash] = m;
  const same = Number(length) === nonce.length && hash === fingerprint(nonce);
  return check(
    "set-readback",
    same,
    same
      ? `the VM read back ${name} version ${version}: this seat's nonce (${describeValue(nonce)})`
      : `the VM read back ${name} version ${version}: ${length} chars, sha256 ${hash}, not this seat's nonce (${describeValue(nonce)})`,
  );
}
