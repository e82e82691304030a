// What the offline gate cannot judge and therefore refuses: engine-side code (transforms, hooks) the mocks never run,
// invokes other than the lab's own (the mocks answer them with an error the program may catch, so their results never
// reach the plan), resource methods, reads of existing resources, imports and explicit providers. The lab uses none of
// these except getClientConfig, so each is a mandatory finding: `npm run plan` exits 1.
import { GET_CLIENT_CONFIG } from "../lib/azure";
import type { ProgramRun } from "./harness";

/** Invokes the lab makes, answered by the mocks (offline/mocks.ts). */
export const ALLOWED_INVOKES: ReadonlySet<string> = new Set([GET_CLIENT_CONFIG]);

export type FindingKind = "transform" | "hook" | "invoke" | "method" | "read" | "import" | "provider";

export interface ProgramFinding {
  readonly kind: FindingKind;
  /** The resource's URN, the invoke's token, or "(stack)". */
  readonly subject: string;
  readonly message: string;
  /** Always mandatory: the plan exits 1. */
  readonly enforcement: "mandatory";
}

const TRANSFORM =
  "the program registers a transform: the offline gate cannot see what it changes; the lab declares none. Change the resource's arguments instead";

export function programFindings(run: Pick<ProgramRun, "resources" | "engine">): ProgramFinding[] {
  const out: ProgramFinding[] = [];
  const add = (kind: FindingKind, subject: string, message: string) => out.push({ kind, subject, message, enforcement: "mandatory" });
  for (const c of run.engine.callbacks) {
    if (c.kind.endsWith("transform")) add("transform", c.resource ?? "(stack)", `${TRANSFORM} (${c.kind})`);
    else
      add(
        "hook",
        c.resource ?? "(stack)",
        `the program registers a ${c.kind}: code the engine runs during the deploy, which the offline gate never runs; the lab declares none`,
      );
  }
  for (const r of run.resources) {
    if (r.transforms) add("transform", r.urn, `${TRANSFORM} (${r.transforms} on ${r.type} ${r.name})`);
    if (r.importId !== undefined) {
      add(
        "import",
        r.urn,
        `${r.type} ${r.name} is imported (import id given): it adopts an existing resource or, for random passwords, a value the PR chose; the lab imports nothing`,
      );
    }
    if (r.type.startsWith("pulumi:providers:")) {
      add(
        "provider",
        r.urn,
        `explicit provider ${r.type} ${r.name}: its credentials and subscription decide where and as whom resources are deployed, which the offline gate cannot judge; the lab uses the default provider only`,
      );
    }
  }
  for (const token of run.engine.invokes) {
    if (!ALLOWED_INVOKES.has(token)) {
      add(
        "invoke",
        token,
        `the program calls ${token}: only ${[...ALLOWED_INVOKES].join(", ")} is allowed; a deploy would answer it for real (e.g. with keys), the offline plan cannot, whether or not the program catches the error`,
      );
    }
  }
  for (const token of run.engine.methods)
    add("method", token, `the program calls the resource method ${token}: the offline plan cannot answer it; the lab calls none`);
  for (const read of run.engine.reads)
    add("read", read, `the program reads an existing resource (${read}) with .get(): its state is unknown offline; the lab reads none`);
  return out;
}

export function renderFindings(findings: readonly ProgramFinding[]): string[] {
  return [
    `What the offline gate cannot see: ${findings.length} mandatory finding(s)`,
    ...findings.map((f) => `  ✗ MANDATORY ${f.kind}  ${f.subject}\n      ${f.message}`),
    ...(findings.length ? [] : ["  none: no transforms, hooks, other invokes, imports or explicit providers"]),
  ];
}
