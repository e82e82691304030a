// `lab create NAME --ttl T`, and `--extend` of the same owner's ephemeral lab: everything is checked before the backend
// is touched, then up and verify.
import { Stack, StackAlreadyExistsError } from "@pulumi/pulumi/automation";
import { ConfigError, LabConfig, PROJECT, validateConfig } from "../../lib/config";
import { expiresAt, expiryProblem, isoSeconds, parseIsoSeconds } from "../../lib/lifecycle";
import { readStackConfig } from "../../offline/stack-config";
import { UsageError } from "../shared/cli";
import { parseConfigPairs } from "../shared/config-pairs";
import { createConfig, LAB_STACK_PREFIX, LASTING_FLAG, parseSeats, parseTtl, Ttl } from "./args";
import { extendRefusal } from "./decisions";
import { firstLine, LabDeps, LabRefusal, readFacts, referenceTime, selectStack, withProgress, workspace } from "./ops";

/** `create NAME --ttl 8h [--seats N] [--config k=v ...] [--extend]`: everything is checked before the backend is touched. */
export async function createLab(
  stack: string,
  flags: { ttl?: string; seats?: string; config: readonly string[]; extend?: boolean },
  deps: LabDeps,
): Promise<number> {
  const ttl = parseTtl(flags.ttl);
  if (flags.extend) return extendLab(stack, ttl, deps);
  const seats = parseSeats(flags.seats);
  const pairs = parseConfigPairs(flags.config);
  // What the program will see: Pulumi.yaml defaults, the stack's file if it has one, then these values.
  checkConfig(stack, createConfig({ ttl, seats, pairs, owner: deps.defaultOwner, now: deps.now() }), deps);
  if (ttl.note) deps.log(ttl.note);
  const now = await referenceTime(deps, true);
  const values = createConfig({ ttl, seats, pairs, owner: deps.defaultOwner, now });
  const expiry = expiresAt(values.createdAt, ttl.hours);
  const problem = expiryProblem(parseIsoSeconds(expiry)!, now);
  if (problem) throw new LabRefusal(`${stack}: ${problem}; nothing was created`);

  const ws = await workspace(deps);
  let s: Stack;
  try {
    // `stack init` fails on an existing stack and changes nothing: create never takes one over.
    s = await Stack.create(stack, ws);
  } catch (e) {
    if (!(e instanceof StackAlreadyExistsError)) throw e;
    const name = stack.slice(LAB_STACK_PREFIX.length);
    throw new LabRefusal(
      `${stack} already exists: lab create never takes over a stack, and nothing was changed. ` +
        `Pick another NAME, or extend your own ephemeral lab: npm run lab -- create ${name} --ttl ${flags.ttl} --extend`,
    );
  }
  await s.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, { value: v }])));
  deps.log(`${stack}: pulumi up (owner ${values.owner}, expires ${expiry}); this takes several minutes`);
  return upAndVerify(s, stack, expiry, deps);
}

function checkConfig(stack: string, values: Record<string, string>, deps: LabDeps): LabConfig {
  try {
    return validateConfig({ ...readStackConfig(deps.projectDir, stack, { allowMissing: true }), ...values }, { now: deps.now() });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new UsageError(
      `${e.message}\nlab create sets config with --config key=value, e.g. --config sshPublicKey="$(cat ~/.ssh/id_ed25519.pub)"`,
    );
  }
}

async function upAndVerify(s: Stack, stack: string, expiry: string, deps: LabDeps): Promise<number> {
  const name = stack.slice(LAB_STACK_PREFIX.length);
  try {
    await withProgress(`${stack}: up`, s.up({ onOutput: deps.stream }), deps.log, deps.progressEveryMs);
  } catch (e) {
    throw new LabRefusal(
      `${stack}: pulumi up failed: ${firstLine(e)}\nFix the cause and run pulumi up on ${stack}, or take it down. Until an up exports ` +
        `its outputs nothing proves the lab ephemeral, so reap keeps it and destroy asks: npm run lab -- destroy ${name} --${LASTING_FLAG} ${name}`,
    );
  }
  deps.log(`${stack}: up done; running npm run verify -- --stack ${stack}`);
  const code = await deps.verify(stack);
  if (code !== 0) {
    deps.log(`${stack}: verify failed (exit ${code}); the lab is up and expires ${expiry}`);
    return 1;
  }
  deps.log(`${stack}: ready and verified; expires ${expiry}. Tear it down early with: npm run lab -- destroy ${name}`);
  return 0;
}

/**
 * `create NAME --ttl T --extend`: the same owner's ephemeral lab, as its outputs say, gets createdAt = now and
 * ttlHours = T (only those two keys change), then up and verify. Its deployed shape must match its config here.
 */
async function extendLab(stack: string, ttl: Ttl, deps: LabDeps): Promise<number> {
  if (ttl.note) deps.log(ttl.note);
  const now = await referenceTime(deps, true);
  const createdAt = isoSeconds(now);
  const expiry = expiresAt(createdAt, ttl.hours);
  const ws = await workspace(deps);
  const s = await selectStack(ws, stack);
  if (!s) throw new LabRefusal(`${stack}: no such stack: nothing to extend (without --extend, create makes it)`);
  const facts = await readFacts(ws, stack);
  const refusal = extendRefusal(facts, deps.defaultOwner, parseIsoSeconds(expiry)!, now);
  if (refusal) throw new LabRefusal(`${refusal}; nothing was changed`);
  // `up` deploys the config found here: it must be complete and describe the lab that is deployed.
  const current = Object.fromEntries(
    Object.entries(await s.getAllConfig()).flatMap(([k, v]) =>
      k.startsWith(`${PROJECT}:`) ? [[k.slice(PROJECT.length + 1), v.value]] : [],
    ),
  );
  let cfg: LabConfig;
  try {
    cfg = validateConfig(
      { ...readStackConfig(deps.projectDir, stack, { allowMissing: true }), ...current, createdAt, ttlHours: String(ttl.hours) },
      { now },
    );
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new LabRefusal(
      `${stack}: its config here is not complete, so up would change the lab; run --extend where the lab was created. Nothing was changed.\n${e.message}`,
    );
  }
  const deployedSeats = Array.isArray(facts.outputs.seatVms) ? facts.outputs.seatVms.length : undefined;
  if (deployedSeats !== cfg.seats || (facts.outputs.os !== undefined && facts.outputs.os !== cfg.os)) {
    throw new LabRefusal(
      `${stack}: its config here (seats ${cfg.seats}, os ${cfg.os}) is not what is deployed (seats ${deployedSeats ?? "?"}, os ${String(facts.outputs.os ?? "?")}); ` +
        "run --extend where the lab was created. Nothing was changed.",
    );
  }
  await s.setAllConfig({ [`${PROJECT}:createdAt`]: { value: createdAt }, [`${PROJECT}:ttlHours`]: { value: String(ttl.hours) } });
  deps.log(`${stack}: extending (owner ${deps.defaultOwner}): expires ${expiry}; pulumi up`);
  return upAndVerify(s, stack, expiry, deps);
}
