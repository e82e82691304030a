// One twin per test file: started in beforeAll with the named identities, stopped in afterAll.
import * as https from "https";
import type { VerifyDeps } from "../../scripts/verify/verify";
import { TwinCredential } from "../../twin/credential";
import { AzureTwin, Identity } from "../../twin/twin";

export { TWIN_ENDPOINTS } from "../../twin/endpoints";

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
