// The shared table of expected outcomes for both in-VM probes (probe/vm-probe.py in Python, probe/vm-probe.ps1 in
// PowerShell): a fault (grants, network rules and twin faults) -> the verdict of every check, in both Key Vault
// permission models. tests/probe/table.test.ts runs each row against the twin with python3, and with pwsh when
// one is on PATH. Every 403 body Key Vault is known to send on a list is a row: kv-list-denied-inner-code-varies
// (AccessDenied, ForbiddenByPolicy, ForbiddenByRbac, none, another code) passes; kv-firewall-refusal
// (ForbiddenByFirewall, ForbiddenByConnection) fails, as does a 403 that is not Key Vault's.
import { PROBE_CHECKS, ProbeCheckName } from "../../probe/contract";
import { AccessModel, AzureTwin, FAULTS, Identity, KV_ACTION, PolicyDenialCode } from "../../twin/twin";

export const CANARY_SECRET = "SQLPasswd";
type Verdict = "passed" | "failed" | "skipped";

export interface ProbeCase {
  readonly title: string;
  /** The models the row applies to. */
  readonly models: readonly AccessModel[];
  /** Sets the grants and faults on a reset twin (the canary secret is seeded). */
  readonly arrange: (twin: AzureTwin, seat: Identity, model: AccessModel) => void;
  readonly deadlineSeconds: number;
  /** Every check's status; checks not named here pass. */
  readonly verdicts: Partial<Record<ProbeCheckName, Verdict>>;
  /** What the deciding check's detail must say. */
  readonly says?: { readonly check: ProbeCheckName; readonly detail: RegExp };
  /** What secret-list-denied's detail must say, per model (when the row's list outcome depends on the model). */
  readonly listSays?: Partial<Record<AccessModel, RegExp>>;
}

/** Secret grants in a model: an access policy, or the role on the canary and <canary>-probe secrets. */
function secretGrants(twin: AzureTwin, seat: Identity, model: AccessModel, ops: readonly ("get" | "set")[]): void {
  twin.accessModel = model;
  if (model === "accessPolicy") twin.setPolicy(seat.principalId, ops);
  else
    for (const name of [CANARY_SECRET, `${CANARY_SECRET}-probe`])
      twin.assignRole(
        seat.principalId,
        ops.map((o) => KV_ACTION[o]),
        twin.secretScope(name),
      );
}

/** The lab's exact grants in a model: get+set (policy, or the custom role on the two secrets) and listKeys. */
export function grantExactly(twin: AzureTwin, seat: Identity, model: AccessModel): void {
  secretGrants(twin, seat, model, ["get", "set"]);
  twin.grantListKeys(seat.principalId);
}

const BOTH: readonly AccessModel[] = ["accessPolicy", "rbac"];

export const PROBE_CASES: readonly ProbeCase[] = [
  {
    title: "exact grants: every check passes, list denied with the model's own 403",
    models: BOTH,
    arrange: (t, s, m) => grantExactly(t, s, m),
    deadlineSeconds: 5,
    verdicts: {},
    listSays: {
      accessPolicy:
        /^list secrets: Key Vault HTTP 403 Forbidden\/AccessDenied, as it must be: the identity cannot list \(access policy refusal, inner code AccessDenied\)$/,
      rbac: /^list secrets: Key Vault HTTP 403 Forbidden\/ForbiddenByRbac, as it must be: the identity cannot list \(RBAC refusal, inner code ForbiddenByRbac\)$/,
    },
  },
  ...(["ForbiddenByPolicy", "none"] as const).map((code: PolicyDenialCode): ProbeCase => ({
    title: `kv-list-denied-inner-code-varies: an access-policy vault refuses with ${code === "none" ? "no inner code" : code}, which passes`,
    models: ["accessPolicy"],
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      t.policyDenialCode = code;
    },
    deadlineSeconds: 5,
    verdicts: {},
    says: {
      check: "secret-list-denied",
      detail:
        code === "none"
          ? /^list secrets: Key Vault HTTP 403 Forbidden, as it must be: .*\(no inner code: Access denied\)$/
          : /403 Forbidden\/ForbiddenByPolicy, as it must be: .*\(access policy refusal, inner code ForbiddenByPolicy\)$/,
    },
  })),
  {
    title: "kv-list-denied-inner-code-varies: an inner code not seen before on secrets still names a permission refusal, which passes",
    models: BOTH,
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      t.fault({ service: "vault", op: "list", response: FAULTS.forbiddenOtherCode });
    },
    deadlineSeconds: 5,
    verdicts: {},
    says: {
      check: "secret-list-denied",
      detail: /403 Forbidden\/KeyOperationForbidden, as it must be: .*\(inner code KeyOperationForbidden\)$/,
    },
  },
  ...(["ForbiddenByFirewall", "ForbiddenByConnection"] as const).map((code): ProbeCase => ({
    title: `kv-firewall-refusal: the list refused with ${code} fails: the network refused, which proves nothing about the permission`,
    models: BOTH,
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      t.fault({ service: "vault", op: "list", response: t.refusal(code, s.principalId) });
    },
    deadlineSeconds: 5,
    verdicts: { "secret-list-denied": "failed" },
    says: {
      check: "secret-list-denied",
      detail: new RegExp(
        `^list secrets: Key Vault HTTP 403 Forbidden/${code}: the network refused the list \\(.+\\), which proves nothing about the identity's permission$`,
      ),
    },
  })),
  {
    title: "kv-firewall-refusal: a firewall message without an inner code also fails",
    models: ["accessPolicy"],
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      const body = t.refusal("ForbiddenByFirewall", s.principalId).body as { error: { code: string; message: string } };
      t.fault({
        service: "vault",
        op: "list",
        response: { status: 403, body: { error: { code: body.error.code, message: body.error.message } } },
      });
    },
    deadlineSeconds: 5,
    verdicts: { "secret-list-denied": "failed" },
    says: { check: "secret-list-denied", detail: /HTTP 403 Forbidden: the network refused the list/ },
  },
  {
    title: "a 403 on list that is not Key Vault's error body fails",
    models: ["accessPolicy"],
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      t.fault({ service: "vault", op: "list", response: FAULTS.forbiddenNotKeyVault });
    },
    deadlineSeconds: 5,
    verdicts: { "secret-list-denied": "failed" },
    says: { check: "secret-list-denied", detail: /HTTP 403 that is not Key Vault's error body .*proves nothing/ },
  },
  {
    title: "kv-firewall-refusal: the vault's firewall does not let the lab subnet in, so every vault check fails with ForbiddenByFirewall",
    models: BOTH,
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      t.vaultNetwork.labSubnetAllowed = false;
    },
    deadlineSeconds: 0.5,
    verdicts: { "secret-get": "failed", "secret-set": "failed", "secret-list-denied": "failed" },
    says: { check: "secret-get", detail: /403 Forbidden\/ForbiddenByFirewall \(the vault's network rules refused this client\)/ },
  },
  {
    title:
      "kv-firewall-refusal: public network access disabled (no private link in the lab), so every vault check fails with ForbiddenByConnection",
    models: BOTH,
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      t.vaultNetwork.publicNetworkAccess = "Disabled";
    },
    deadlineSeconds: 0.5,
    verdicts: { "secret-get": "failed", "secret-set": "failed", "secret-list-denied": "failed" },
    says: { check: "secret-list-denied", detail: /Forbidden\/ForbiddenByConnection: the network refused the list/ },
  },
  {
    title: "access policy allows list",
    models: ["accessPolicy"],
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      t.setPolicy(s.principalId, ["get", "set", "list"]);
    },
    deadlineSeconds: 5,
    verdicts: { "secret-list-denied": "failed" },
    says: { check: "secret-list-denied", detail: /answered 200: the identity CAN list secrets/ },
  },
  {
    title: "RBAC: readMetadata granted on the vault (the Key Vault Secrets User way to list)",
    models: ["rbac"],
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      t.assignRole(s.principalId, [KV_ACTION.list]);
    },
    deadlineSeconds: 5,
    verdicts: { "secret-list-denied": "failed" },
    says: { check: "secret-list-denied", detail: /CAN list secrets/ },
  },
  {
    title: "RBAC: secrets/* on the vault",
    models: ["rbac"],
    arrange: (t, s, m) => {
      t.accessModel = m;
      t.assignRole(s.principalId, ["Microsoft.KeyVault/vaults/secrets/*"]);
      t.grantListKeys(s.principalId);
    },
    deadlineSeconds: 5,
    verdicts: { "secret-list-denied": "failed" },
    says: { check: "secret-list-denied", detail: /CAN list secrets/ },
  },
  {
    title: "get stays denied (and secret-set, which reads its write back)",
    models: BOTH,
    arrange: (t, s, m) => {
      secretGrants(t, s, m, ["set"]);
      t.grantListKeys(s.principalId);
    },
    deadlineSeconds: 1,
    verdicts: { "secret-get": "failed", "secret-set": "failed" },
    says: { check: "secret-get", detail: /403 Forbidden\/(AccessDenied|ForbiddenByRbac).*deadline of 1s ran out/ },
  },
  {
    title: "RBAC: the role only on the canary secret, so setting <secret>-probe stays denied",
    models: ["rbac"],
    arrange: (t, s, m) => {
      t.accessModel = m;
      t.assignRole(s.principalId, [KV_ACTION.get, KV_ACTION.set], t.secretScope(CANARY_SECRET));
      t.grantListKeys(s.principalId);
    },
    deadlineSeconds: 0.5,
    verdicts: { "secret-set": "failed" },
    says: { check: "secret-set", detail: /set SQLPasswd-probe: Key Vault HTTP 403 Forbidden\/ForbiddenByRbac/ },
  },
  {
    title: "RBAC grants on an access-policy vault are inert (and policies on an RBAC vault)",
    models: BOTH,
    arrange: (t, s, m) => {
      // Grant in the other model only: the vault ignores it.
      grantExactly(t, s, m === "rbac" ? "accessPolicy" : "rbac");
      t.accessModel = m;
    },
    deadlineSeconds: 0.5,
    verdicts: { "secret-get": "failed", "secret-set": "failed" },
  },
  {
    title: "listKeys denied: storage-listkeys fails, storage-data is skipped",
    models: BOTH,
    arrange: (t, s, m) => secretGrants(t, s, m, ["get", "set"]),
    deadlineSeconds: 0.5,
    verdicts: { "storage-listkeys": "failed", "storage-data": "skipped" },
    says: { check: "storage-listkeys", detail: /403 AuthorizationFailed/ },
  },
  {
    title: "IMDS: identity not found",
    models: ["accessPolicy"],
    arrange: (t, s, m) => {
      grantExactly(t, s, m);
      t.fault({ service: "imds", op: "token", response: FAULTS.imdsIdentityNotFound });
    },
    deadlineSeconds: 0.5,
    // Both tokens fail; everything that needs one is skipped.
    verdicts: Object.fromEntries(PROBE_CHECKS.map((n) => [n, n.endsWith("-token") ? "failed" : "skipped"])),
    says: { check: "vault-token", detail: /Identity not found/ },
  },
];

/** Every check's expected status for a row, in the probe's order. */
export function expectedStatuses(c: ProbeCase): Record<string, Verdict> {
  return Object.fromEntries(PROBE_CHECKS.map((n) => [n, c.verdicts[n] ?? "passed"]));
}
