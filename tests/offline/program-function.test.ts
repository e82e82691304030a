// pulumi-program-export-function: index.ts exports a function, which Pulumi's language host calls, taking its result
// as the stack outputs. The harness does the same, in a Pulumi store of its own per run (as the Automation API runs an
// inline program), so runs in one process share the loaded SDK and modules but never config, resources or outputs.
import * as path from "path";
import { runProgram } from "../../offline/harness";
import { ofType, ROOT, runLab } from "../helpers/program";
import { TYPE } from "../../lib/azure/tokens";

const VM = TYPE.vm;

describe("the program is a function (pulumi-program-export-function)", () => {
  it("index.ts exports one function and nothing else", () => {
    const exported = require(path.join(ROOT, "index.ts")) as unknown;
    expect(typeof exported).toBe("function");
  });

  it("runs one after another in one process keep nothing of each other: config, resources, outputs", async () => {
    const one = await runLab({ seats: "1" });
    const three = await runLab({ seats: "3", namePrefix: "other" });
    const again = await runLab({ seats: "1" });
    expect(ofType(one, VM)).toHaveLength(1);
    expect(ofType(three, VM)).toHaveLength(3);
    expect(ofType(again, VM)).toHaveLength(1);
    expect(again.resources.map((r) => r.urn)).toEqual(one.resources.map((r) => r.urn));
    expect(JSON.stringify(again.outputs)).not.toContain("other-");
    expect(String(three.outputs.resourceGroupName)).toMatch(/^other-/);
  });

  it("runs at the same time keep apart too (each has its own store)", async () => {
    const [two, four] = await Promise.all([runLab({ seats: "2" }), runLab({ seats: "4" })]);
    expect([ofType(two, VM).length, ofType(four, VM).length]).toEqual([2, 4]);
    expect((two.outputs.seatVms as unknown[]).length).toBe(2);
    expect((four.outputs.seatVms as unknown[]).length).toBe(4);
  });

  it("a program that registers as it loads runs once per process, and a second run says so instead of planning nothing", async () => {
    const opts = { stack: "dev", config: {}, programDir: path.join(__dirname, "fixtures"), programFile: "top-level-program.ts" };
    const first = await runProgram(opts);
    expect(first.resources.map((r) => r.name)).toEqual(["rg"]);
    await expect(runProgram(opts)).rejects.toThrow(/registers its resources as it loads, so it runs once per process; export a function/);
  });
});
