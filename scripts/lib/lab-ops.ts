// The lab CLI's orchestration: Pulumi's Automation API on the project directory (stacks `lab-NAME`), and the Key
// Vault purge client. Every decision comes from lab-plan.ts; this file only carries them out, and says what it does.
import { LocalWorkspace, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { ConfigError, PROJECT, validateConfig } from "../../lib/config";
import { expiresAt } from "../../lib/lifecycle";
import {
  createConfig,
  decideReap,
  decodeVaults,
  DeletedVault,
  destroyRefusal,
  encodeVaults,
  formatLabList,
  labInfo,
  LAB_STACK_PREFIX,
  parseConfigPairs,
  parseSeats,
  parseTtl,
  STACK_TAG,
  StackFacts,
  VaultRef,
  vaultsInState,
  vaultsToPurge,
} from "./lab-plan";
import { UsageError } from "./cli";
import { readStackConfig } from "./stack-config";

/** Purges soft-deleted Key Vaults. The CLI uses Azure's (lab-azure.ts); tests inject a recorder. */
export interface VaultPurger {
  /** The soft-deleted vaults of a subscription, with the tags they had. */
  listDeleted(subscriptionId: string): Promise<DeletedVault[]>;
  /** Purges one soft-deleted vault and waits for the long-running operation. "absent": nothing to purge. */
  purge(vault: VaultRef): Promise<"purged" | "absent">;
}

export interface LabDeps {
  /** The Pulumi project directory (Pulumi.yaml). */
  readonly projectDir: string;
  readonly purger: VaultPurger;
  /** Runs `npm run verify -- --stack STACK` and resolves to its exit code. */
  readonly verify: (stack: string) => Promise<number>;
  /** One line of what the CLI decides and does. */
  readonly log: (line: string) => void;
  /** Engine output of `up` and `destroy`, streamed as it comes. */
  readonly stream: (text: string) => void;
  readonly now: () => Date;
  /** Owner of new labs unless --config owner=... says otherwise. */
  readonly defaultOwner: string;
  /** Subscription to search for deleted vaults tagged as the lab's, besides those recorded (AZURE_SUBSCRIPTION_ID). */
  readonly subscriptionId?: string;
  /** How often a long wait says it is still waiting. Default 30 s. */
  readonly progressEveryMs?: number;
}

/** A command that ran and must not go on (exit 1, no stack trace). */
export class LabRefusal extends Error {
  override name = "LabRefusal";
}

/** Awaits `work`, saying every `everyMs` that it is still running and how long it has been. */
export async function withProgress<T>(label: string, work: Promise<T>, log: (line: string) => void, everyMs = 30_000): Promise<T> {
  const started = Date.now();
  const timer = setInterval(() => log(`${label}: still running (${Math.round((Date.now() - started) / 1000)}s)`), everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

async function workspace(deps: LabDeps): Promise<LocalWorkspace> {
  try {
    return await LocalWorkspace.create({ workDir: deps.projectDir });
  } catch (e) {
    if (/ENOENT/.test(String((e as Error)?.message))) {
      throw new LabRefusal("the Pulumi CLI is not on PATH: install it (https://www.pulumi.com/docs/install/) and log in to your backend");
    }
    throw e;
  }
}

/** The stack's outputs (values only) and stack tags. */
async function readFacts(ws: LocalWorkspace, stack: string): Promise<StackFacts> {
  const outputs = Object.fromEntries(Object.entries(await ws.stackOutputs(stack)).map(([k, v]) => [k, v.value]));
  return { stack, outputs, tags: await ws.listTags(stack) };
}

/** `create NAME --ttl 8h [--seats N] [--config k=v ...]`: everything is checked before the backend is touched. */
export async function createLab(
  stack: string,
  flags: { ttl?: string; seats?: string; config: readonly string[] },
  deps: LabDeps,
): Promise<number> {
  const ttl = parseTtl(flags.ttl);
  const values = createConfig({ ttl, seats: parseSeats(flags.seats), pairs: parseConfigPairs(flags.config), owner: deps.defaultOwner, now: deps.now() });
  // What the program will see: Pulumi.yaml defaults, the stack's file if it has one, then these values.
  try {
    validateConfig({ ...readStackConfig(deps.projectDir, stack, { allowMissing: true }), ...values });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new UsageError(`${e.message}\nlab create sets config with --config key=value, e.g. --config sshPublicKey="$(cat ~/.ssh/id_ed25519.pub)"`);
  }
  if (ttl.note) deps.log(ttl.note);
  const expiry = expiresAt(values.createdAt, ttl.hours);

  const ws = await workspace(deps);
  const s = await Stack.createOrSelect(stack, ws);
  // Tags first: if `up` dies before the program exports its outputs, the reaper still knows the lab expires.
  await ws.setTag(stack, STACK_TAG.ephemeral, "true");
  await ws.setTag(stack, STACK_TAG.expiresAt, expiry);
  await ws.setTag(stack, STACK_TAG.owner, values.owner);
  await s.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, { value: v }])));
  deps.log(`${stack}: pulumi up (owner ${values.owner}, expires ${expiry}); this takes several minutes`);
  await withProgress(`${stack}: up`, s.up({ onOutput: deps.stream }), deps.log, deps.progressEveryMs);
  deps.log(`${stack}: up done; running npm run verify -- --stack ${stack}`);
  const code = await deps.verify(stack);
  if (code !== 0) {
    deps.log(`${stack}: verify failed (exit ${code}); the lab is up and expires ${expiry}`);
    return 1;
  }
  deps.log(`${stack}: ready and verified; expires ${expiry}. Tear it down early with: npm run lab -- destroy ${stack.slice(LAB_STACK_PREFIX.length)}`);
  return 0;
}

/** Purges the lab's soft-deleted vaults: those recorded, and any deleted vault still tagged as the lab's. */
async function purgeVaults(stack: string, recorded: readonly VaultRef[], deps: LabDeps): Promise<number> {
  const subscriptions = new Set([...recorded.map((v) => v.subscriptionId), ...(deps.subscriptionId ? [deps.subscriptionId] : [])]);
  const deleted: DeletedVault[] = [];
  for (const sub of subscriptions) deleted.push(...(await deps.purger.listDeleted(sub)));
  const short = stack.split("/").pop()!;
  let purged = 0;
  for (const vault of vaultsToPurge(short, recorded, deleted)) {
    const result = await withProgress(`${stack}: purging vault ${vault.name}`, deps.purger.purge(vault), deps.log, deps.progressEveryMs);
    deps.log(result === "purged" ? `${stack}: vault ${vault.name} purged (its secrets are gone and its name is free)` : `${stack}: vault ${vault.name} already purged`);
    if (result === "purged") purged++;
  }
  return purged;
}

/**
 * `destroy NAME`: destroy, purge the vaults, remove the stack. The vaults to purge are recorded in a stack tag before
 * anything is deleted, so a destroy that dies half-way is finished by the next `destroy` or `reap`, from any machine.
 */
export async function destroyLab(stack: string, deps: LabDeps): Promise<void> {
  const ws = await workspace(deps);
  let s: Stack;
  try {
    s = await Stack.select(stack, ws);
  } catch (e) {
    if (!(e instanceof StackNotFoundError)) throw e;
    const purged = await purgeVaults(stack, [], deps);
    deps.log(`${stack}: no such stack: nothing to destroy${purged ? `; purged ${purged} leftover vault(s)` : ""}. Done.`);
    return;
  }
  const facts = await readFacts(ws, stack);
  const refusal = destroyRefusal(facts);
  if (refusal) throw new LabRefusal(refusal);

  const recorded = decodeVaults(facts.tags[STACK_TAG.purge]);
  const vaults = [...recorded, ...vaultsInState(await s.exportStack()).filter((v) => !recorded.some((r) => r.name === v.name))];
  await ws.setTag(stack, STACK_TAG.purge, encodeVaults(vaults));
  deps.log(
    `${stack}: ${recorded.length ? "finishing an unfinished destroy" : "destroying"}; vaults to purge afterwards: ${vaults.map((v) => v.name).join(", ") || "none"}`,
  );
  try {
    await withProgress(`${stack}: destroy`, s.destroy({ onOutput: deps.stream }), deps.log, deps.progressEveryMs);
  } catch (e) {
    throw new LabRefusal(
      `${stack}: pulumi destroy failed: ${firstLine(e)}\nThe vaults to purge are recorded on the stack; run destroy again (or let reap finish it).`,
    );
  }
  const purged = await purgeVaults(stack, vaults, deps);
  await ws.removeStack(stack);
  deps.log(`${stack}: destroyed, ${purged} vault(s) purged, stack removed. Done.`);
}

function firstLine(e: unknown): string {
  const text = String((e as Error)?.message ?? e);
  const line = text.split("\n").find((l) => /error/i.test(l)) ?? text.split("\n")[0];
  return line.trim().slice(0, 300);
}

/** The `lab-*` stacks of the project, with what the CLI knows of each. */
async function labFacts(ws: LocalWorkspace): Promise<StackFacts[]> {
  const names = (await ws.listStacks()).map((s) => s.name).filter((n) => n.split("/").pop()!.startsWith(LAB_STACK_PREFIX));
  const out: StackFacts[] = [];
  for (const name of names) out.push(await readFacts(ws, name));
  return out;
}

/** `list`: the lab stacks with owner, seats and expiry; expired ones marked. */
export async function listLabs(deps: LabDeps): Promise<string> {
  const facts = await labFacts(await workspace(deps));
  return formatLabList(facts.map(labInfo), deps.now());
}

/** `reap [--dry-run | --yes]`: decides for every lab stack, logs why, and acts only with `yes`. */
export async function reapLabs(yes: boolean, deps: LabDeps): Promise<number> {
  const decisions = decideReap(await labFacts(await workspace(deps)), deps.now());
  if (decisions.length === 0) deps.log("reap: no lab stacks (lab-*)");
  for (const d of decisions) deps.log(`reap: ${d.stack}: ${d.action === "keep" ? "keep" : yes ? d.action : `would ${d.action}`}: ${d.reason}`);
  if (!yes) {
    deps.log("reap: dry run (the default); nothing was changed. Pass --yes to act.");
    return 0;
  }
  let failures = 0;
  for (const d of decisions.filter((x) => x.action !== "keep")) {
    try {
      await destroyLab(d.stack, deps);
    } catch (e) {
      failures++;
      deps.log(`reap: ${d.stack}: failed: ${(e as Error).message}`);
    }
  }
  return failures ? 1 : 0;
}
