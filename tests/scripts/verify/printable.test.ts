// End to end against the twin: text that comes back from a seat (here an error code in the vault's answer, which the
// probe quotes in its detail) carries terminal escape sequences and C1 controls. verify prints the table and the JSON
// with none of them, but with the readable rest. Without the cleaning, the raw bytes reach stdout (the test can fail:
// the probe's own JSON line is checked to carry them).
import * as fs from "fs";
import type { VerifyOutputs } from "../../../scripts/verify/outputs";
import * as path from "path";
import { VerifyDeps } from "../../../scripts/verify/verify";
import { runVerify, useVerifyTwin } from "../../twin/fixture";
import { grantLab } from "../../../twin/grants";
import { AzureTwin, Identity } from "../../../twin/twin";
import { twinOutputs } from "../../../twin/outputs";

const SECRET = "SQLPasswd";
const HOSTILE_CODE = "Bad\u001b[2J\u001b]0;owned\u0007\u009b31mRequest\u202e";
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

let twin: AzureTwin;
let seat1: Identity;
let operator: Identity;
let deps: VerifyDeps;
let outputsFile: string;

const lab = useVerifyTwin({ seat1: "dsvmlab-vm1" });
beforeAll(() => {
  ({
    twin,
    id: { seat1, operator },
    deps,
  } = lab);
  outputsFile = path.join(twin.dir, "outputs-printable.json");
  fs.writeFileSync(outputsFile, JSON.stringify(twinOutputs(twin, [seat1], SECRET) satisfies VerifyOutputs));
});

function arrange() {
  grantLab(twin, operator, [seat1], SECRET);
  // The seat's get is answered with a 400 whose error code is hostile: the probe fails secret-get and quotes it.
  twin.fault({
    service: "vault",
    op: "get",
    principalId: seat1.principalId,
    response: { status: 400, body: { error: { code: HOSTILE_CODE, message: "x" } } },
  });
}

const verify = (argv: string[]) => runVerify(argv, deps);

describe("verify prints what a seat reports, never escape sequences", () => {
  it("the probe really quotes the hostile code (so the bytes would reach verify)", async () => {
    arrange();
    const { runProbe, probeArgs } = await import("../../../twin/probe");
    const run = await runProbe(probeArgs(twin, SECRET, 3), twin.probeEnv(seat1));
    expect(run.check("secret-get").detail).toContain(HOSTILE_CODE);
  });

  it("the table shows the failure, readable, and no control character", async () => {
    arrange();
    const run = await verify(["--outputs", outputsFile, "--deadline-seconds", "3"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/seat 1 secret-get: .*HTTP 400 Bad(0;owned)?Request/);
    expect(run.stdout).not.toMatch(CONTROL);
  }, 60000);

  it("the JSON holds the cleaned detail, and no control character either", async () => {
    arrange();
    const run = await verify(["--outputs", outputsFile, "--deadline-seconds", "3", "--json"]);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(CONTROL);
    expect(run.stdout).not.toMatch(/\\u00(1b|9b)|\\u202e/i);
    const detail = JSON.parse(run.stdout).seats[0].checks.find((c: { name: string }) => c.name === "secret-get").detail;
    expect(detail).toMatch(/HTTP 400 BadRequest/);
  }, 60000);
});
