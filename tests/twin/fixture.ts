// One twin per test file: started in beforeAll with the named identities, stopped in afterAll.
import * as https from "https";
import { verifyCli } from "../../scripts/verify/cli";
import type { VerifyDeps } from "../../scripts/verify/verify";
import { TwinCredential } from "../../twin/credential";
import { AzureTwin, Identity } from "../../twin/twin";

import { TWIN_ENDPOINTS } from "../../twin/endpoints";

export { TWIN_ENDPOINTS };

export interface TwinFixture {
  readonly twin: AzureTwin;
  /** The identities asked for, by name. */
  readonly id: Readonly<Record<string, Identity>>;
}

/** `identities`: name -> the VM it belongs to (undefined for an operator's identity). */
export function useTwin(identities: Record<string, string | undefined>, options: { vaultName?: string } = {}): TwinFixture {
  const fixture = { twin: undefined as unknown as AzureTwin, id: {} as Record<string, Identity> };
  beforeAll(async () => {
    fixture.twin = await AzureTwin.start(options);
    for (const [name, vm] of Object.entries(identities)) fixture.id[name] = await fixture.twin.addIdentity(name, vm);
  });
  afterAll(async () => {
    await fixture.twin?.stop();
  });
  return fixture;
}

/** The operator's side of verify against twins: its identity, the first twin's ARM, and trust in every twin's CA. */
export function operatorDeps(operator: Identity, twins: readonly AzureTwin[], progressEveryMs = 60000): VerifyDeps {
  const agent = new https.Agent({ ca: twins.map((t) => t.certs.ca) });
  return {
    credential: new TwinCredential(operator),
    armEndpoint: twins[0].armUrl,
    additionalPolicies: [
      { position: "perCall", policy: { name: "trust-twin-ca", sendRequest: (req, next) => ((req.agent = agent), next(req)) } },
    ],
    pollIntervalMs: 200,
    progressEveryMs,
  };
}

/**
 * A twin with these seats (name -> VM) and an operator, and verify's deps for the operator. They poll run command
 * once a second, as its Retry-After asks: each poll is a TLS connection to the twin in this process.
 */
export function useVerifyTwin(seats: Record<string, string>, progressEveryMs?: number): TwinFixture & { readonly deps: VerifyDeps } {
  const lab = useTwin({ ...seats, operator: undefined });
  const fixture = {
    get twin() {
      return lab.twin;
    },
    get id() {
      return lab.id;
    },
    deps: undefined as unknown as VerifyDeps,
  };
  beforeAll(() => {
    fixture.deps = { ...operatorDeps(lab.id.operator, [lab.twin], progressEveryMs), pollIntervalMs: 1000 };
  });
  return fixture;
}

/** verify's command against the twins, with what it prints kept; a refusal rejects. */
export async function runVerify(argv: string[], deps: VerifyDeps): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } };
  const code = await verifyCli(argv, io, () => deps, TWIN_ENDPOINTS);
  return { code, stdout, stderr };
}
