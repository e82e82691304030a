// One twin per test file: started in beforeAll with the named identities, stopped in afterAll.
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
