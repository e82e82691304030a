// A deployed lab's stack outputs, as `pulumi stack output --json` prints them: from a file (--outputs) or from the
// Pulumi CLI (--stack). Checked for the keys the operator scripts need, with messages that name what is wrong.
import { execFile } from "child_process";
import * as fs from "fs";
import { parseResourceId as parseArmId } from "../../lib/azure";
import { LabOutputs, SeatVmOutput, UntrustedOutputs } from "../../lib/outputs";
import { printable } from "../../lib/printable";
import { UsageError } from "../shared/cli";
import { LOOPBACK_SHAPES, MAX_SEATS, SHAPES, shown } from "./output-shapes";

/**
 * One seat as verify needs it: a subset of lib/outputs.ts's SeatVmOutput. The vault fields are absent in stacks from
 * before sharding.
 */
export type SeatOutput = Pick<SeatVmOutput, "seat" | "vmName" | "vmId"> & Partial<Pick<SeatVmOutput, "vaultUri" | "vaultName">>;

/**
 * The outputs operator scripts use: a subset of lib/outputs.ts's LabOutputs, so a renamed output fails tsc here.
 * `vaultName` is absent in stacks from before sharding, `os` in stacks from before Windows seats (all ubuntu).
 */
export type VerifyOutputs = Pick<LabOutputs, "resourceGroupName" | "vaultUri" | "secretName" | "storageAccountId" | "blobEndpoint"> &
  Partial<Pick<LabOutputs, "vaultName" | "os">> & { readonly seatVms: readonly SeatOutput[] };

const STRING_KEYS = [
  "resourceGroupName",
  "vaultUri",
  "secretName",
  "storageAccountId",
  "blobEndpoint",
] as const satisfies readonly (keyof VerifyOutputs)[];
/** At most this many problems are listed: a file with 4000 bad seats gets a readable message. */
const MAX_PROBLEMS = 20;

/**
 * Test-only: the twin's loopback vault and blob endpoints, and Azurite's fixed account standing in for the lab's
 * storage account. Injected by tests as an argument; the shipped commands never pass it, so no file can turn it on.
 */
export interface TestEndpoints {
  readonly loopback: true;
  /** The emulator's account name, accepted in place of PREFIXstXXXXXXXX. */
  readonly storageAccountName?: string;
}

/** How deep an outputs document may nest: the real one is 3 levels (object, seatVms, a seat). */
export const MAX_OUTPUTS_DEPTH = 8;

/** Whether `value` nests deeper than `limit`, walked without recursion (a hostile file may nest 200 000 deep). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > limit) return true;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The deepest nesting of [ and { in JSON text, counted without parsing (strings skipped), stopping past `limit`. */
export function jsonTextNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Validates parsed outputs: every name and id in the shape this program creates, at most MAX_SEATS seats, each seat
 * once, and all of one lab: one subscription, the outputs' resource group, one name prefix. `source` names where they
 * came from, for the message.
 */
export function parseOutputs(value: unknown, source: string, testEndpoints?: TestEndpoints): VerifyOutputs {
  if (nestsDeeperThan(value, MAX_OUTPUTS_DEPTH)) {
    throw new UsageError(
      `${source}: not the outputs of this project's stack:\n  - nested more than ${MAX_OUTPUTS_DEPTH} levels deep; the stack's outputs nest 3`,
    );
  }
  const problems: string[] = [];
  const o = (value && typeof value === "object" && !Array.isArray(value) ? value : {}) as UntrustedOutputs<VerifyOutputs>;
  if (o !== value) problems.push("expected a JSON object of stack outputs");
  const loopback = testEndpoints?.loopback === true;
  const check = (key: string, v: unknown, shape: { re: { test(v: string): boolean }; form: string }, twin?: { re: RegExp }) => {
    if (!shape.re.test(v as string) && !(loopback && twin?.re.test(v as string)))
      problems.push(`${key}: expected ${shape.form}, got ${shown(v)}`);
  };
  for (const key of STRING_KEYS) {
    if (typeof o[key] !== "string" || !o[key]) problems.push(`${key}: expected a non-empty string, got ${shown(o[key])}`);
    else check(key, o[key], SHAPES[key], (LOOPBACK_SHAPES as Record<string, { re: RegExp }>)[key]);
  }
  if (o.vaultName !== undefined) check("vaultName", o.vaultName, SHAPES.vaultName);
  const account = SHAPES.storageAccountId.re.exec(String(o.storageAccountId))?.[1];
  const blobAccount = (SHAPES.blobEndpoint.re.exec(String(o.blobEndpoint)) ??
    (loopback ? LOOPBACK_SHAPES.blobEndpoint.re.exec(String(o.blobEndpoint)) : null))?.[1];
  if (account && blobAccount && account.toLowerCase() !== blobAccount.toLowerCase()) {
    problems.push(`blobEndpoint: expected the blob endpoint of the account ${account} in storageAccountId, got ${shown(o.blobEndpoint)}`);
  }
  const seats = o.seatVms;
  if (!Array.isArray(seats) || seats.length === 0) {
    problems.push(`seatVms: expected a non-empty list of {seat, vmName, vmId}, got ${shown(seats)}`);
  } else if (seats.length > MAX_SEATS) {
    problems.push(`seatVms: expected at most ${MAX_SEATS} seats (a lab's limit), got ${seats.length}`);
  } else {
    const seen = new Set<number>();
    seats.forEach((s: UntrustedSeat, i) => {
      if (!Number.isInteger(s?.seat) || typeof s?.vmName !== "string" || typeof s?.vmId !== "string") {
        problems.push(
          `seatVms[${i}]: expected {seat: number, vmName: string, vmId: "/subscriptions/.../virtualMachines/NAME"}, got ${shown(s)}`,
        );
        return;
      }
      if (s.seat < 1 || s.seat > MAX_SEATS || seen.has(s.seat))
        problems.push(`seatVms[${i}].seat: expected a seat number from 1 to ${MAX_SEATS}, each once, got ${shown(s.seat)}`);
      seen.add(s.seat);
      const vmSeat = SHAPES.vmName.re.exec(s.vmName)?.[1];
      if (vmSeat === undefined) problems.push(`seatVms[${i}].vmName: expected ${SHAPES.vmName.form}, got ${shown(s.vmName)}`);
      else if (Number(vmSeat) !== s.seat)
        problems.push(`seatVms[${i}].vmName: expected the VM of seat ${s.seat} (PREFIX-vm${s.seat}), got ${shown(s.vmName)}`);
      const vmIdName = SHAPES.vmId.re.exec(s.vmId)?.[1];
      if (vmIdName === undefined || vmIdName.toLowerCase() !== s.vmName.toLowerCase())
        problems.push(`seatVms[${i}].vmId: expected ${SHAPES.vmId.form.replace("VMNAME", shown(s.vmName))}, got ${shown(s.vmId)}`);
      if (
        s.vaultUri !== undefined &&
        !(
          typeof s.vaultUri === "string" &&
          (SHAPES.vaultUri.re.test(s.vaultUri) || (loopback && LOOPBACK_SHAPES.vaultUri.re.test(s.vaultUri)))
        )
      ) {
        problems.push(`seatVms[${i}].vaultUri: expected the seat's vault URI, https://NAME.vault.azure.net/, got ${shown(s.vaultUri)}`);
      }
      if (s.vaultName !== undefined) check(`seatVms[${i}].vaultName`, s.vaultName, SHAPES.vaultName);
    });
  }
  if (o.os !== undefined && o.os !== "ubuntu" && o.os !== "windows") problems.push(`os: expected ubuntu or windows, got ${shown(o.os)}`);
  if (!problems.length) problems.push(...oneLab(o as unknown as VerifyOutputs, testEndpoints));
  if (problems.length) {
    const listed = problems.slice(0, MAX_PROBLEMS).map((p) => `  - ${p}`);
    if (problems.length > MAX_PROBLEMS) listed.push(`  - and ${problems.length - MAX_PROBLEMS} more`);
    throw new UsageError(`${source}: not the outputs of this project's stack:\n${listed.join("\n")}`);
  }
  return o as unknown as VerifyOutputs;
}

/** A seat as read: SeatOutput's keys only (a renamed field fails tsc), values checked one by one above. */
type UntrustedSeat = { readonly [K in keyof SeatOutput]?: any };

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether well-shaped outputs describe one lab as this program builds it: every id in one subscription and in the
 * outputs' resource group (PREFIX-STACK-rg, index.ts), and every name with one prefix: PREFIX-vmN (lib/naming.ts),
 * PREFIX-kv-XXXXXX (SecretVault), PREFIXstXXXXXXXX (StorageKeyAccess). A file mixing in another lab's or another
 * subscription's resources names what does not fit.
 */
export function oneLab(o: VerifyOutputs, testEndpoints?: TestEndpoints): string[] {
  const problems: string[] = [];
  const prefix = SHAPES.vmName.re.exec(o.seatVms[0].vmName) && o.seatVms[0].vmName.replace(/-vm\d+$/, "");
  if (!prefix) return [`seatVms[0].vmName: expected ${SHAPES.vmName.form}, got ${shown(o.seatVms[0].vmName)}`];
  const p = esc(prefix);
  if (!new RegExp(`^${p}-[a-z0-9]+(?:-[a-z0-9]+)*-rg$`).test(o.resourceGroupName) || o.resourceGroupName.length > prefix.length + 44) {
    problems.push(
      `resourceGroupName: expected ${SHAPES.labResourceGroup.form.replace("PREFIX", prefix)}, got ${shown(o.resourceGroupName)}`,
    );
  }
  const ids: [string, string][] = [
    ["storageAccountId", o.storageAccountId],
    ...o.seatVms.map((s, i): [string, string] => [`seatVms[${i}].vmId`, s.vmId]),
  ];
  const sub = parseResourceId(o.storageAccountId).subscriptionId.toLowerCase();
  for (const [key, id] of ids) {
    const r = parseResourceId(id);
    if (r.subscriptionId.toLowerCase() !== sub)
      problems.push(`${key}: expected a resource in the subscription of storageAccountId (${sub}), got ${shown(id)}`);
    // Resource group names are case-insensitive in ARM.
    else if (r.resourceGroup.toLowerCase() !== o.resourceGroupName.toLowerCase())
      problems.push(`${key}: expected a resource in resourceGroupName ${shown(o.resourceGroupName)}, got ${shown(id)}`);
  }
  o.seatVms.forEach((s, i) => {
    if (!s.vmName.startsWith(`${prefix}-vm`))
      problems.push(`seatVms[${i}].vmName: expected ${prefix}-vm${s.seat} (one prefix for the whole lab), got ${shown(s.vmName)}`);
  });
  const vaultName = new RegExp(`^${p}-kv-[a-z0-9]{6}$`);
  const vaultNames: [string, string | undefined][] = [
    ["vaultName", o.vaultName],
    ["vaultUri", vaultHostName(o.vaultUri)],
    ...o.seatVms.flatMap((s, i): [string, string | undefined][] => [
      [`seatVms[${i}].vaultName`, s.vaultName],
      [`seatVms[${i}].vaultUri`, s.vaultUri && vaultHostName(s.vaultUri)],
    ]),
  ];
  for (const [key, name] of vaultNames) {
    if (name !== undefined && !vaultName.test(name))
      problems.push(`${key}: expected the vault ${SHAPES.labVaultName.form.replace("PREFIX", prefix)}, got ${shown(name)}`);
  }
  const account = parseResourceId(o.storageAccountId).name;
  if (
    !new RegExp(`^${p}st[a-z0-9]{8}$`).test(account) &&
    !(testEndpoints?.storageAccountName !== undefined && account === testEndpoints.storageAccountName)
  ) {
    problems.push(
      `storageAccountId: expected the account ${SHAPES.labStorageAccount.form.replace("PREFIX", prefix)}, got ${shown(account)}`,
    );
  }
  return problems;
}

/** NAME of https://NAME.vault.azure.net/ (any cloud); undefined for anything else (the test twin's loopback). */
export function vaultHostName(uri: string): string | undefined {
  return SHAPES.vaultUri.re.test(uri) ? /^https:\/\/([^./]+)\./i.exec(uri)?.[1]?.toLowerCase() : undefined;
}

/** The most an outputs file may hold. The largest lab's (MAX_SEATS seats, pretty-printed) is about half of it. */
export const MAX_OUTPUTS_BYTES = 4 * 1024 * 1024;
const FILE_FORM = "expected the file that `pulumi stack output --json > FILE` writes";

/**
 * Reads and validates an outputs file. Only a regular file of at most MAX_OUTPUTS_BYTES: a device (/dev/zero), a pipe
 * or a directory is refused without reading from it (opened non-blocking, so not even a FIFO can hold it up).
 */
export function readOutputsFile(file: string, testEndpoints?: TestEndpoints): VerifyOutputs {
  const name = `--outputs ${printable(file)}`;
  let text: string;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0));
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${name}: not a regular file (a device, pipe or directory); ${FILE_FORM}`);
    if (st.size > MAX_OUTPUTS_BYTES)
      throw new UsageError(
        `${name}: ${st.size} bytes, more than the ${MAX_OUTPUTS_BYTES / 1024 / 1024} MiB an outputs file may hold; ${FILE_FORM}`,
      );
    const buf = Buffer.alloc(MAX_OUTPUTS_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buf.length; length += n) n = fs.readSync(fd, buf, length, buf.length - length, null);
    if (length > MAX_OUTPUTS_BYTES)
      throw new UsageError(`${name}: more than the ${MAX_OUTPUTS_BYTES / 1024 / 1024} MiB an outputs file may hold; ${FILE_FORM}`);
    text = buf.subarray(0, length).toString("utf8");
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${name}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ${FILE_FORM}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (jsonTextNestsDeeperThan(text, MAX_OUTPUTS_DEPTH))
    throw new UsageError(`${name}: nested more than ${MAX_OUTPUTS_DEPTH} levels deep (the stack's outputs nest 3); ${FILE_FORM}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${name}: not JSON; ${FILE_FORM}`);
  }
  return parseOutputs(parsed, name, testEndpoints);
}

/** Runs `pulumi stack output --json --stack NAME` (never --show-secrets: the scripts need nothing secret). */
export async function readStackOutputs(stack: string, testEndpoints?: TestEndpoints): Promise<VerifyOutputs> {
  if (!/^[A-Za-z0-9_./-]+$/.test(stack))
    throw new UsageError(`--stack ${JSON.stringify(stack)}: expected a stack name such as dev or org/project/dev`);
  const text = await new Promise<string>((resolve, reject) =>
    execFile(
      "pulumi",
      ["stack", "output", "--json", "--stack", stack],
      { maxBuffer: MAX_OUTPUTS_BYTES, env: process.env },
      (err, stdout, stderr) => {
        if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT") {
          reject(
            new Error("the pulumi CLI is not on PATH: install it, or pass --outputs FILE (written by `pulumi stack output --json > FILE`)"),
          );
        } else if (err) {
          reject(new Error(`pulumi stack output --stack ${stack} failed: ${printable(stderr.trim() || err.message, true)}`));
        } else resolve(stdout);
      },
    ),
  );
  if (jsonTextNestsDeeperThan(text, MAX_OUTPUTS_DEPTH))
    throw new UsageError(`stack ${stack}: its outputs nest more than ${MAX_OUTPUTS_DEPTH} levels deep (this project's nest 3)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`pulumi stack output --json --stack ${stack} printed something that is not JSON`);
  }
  return parseOutputs(parsed, `stack ${stack}`, testEndpoints);
}

/** Subscription and resource group of a resource id. */
export function parseResourceId(id: string): { subscriptionId: string; resourceGroup: string; name: string } {
  const m = parseArmId(id);
  if (!m) throw new UsageError(`${JSON.stringify(id)}: expected an Azure resource id /subscriptions/ID/resourceGroups/RG/providers/...`);
  return { subscriptionId: m.subscriptionId, resourceGroup: m.resourceGroup, name: m.names[m.names.length - 1] };
}
