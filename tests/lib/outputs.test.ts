// The stack outputs are one contract (lib/outputs.ts). The @ts-expect-error lines are the test that a renamed output
// fails tsc: `npm test` type-checks this file, and an expect-error line that compiles is itself an error.
import type { LabOutputs, UntrustedOutputs } from "../../lib/outputs";
import type { StackOutputs } from "../../scripts/lab/decisions";
import type { VerifyOutputs } from "../../scripts/verify/outputs";
import { runLab } from "../helpers/program";

/** Every key of LabOutputs, once: adding or renaming one without updating this list fails tsc. */
const KEYS: { readonly [K in keyof LabOutputs]-?: true } = {
  resourceGroupName: true,
  vaultName: true,
  vaultUri: true,
  vaults: true,
  secretName: true,
  os: true,
  storageAccountName: true,
  storageAccountId: true,
  blobEndpoint: true,
  seatVms: true,
  ephemeral: true,
  expiresAt: true,
  createdAt: true,
  owner: true,
};

describe("LabOutputs: the stack outputs, declared once", () => {
  it("index.ts exports exactly LabOutputs' keys (a lasting lab's expiresAt and an unowned one's owner are undefined)", async () => {
    const run = await runLab();
    expect(Object.keys(run.outputs).sort()).toEqual(Object.keys(KEYS).sort());
    expect(run.outputs).toMatchObject({ ephemeral: false, expiresAt: undefined, owner: undefined });
    const ephemeral = await runLab({ ephemeral: "true", ttlHours: "4", createdAt: "2025-01-31T09:00:00Z", owner: "ada" });
    expect(Object.keys(ephemeral.outputs).sort()).toEqual(Object.keys(KEYS).sort());
    expect(ephemeral.outputs).toMatchObject({
      ephemeral: true,
      expiresAt: "2025-01-31T13:00:00Z",
      createdAt: "2025-01-31T09:00:00Z",
      owner: "ada",
    });
  });

  it("a renamed output fails type-checking where it is written and everywhere it is read", () => {
    const renamed = { resourceGroupNam: "rg" };
    // @ts-expect-error resourceGroupNam is not an output
    const written: Partial<LabOutputs> = { resourceGroupNam: "rg" };
    const untrusted: UntrustedOutputs = {};
    // @ts-expect-error the lab CLI cannot read an output that does not exist
    void untrusted.ephemeralz;
    const stack: StackOutputs = {};
    // @ts-expect-error the lab CLI's reader neither
    void stack.expiresAT;
    const verify = { seatVms: [] } as unknown as VerifyOutputs;
    // @ts-expect-error verify's parser neither
    void verify.storageAccountID;
    // @ts-expect-error nor a seat's field
    void verify.seatVms[0]?.vmID;
    // The lines above are type-level; this keeps the file from asserting nothing at run time.
    expect([renamed, written, stack].map((o) => Object.keys(o).every((k) => k in KEYS))).toEqual([false, false, true]);
  });
});
