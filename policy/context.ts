// The policy context: the lab's own config, from which the allow-lists are built. The offline plan reads it from the
// stack's config; the pack from its policy config (the same keys), or from the resources' tags for `ephemeral`.
import { validateConfig } from "../lib/config";
import { LAB_TAG } from "../lib/lifecycle";
import type { PolicyContext, PolicyResourceView } from "./engine";

/** Whether resources say the stack is ephemeral (tag `ephemeral: "true"`): the pack's fallback when no config says. */
export function ephemeralByTags(resources: readonly PolicyResourceView[]): boolean {
  return resources.some((r) => r.inputs.tags?.[LAB_TAG.ephemeral] === "true");
}

const jsonList = (v: string | undefined) => {
  try {
    const parsed = JSON.parse(v ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
};

/**
 * The context of a stack's config (values as the CLI hands them over: strings, JSON), with the config's defaults.
 * `deployerObjectId` is who runs `pulumi up`, which config does not say: the offline gate knows its mock client.
 * A config that does not validate still gives a context, of only what it literally says (so nothing extra is allowed).
 */
export function contextFromConfig(raw: Readonly<Record<string, string | undefined>>, deployerObjectId?: string): PolicyContext {
  const deployer = deployerObjectId ? { deployerObjectId } : {};
  try {
    const c = validateConfig(raw);
    return {
      ephemeral: c.ephemeral,
      allowedSshCidrs: c.allowedSshCidrs,
      operatorObjectIds: c.operatorObjectIds,
      operatorIpRanges: c.operatorIpRanges,
      ...(c.labUsersGroupObjectId ? { labUsersGroupObjectId: c.labUsersGroupObjectId } : {}),
      subnetPrefix: c.subnetPrefix,
      os: c.os,
      listKeysRole: c.listKeysRole,
      checkOnDeploy: c.checkOnDeploy,
      bastion: c.bastion,
      seats: c.seats,
      seatsPerVault: c.seatsPerVault,
      ...(c.sshPublicKey ? { sshPublicKey: c.sshPublicKey } : {}),
      ...deployer,
    };
  } catch {
    return { ...literal(raw), ...deployer };
  }
}

/**
 * Only what a partial config literally says (the pack may get a stack's file without Pulumi.yaml's defaults): a key
 * that is absent stays absent, and the rules then allow nothing that needs it.
 */
function literal(raw: Readonly<Record<string, string | undefined>>): PolicyContext {
  const text = (k: string) => (raw[k] !== undefined && raw[k] !== "" ? raw[k] : undefined);
  const int = (k: string) => (text(k) !== undefined && /^\d+$/.test(text(k)!) ? Number(text(k)) : undefined);
  const oneOf = <T extends string>(k: string, values: readonly T[]) => values.find((v) => v === text(k));
  const fields: Record<string, unknown> = {
    ephemeral: raw.ephemeral === "true",
    allowedSshCidrs: jsonList(raw.allowedSshCidrs),
    operatorObjectIds: jsonList(raw.operatorObjectIds),
    operatorIpRanges: jsonList(raw.operatorIpRanges),
    labUsersGroupObjectId: text("labUsersGroupObjectId")?.toLowerCase(),
    subnetPrefix: text("subnetPrefix"),
    os: oneOf("os", ["ubuntu", "windows"] as const),
    listKeysRole: oneOf("listKeysRole", ["custom", "builtin"] as const),
    checkOnDeploy: raw.checkOnDeploy === undefined ? undefined : raw.checkOnDeploy === "true",
    bastion: raw.bastion === "true",
    seats: int("seats"),
    seatsPerVault: int("seatsPerVault"),
    sshPublicKey: text("sshPublicKey")?.trim(),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as unknown as PolicyContext;
}
