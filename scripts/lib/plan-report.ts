// The offline plan's report: resource tree, access matrix, policy violations and stack outputs, as JSON or as text.
// Field names are stable; docs/plan-json.md documents them.
import { MOCK_CLIENT } from "./mocks";
import { accessMatrix, AccessRow } from "./access-matrix";
import type { ProgramRun } from "./harness";
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

/** `policy`: what the rules need beyond the resources (ephemeral or not, the SSH CIDRs); see contextFromConfig. */
export function buildReport(run: ProgramRun, policy: PolicyContext = { ephemeral: false }): PlanReport {
  const knownAfterDeploy: string[] = [];
  const mask = (value: unknown, at: string): unknown => {
    if (typeof value === "string") {
      if ([...run.invented].some((v) => value.includes(v))) {
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
  const violations = checkRecorded(run.resources, policy);
  const resources = run.resources.map(
    (r): PlanResource => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent ?? null, component: !r.custom, dependsOn: r.dependencies }),
  );
  return {
    version: REPORT_VERSION,
    project: run.project,
    stack: run.stack,
    summary: {
      resources: resources.filter((r) => !r.component).length,
      components: resources.filter((r) => r.component).length,
      seats: run.resources.filter((r) => r.type === "azure-native:compute:VirtualMachine").length,
    },
    resources,
    accessMatrix: accessMatrix(run.resources, { deployer: MOCK_CLIENT.objectId }),
    outputs,
    knownAfterDeploy,
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

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

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
    ...policySection(report),
    "",
    "Stack outputs",
    ...table(["output", "value"], outputs),
    "",
  ].join("\n");
}
