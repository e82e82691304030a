// The offline plan's report: resource tree, access matrix, policy violations, write serialization, the teardown model
// and stack outputs, as JSON or as text. Field names are stable; docs/plan-json.md documents them.
import { MOCK_CLIENT } from "../../offline/mocks";
import { accessMatrix, AccessRow } from "../../offline/access-matrix";
import { planCriticalPath, PlanCriticalPath } from "../../offline/critical-path";
import { ciPermissionReport, type CiPermissionReport, renderCiPermissions } from "../../offline/ci-permissions";
import { containsAny, type ProgramRun, type RecordedResource } from "../../offline/harness";
import { CONFLICT_ANSWER, planSerialization, SerializationReport } from "../../offline/serialization";
import { planTeardown, TeardownReport } from "../../offline/teardown";
import { textTable } from "../shared/text-table";
import { type ProgramFinding, programFindings, renderFindings } from "../../offline/program-findings";
import { AZURE_NATIVE_PREFIX, LIMITS, TYPE } from "../../lib/azure";
import { checkRecorded } from "../../policy/offline";
import { ACCEPTED_EXCEPTIONS, PolicyContext, rules, Violation } from "../../policy/rules";

export const REPORT_VERSION = 1;

export interface PlanResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly component: boolean;
  readonly dependsOn: readonly string[];
  /** `protect`: `pulumi destroy` refuses to delete it. */
  readonly protect: boolean;
  /** URN of the resource it is deleted with (`deletedWith`): Pulumi skips its own delete. */
  readonly deletedWith: string | null;
}

export interface PlanReport {
  readonly version: number;
  readonly project: string;
  readonly stack: string;
  readonly summary: { readonly resources: number; readonly components: number; readonly seats: number };
  readonly resources: readonly PlanResource[];
  readonly accessMatrix: readonly AccessRow[];
  /** Stack outputs; a value known only after deploy is null here and its path is in `knownAfterDeploy`. */
  readonly outputs: Record<string, unknown>;
  readonly knownAfterDeploy: readonly string[];
  /** Which vault holds each seat's grants: one entry per vault (SecretVault logical name), seats ascending. */
  readonly vaults: readonly VaultSeats[];
  /** Role assignments the lab creates, against Azure's per-subscription limit. */
  readonly roleAssignments: RoleAssignmentCount;
  /** The longest chain of creations that must run one after another, with Azure's typical time per step. */
  readonly criticalPath: PlanCriticalPath;
  /** Whether CI's identities (lib/ci-identities.ts) hold the ARM actions to deploy and reap this plan: missing ones fail the plan (exit 1). */
  readonly ciPermissions: CiPermissionReport;
  /** Writes Azure serializes (one vault's, one VM's extensions) and whether the graph orders them: a conflict fails the plan (exit 1). */
  readonly writeSerialization: SerializationReport;
  /** The teardown model: whether `pulumi destroy` and `npm run lab -- destroy` would succeed, and what blocks them. */
  readonly destroy: TeardownReport;
  /** What the offline gate cannot judge and refuses (transforms, hooks, other invokes, imports, explicit providers): each fails the plan (exit 1). */
  readonly programFindings: readonly ProgramFinding[];
  /** What the policy rules (policy/rules.ts) found: mandatory ones fail the plan (exit 1). */
  readonly violations: readonly Violation[];
  readonly policy: {
    readonly rules: number;
    readonly mandatoryViolations: number;
    readonly advisoryViolations: number;
    /** Advice the lab deliberately does not follow, with the reason. */
    readonly acceptedExceptions: readonly { readonly control: string; readonly source: readonly string[]; readonly reason: string }[];
  };
}

export interface VaultSeats {
  /** The SecretVault's logical name: `vault`, `vault2`, ... */
  readonly name: string;
  readonly seats: readonly number[];
}

export interface RoleAssignmentCount {
  /** Every role assignment in the plan. */
  readonly count: number;
  /** Azure's role assignments per subscription. */
  readonly limit: number;
  /** By the component that creates them (StorageKeyAccess: listKeys; DataScienceVm: lab users' sign-in; ...). */
  readonly byComponent: Record<string, number>;
  /** Custom role definitions: created once per lab, whatever the seat count. */
  readonly roleDefinitions: number;
}

const COMPONENT_PREFIX = "dsvm-identity-lab:lab:";

/** The nearest ancestor component of a resource, if any. */
function ancestor(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>, type?: string): RecordedResource | undefined {
  for (let p = r.parent ? byUrn.get(r.parent) : undefined; p; p = p.parent ? byUrn.get(p.parent) : undefined) {
    if (!p.custom && (type === undefined || p.type === type)) return p;
  }
  return undefined;
}

/** Seat -> vault, read from the grants themselves: a seat's principal in an access policy or role assignment under a vault. */
export function vaultSeats(resources: readonly RecordedResource[]): VaultSeats[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const seatOf = new Map<string, number>();
  for (const r of resources) {
    const seat = /^seat(\d+)$/.exec(ancestor(r, byUrn)?.name ?? "")?.[1];
    const principal = r.state?.identity?.principalId;
    if (r.type === TYPE.vm && seat && principal) seatOf.set(principal, Number(seat));
  }
  const vaults = new Map<string, Set<number>>();
  for (const r of resources) if (r.type === `${COMPONENT_PREFIX}SecretVault`) vaults.set(r.name, new Set());
  for (const r of resources) {
    // Policies inline on the vault (components/SecretVault.ts), standalone ones, or role assignments.
    const principals: unknown[] =
      r.type === TYPE.vault
        ? Array.isArray(r.inputs.properties?.accessPolicies)
          ? r.inputs.properties.accessPolicies.map((p: any) => p?.objectId)
          : []
        : r.type === TYPE.accessPolicy
          ? [r.inputs.policy?.objectId]
          : r.type === TYPE.roleAssignment
            ? [r.inputs.principalId]
            : [];
    for (const principal of principals) {
      const vault =
        typeof principal === "string" && seatOf.has(principal) ? ancestor(r, byUrn, `${COMPONENT_PREFIX}SecretVault`) : undefined;
      if (vault) vaults.get(vault.name)!.add(seatOf.get(principal as string)!);
    }
  }
  return [...vaults].map(([name, seats]) => ({ name, seats: [...seats].sort((a, b) => a - b) }));
}

export function countRoleAssignments(resources: readonly RecordedResource[]): RoleAssignmentCount {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const byComponent: Record<string, number> = {};
  let count = 0;
  for (const r of resources) {
    if (r.type !== TYPE.roleAssignment) continue;
    count++;
    const owner = ancestor(r, byUrn)?.type.replace(COMPONENT_PREFIX, "") ?? "(top level)";
    byComponent[owner] = (byComponent[owner] ?? 0) + 1;
  }
  const roleDefinitions = resources.filter((r) => r.type === TYPE.roleDefinition).length;
  return { count, limit: LIMITS.roleAssignmentsPerSubscription, byComponent, roleDefinitions };
}

/** `policy`: what the rules need beyond the resources (ephemeral or not, the SSH CIDRs); see contextFromConfig. */
export function buildReport(run: ProgramRun, policy: PolicyContext = { ephemeral: false }): PlanReport {
  const knownAfterDeploy: string[] = [];
  const mask = (value: unknown, at: string): unknown => {
    if (typeof value === "string") {
      if (containsAny(run.invented)(value)) {
        knownAfterDeploy.push(at);
        return null;
      }
      return value;
    }
    if (Array.isArray(value)) return value.map((v, i) => mask(v, `${at}[${i}]`));
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, `${at}.${k}`)]));
    return value;
  };
  // Like `pulumi stack output`, an export whose value is undefined is no output at all.
  const outputs = Object.fromEntries(
    Object.keys(run.outputs)
      .filter((k) => run.outputs[k] !== undefined)
      .sort()
      .map((k) => [k, mask(run.outputs[k], k)]),
  );
  const violations = checkRecorded(run.resources, policy, undefined, run.outputs);
  const resources = run.resources.map((r): PlanResource => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent ?? null,
    component: !r.custom,
    dependsOn: r.dependencies,
    protect: r.protect,
    deletedWith: r.deletedWith ?? null,
  }));
  return {
    version: REPORT_VERSION,
    project: run.project,
    stack: run.stack,
    summary: {
      resources: resources.filter((r) => !r.component).length,
      components: resources.filter((r) => r.component).length,
      seats: run.resources.filter((r) => r.type === TYPE.vm).length,
    },
    resources,
    accessMatrix: accessMatrix(run.resources, { deployer: MOCK_CLIENT.objectId }),
    outputs,
    knownAfterDeploy,
    vaults: vaultSeats(run.resources),
    roleAssignments: countRoleAssignments(run.resources),
    criticalPath: planCriticalPath(run.resources),
    ciPermissions: ciPermissionReport(run.resources),
    writeSerialization: planSerialization(run.resources),
    destroy: planTeardown(run.resources, { deployer: MOCK_CLIENT.objectId, ephemeral: run.outputs.ephemeral === true }),
    programFindings: programFindings(run),
    violations,
    policy: {
      rules: rules.length,
      mandatoryViolations: violations.filter((v) => v.enforcement === "mandatory").length,
      advisoryViolations: violations.filter((v) => v.enforcement === "advisory").length,
      acceptedExceptions: ACCEPTED_EXCEPTIONS,
    },
  };
}

function tree(resources: readonly PlanResource[]): string[] {
  const children = new Map<string | null, PlanResource[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  // Resources first, then components, each in the order they were registered.
  const ordered = (list: PlanResource[]) => [...list.filter((r) => !r.component), ...list.filter((r) => r.component)];
  const lines: string[] = [];
  const walk = (parent: string | null, indent: string) => {
    const list = ordered(children.get(parent) ?? []);
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      lines.push(`${indent}${last ? "└─" : "├─"} ${r.type}  ${r.name}`);
      walk(r.urn, indent + (last ? "   " : "│  "));
    });
  };
  walk(null, "");
  return lines;
}

const table = (headers: string[], rows: string[][]): string[] => textTable([headers, ...rows], { rule: true });

function flatten(value: unknown, at: string, out: [string, string][], unknown: ReadonlySet<string>): void {
  if (unknown.has(at)) out.push([at, "(known after deploy)"]);
  else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${at}[${i}]`, out, unknown));
  else if (value && typeof value === "object") Object.entries(value).forEach(([k, v]) => flatten(v, `${at}.${k}`, out, unknown));
  else out.push([at, String(value)]);
}

function policySection(report: PlanReport): string[] {
  const { policy, violations } = report;
  const head = `Policy (${policy.rules} rules): ${policy.mandatoryViolations} mandatory violation(s), ${policy.advisoryViolations} advisory`;
  return [
    head,
    ...violations.flatMap((v) => [
      `  ${v.enforcement === "mandatory" ? "✗ MANDATORY" : "! advisory "} ${v.ruleId}  ${v.resource}`,
      `      ${v.message}`,
      `      fix: ${v.fix}`,
    ]),
    ...(violations.length ? [] : ["  no violations"]),
    "Accepted exceptions",
    ...policy.acceptedExceptions.map((e) => `  - ${e.control} (${e.source.join(", ")}): ${e.reason}`),
  ];
}

/** 1-3, 5, 7-9 */
export function seatRanges(seats: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < seats.length;) {
    let j = i;
    while (j + 1 < seats.length && seats[j + 1] === seats[j] + 1) j++;
    out.push(j === i ? String(seats[i]) : `${seats[i]}-${seats[j]}`);
    i = j + 1;
  }
  return out.join(", ") || "none";
}

function scaleSection(report: PlanReport): string[] {
  const { roleAssignments: ra, criticalPath: cp } = report;
  const by = Object.entries(ra.byComponent)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return [
    "Vaults (which seat uses which vault; a vault holds at most 1024 access policies)",
    ...report.vaults.map((v) => `  ${v.name}: seat${v.seats.length === 1 ? "" : "s"} ${seatRanges(v.seats)} (${v.seats.length})`),
    `Role assignments: ${ra.count} of Azure's ${ra.limit} per subscription${by ? ` (${by})` : ""}; ${ra.roleDefinitions} custom role definition(s), created once per lab`,
    "",
    `Critical path: ${cp.length} creations one after another; Azure's minimum is ${cp.azureMinimum.length} (${cp.azureMinimum.chain.join(" → ")})`,
    ...cp.chain.map((s, i) => {
      const t = s.typical ? `≈${s.typical.seconds} s, ${s.typical.basis}: ${s.typical.source}` : "no figure";
      return `  ${i + 1}. ${s.type.replace(AZURE_NATIVE_PREFIX, "")}  ${s.name}  [${s.minimumStep ?? "added"}]  ${t}`;
    }),
    ...cp.chain.filter((s) => s.reason).map((s) => `  added step ${s.type.replace(AZURE_NATIVE_PREFIX, "")}: ${s.reason}`),
    `  ${cp.extraSteps} step(s) beyond Azure's minimum; typical total ≈${cp.typicalSeconds} s if every step took its figure (estimates included, see docs/benchmarks.md)`,
    ...serializationCostLines(report),
  ];
}

function serializationCostLines(report: PlanReport): string[] {
  const s = report.criticalPath.serialization;
  return [
    `  Serialized writes on the path: ${s.onPath.map((t) => `${t.kind} ${t.name} ${t.writesOnPath} of ${t.writes} write(s) (${t.steps.join(", ")}) ≈${t.seconds} s`).join("; ") || "none"}`,
    `  Ordering writes to one vault or VM costs ≈${s.costSeconds} s on the slowest chain (≈${s.slowestSeconds} s as planned, ≈${s.unserializedSeconds} s if they ran at once, which Azure refuses): ${s.byKind.map((k) => `${k.kind}s ≈${k.costSeconds} s`).join(", ")}`,
  ];
}

/** Writes Azure serializes: each target with two or more, and whether the graph orders them. */
export function serializationSection(report: PlanReport): string[] {
  const w = report.writeSerialization;
  const ordered = (t: PlanReport["writeSerialization"]["targets"][number]) =>
    `${t.kind} ${t.name}: ${t.writers.length} writes, one after another (${t.writers.join(" → ")})`;
  // A large lab has a target per VM: beyond three of a kind, one line says they are all ordered.
  const orderedLines = (["vault", "vm"] as const).flatMap((kind) => {
    const list = w.targets.filter((t) => t.ordered && t.kind === kind);
    return list.length <= 3
      ? list.map((t) => `  ✓ ${ordered(t)}`)
      : [`  ✓ ${list.length} ${kind}s, each with its writes one after another, e.g. ${ordered(list[0])}`];
  });
  return [
    `Write serialization (writes Azure runs one at a time): ${w.conflicts} conflict(s) in ${w.targets.length} target(s) with more than one write`,
    ...w.targets
      .filter((t) => !t.ordered)
      .flatMap((t) => [
        `  ✗ BLOCKING ${t.kind} ${t.name}: ${t.unorderedPairs} pair(s) of writes may run at once, e.g. ${t.examples.map((p) => p.join(" and ")).join("; ")}`,
        `      ${CONFLICT_ANSWER[t.kind]}: \`pulumi up\` would fail. Order them (dependsOn the previous) or make them one write`,
      ]),
    ...orderedLines,
  ];
}

/** Deletes skipped with deletedWith, one line per target resource. */
function skippedLines(steps: TeardownReport["steps"]): string[] {
  const byTarget = new Map<string, string[]>();
  for (const s of steps) if (s.action === "skip") byTarget.set(s.deletedWith!, [...(byTarget.get(s.deletedWith!) ?? []), s.resource]);
  return [...byTarget].map(
    ([target, list]) =>
      `  skipped, going with ${target}: ${list.length > 4 ? `${list.slice(0, 3).join(", ")} and ${list.length - 3} more` : list.join(", ")}`,
  );
}

/** What `pulumi destroy` and `npm run lab -- destroy` would do, and what blocks them. */
export function destroySection(report: PlanReport): string[] {
  const d = report.destroy;
  const verdict = (name: string, v: TeardownReport["pulumiDestroy"]) => [
    `  ${name}: ${v.succeeds ? "would succeed" : `BLOCKED (${v.blockers.length})`}`,
    ...v.blockers.map((b) => `    ✗ ${b.kind}: ${b.message} [${b.conformance.join(", ")}]`),
  ];
  const count = (a: string) => d.steps.filter((s) => s.action === a).length;
  return [
    `Destroy (Pulumi deletes in reverse dependency order, in ${d.waves} parallel wave(s): ${count("delete")} delete(s), ${count("skip")} skipped with deletedWith, ${count("refuse")} protected)`,
    ...verdict("pulumi destroy", d.pulumiDestroy),
    ...verdict("npm run lab -- destroy", d.labDestroy),
    `  protected: ${d.protected.join(", ") || "none"}`,
    ...skippedLines(d.steps),
    ...d.steps.filter((s) => s.plane === "data").map((s) => `  data-plane delete: ${s.resource} (wave ${s.wave})`),
    ...d.leftovers.map((l) => `  ! left behind: ${l} (its deletedWith target does not contain it)`),
    ...d.remains.map((r) => `  afterwards: ${r.message}`),
  ];
}

export function renderText(report: PlanReport): string {
  const unknown = new Set(report.knownAfterDeploy);
  const outputs: [string, string][] = [];
  Object.entries(report.outputs).forEach(([k, v]) => flatten(v, k, outputs, unknown));
  return [
    `Offline plan: ${report.project}, stack ${report.stack}. Run under Pulumi mocks: nothing was deployed.`,
    `${report.summary.resources} resources in ${report.summary.components} components, ${report.summary.seats} seat(s).`,
    "",
    "Resource tree",
    ...tree(report.resources),
    "",
    "Access matrix (what each principal may do; anything not listed is denied)",
    ...table(
      ["principal", "resource", "may", "via"],
      report.accessMatrix.map((r) => [r.principal, r.resource, r.permissions.join(", "), r.via]),
    ),
    "",
    ...scaleSection(report),
    "",
    ...serializationSection(report),
    "",
    ...destroySection(report),
    "",
    ...renderCiPermissions(report.ciPermissions),
    "",
    ...renderFindings(report.programFindings),
    "",
    ...policySection(report),
    "",
    "Stack outputs",
    ...table(["output", "value"], outputs),
    "",
  ].join("\n");
}
