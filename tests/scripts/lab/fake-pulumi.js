// A STAND-IN for the Pulumi CLI, for the lab CLI's tests (tests/scripts/lab/): no Pulumi CLI can be installed here.
// The Automation API (node_modules/@pulumi/pulumi/automation/*.js) runs `pulumi <args> --non-interactive` and parses
// stdout; this answers exactly the commands it runs for the lab CLI, keeps a backend in a JSON file
// ($FAKE_PULUMI_STATE), and appends each argv to $FAKE_PULUMI_LOG so tests can assert what was called.
// "Azure" is simulated in the same file: destroying a vault soft-deletes it into `deletedVaults` (with its tags),
// where the tests' fake purger finds it. `failDestroy[stack] = n` makes the next n destroys of that stack fail after
// deleting the vault, like a destroy that dies half-way (`failUp` likewise for up): the outputs stay, as they do while
// the root stack resource is still in the state (Pulumi deletes it last).
// answer() is the whole stand-in, a function of argv and env: the tests' in-process Pulumi command (pulumi-command.ts)
// calls it, and run as a script (the `pulumi` on PATH, the CLI's own path) it prints the same and exits with its code.
"use strict";
const fs = require("fs");

/** Thrown by fail(): ends the command with exit code 255, as the CLI's errors do. */
class Failed extends Error {}

/** One `pulumi` command: appends argv to $FAKE_PULUMI_LOG, acts on $FAKE_PULUMI_STATE, returns what it printed. */
function answer(argv, env) {
  const args = argv.filter((a) => a !== "--non-interactive");
  fs.appendFileSync(env.FAKE_PULUMI_LOG, `${JSON.stringify(args)}\n`);
  const printed = { stdout: "", stderr: "" };
  try {
    run(args, env.FAKE_PULUMI_STATE, printed);
    return { ...printed, code: 0 };
  } catch (e) {
    if (!(e instanceof Failed)) throw e;
    return { ...printed, code: 255 };
  }
}

function run(args, statePath, printed) {
  const load = () => JSON.parse(fs.readFileSync(statePath, "utf8"));
  const save = (s) => fs.writeFileSync(statePath, JSON.stringify(s, null, 2));
  const fail = (message) => {
    printed.stderr += `error: ${message}\n`;
    throw new Failed(message);
  };
  const flag = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = (value) => (printed.stdout += typeof value === "string" ? `${value}\n` : `${JSON.stringify(value)}\n`);

  const state = load();
  const stackName = flag("--stack");
  const stack = () => state.stacks[stackName] ?? fail(`no stack named '${stackName}' found`);
  const [a0, a1, a2, a3] = args;

  if (a0 === "version") out("v3.248.0");
  else if (a0 === "stack" && a1 === "select") {
    stack();
    state.current = stackName;
    save(state);
  } else if (a0 === "stack" && a1 === "init") {
    if (state.stacks[a2]) fail(`stack '${a2}' already exists`);
    state.stacks[a2] = { config: {}, tags: {}, outputs: {}, resources: [] };
    state.current = a2;
    save(state);
  } else if (a0 === "stack" && a1 === "ls") {
    out(
      Object.entries(state.stacks).map(([name, s]) => ({
        name,
        current: name === state.current,
        updateInProgress: false,
        resourceCount: s.resources.length,
      })),
    );
  } else if (a0 === "stack" && a1 === "rm") {
    const name = args[args.length - 1];
    if (!state.stacks[name]) fail(`no stack named '${name}' found`);
    if (state.stacks[name].resources.length) fail(`'${name}' still has resources; removal rejected`);
    delete state.stacks[name];
    save(state);
  } else if (a0 === "stack" && a1 === "tag" && a2 === "set") {
    stack().tags[a3] = args[4];
    // `onTagSet[stack] = outputs`: right after the CLI marks the stack, someone changes its outputs (an extend).
    if (state.onTagSet?.[stackName]) Object.assign(stack().outputs, state.onTagSet[stackName]);
    save(state);
  } else if (a0 === "stack" && a1 === "tag" && a2 === "rm") {
    delete stack().tags[a3];
    save(state);
  } else if (a0 === "stack" && a1 === "tag" && a2 === "ls") out(stack().tags);
  else if (a0 === "stack" && a1 === "output") out(stack().outputs);
  else if (a0 === "stack" && a1 === "export") out({ version: 3, deployment: { manifest: {}, resources: stack().resources } });
  else if (a0 === "stack" && a1 === "history") out([]);
  else if (a0 === "config" && a1 === "--show-secrets" && args.includes("--json")) {
    out(Object.fromEntries(Object.entries(stack().config).map(([k, v]) => [k, { value: v, secret: false }])));
  } else if (a0 === "config" && a1 === "set-all") {
    const s = stack();
    args.forEach((a, i) => {
      if (args[i - 1] === "--plaintext") s.config[a.slice(0, a.indexOf("="))] = a.slice(a.indexOf("=") + 1);
    });
    save(state);
  } else if (a0 === "up") {
    const s = stack();
    // `failUp[stack] = n`: the next n ups die before the program exports its outputs (a first up that failed).
    if ((state.failUp?.[stackName] ?? 0) > 0) {
      state.failUp[stackName]--;
      save(state);
      fail('update failed: creating urn:...:VirtualMachine: Code="SkuNotAvailable"');
    }
    const cfg = (k) => s.config[`dsvm-identity-lab:${k}`];
    const rg = `/subscriptions/${state.subscriptionId}/resourceGroups/dsvmlab-${stackName}-rg`;
    const vaultName = `dsvmlab-kv-${stackName.slice(-6)}`;
    const tags = { lab: stackName, ephemeral: cfg("ephemeral") ?? "false" };
    s.resources = [
      { urn: `urn:pulumi:${stackName}::dsvm-identity-lab::pulumi:pulumi:Stack::root`, type: "pulumi:pulumi:Stack" },
      { urn: "rg", type: "azure-native:resources:ResourceGroup", id: rg, outputs: { location: cfg("location") ?? "westeurope", tags } },
      {
        urn: "kv",
        type: "azure-native:keyvault:Vault",
        id: `${rg}/providers/Microsoft.KeyVault/vaults/${vaultName}`,
        outputs: { location: "westeurope", tags },
      },
    ];
    const created = Date.parse(cfg("createdAt"));
    const seats = Number(cfg("seats") ?? 1);
    // The outputs index.ts exports that the lab CLI reads: lifecycle, owner, vaults and ARM ids.
    s.outputs = {
      ephemeral: cfg("ephemeral") === "true",
      expiresAt: new Date(created + Number(cfg("ttlHours")) * 3600000).toISOString().replace(/\.000Z$/, "Z"),
      owner: cfg("owner"),
      os: cfg("os") ?? "ubuntu",
      vaultName,
      vaults: [{ vaultName, firstSeat: 1, lastSeat: seats }],
      storageAccountId: `${rg}/providers/Microsoft.Storage/storageAccounts/st${stackName.slice(-6).replace(/-/g, "")}`,
      seatVms: Array.from({ length: seats }, (_, i) => ({
        seat: i + 1,
        vmId: `${rg}/providers/Microsoft.Compute/virtualMachines/dsvmlab-vm${i + 1}`,
        vaultName,
      })),
    };
    save(state);
    out(`Updating (${stackName}):\n + 3 created`);
  } else if (a0 === "destroy" && args.includes("--preview-only")) {
    // As the engine does: deleting a protected resource fails, in a preview too, and nothing is deleted.
    const p = stack().resources.find((r) => r.protect);
    if (p) fail(`resource "${p.urn}" cannot be deleted because it is protected`);
    out(`Previewing destroy (${stackName}):\n - ${stack().resources.length} to delete`);
  } else if (a0 === "destroy") {
    const s = stack();
    // `onDestroy[stack] = {stack: other, outputs}`: while this stack is destroyed, someone changes another's outputs.
    const meanwhile = state.onDestroy?.[stackName];
    if (meanwhile && state.stacks[meanwhile.stack]) Object.assign(state.stacks[meanwhile.stack].outputs, meanwhile.outputs);
    // `failDestroyEarly[stack] = n`: the next n destroys fail before deleting anything (the vault is still recorded).
    if ((state.failDestroyEarly?.[stackName] ?? 0) > 0) {
      state.failDestroyEarly[stackName]--;
      save(state);
      fail('update failed: deleting urn:...:VirtualMachine: Code="OperationNotAllowed"');
    }
    // Deleting a vault soft-deletes it: Azure keeps it, with its tags, until it is purged.
    for (const r of s.resources.filter((x) => x.type === "azure-native:keyvault:Vault" && !x.protect)) {
      const [, sub, name] = /^\/subscriptions\/([^/]+)\/.*\/vaults\/([^/]+)$/.exec(r.id);
      // vaultId: Azure's deleted-vault record keeps the original vault's resource id (DeletedVaultProperties.vaultId).
      state.deletedVaults.push({ name, location: r.outputs.location, subscriptionId: sub, vaultId: r.id, tags: r.outputs.tags });
    }
    s.resources = s.resources.filter((x) => x.type !== "azure-native:keyvault:Vault" || x.protect);
    // Without a preview, the engine deletes all it may, keeps the protected resources, and fails.
    const kept = s.resources.filter((x) => x.protect);
    if (kept.length) {
      s.resources = kept;
      save(state);
      fail(`resource "${kept[0].urn}" cannot be deleted because it is protected`);
    }
    if ((state.failDestroy?.[stackName] ?? 0) > 0) {
      state.failDestroy[stackName]--;
      save(state);
      out(`Destroying (${stackName}):\n - vault deleted`);
      fail('update failed: deleting urn:...:VirtualNetwork: Code="InUseSubnetCannotBeDeleted"');
    }
    s.resources = [];
    s.outputs = {};
    save(state);
    out(`Destroying (${stackName}):\n - all resources deleted`);
  } else fail(`the stand-in pulumi does not know: ${args.join(" ")}`);
}

module.exports = { answer };

if (require.main === module) {
  const { stdout, stderr, code } = answer(process.argv.slice(2), process.env);
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  process.exitCode = code;
}
