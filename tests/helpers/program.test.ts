// runLab runs the program once per config in a test file and hands every caller the same frozen run; a run with a
// beforeProgram hook (a mutation) is always its own.
import { deepFreeze, runLab } from "./program";

describe("runLab", () => {
  it("runs a config once per file and freezes the run, so no test can change what another sees", async () => {
    const [a, b] = await Promise.all([runLab({ seats: "1" }), runLab({ seats: "1" })]);
    expect(b).toBe(a);
    expect(Object.isFrozen(a.resources)).toBe(true);
    expect(Object.isFrozen(a.resources[0].inputs)).toBe(true);
    expect(() => (a.resources as unknown[]).push({})).toThrow(TypeError);
    expect(() => {
      (a.outputs as Record<string, unknown>).extra = 1;
    }).toThrow(TypeError);
    expect(await runLab({ seats: "1" })).toBe(a);
  });

  it("runs another config anew", async () => {
    const one = await runLab({ seats: "1" });
    const two = await runLab({ seats: "2" });
    expect(two).not.toBe(one);
    expect(two.resources.length).toBeGreaterThan(one.resources.length);
  });

  it("runs the program every time a beforeProgram hook is given", async () => {
    let calls = 0;
    const hook = { beforeProgram: () => void calls++ };
    const first = await runLab({ seats: "1" }, "dev", hook);
    const second = await runLab({ seats: "1" }, "dev", hook);
    expect(calls).toBe(2);
    expect(second).not.toBe(first);
    expect(Object.isFrozen(first.resources)).toBe(false);
  });
});

describe("deepFreeze", () => {
  it("freezes nested objects and arrays, and leaves a Set usable", () => {
    const value = deepFreeze({ a: [{ b: 1 }], s: new Set(["x"]) });
    expect(Object.isFrozen(value.a[0])).toBe(true);
    value.s.add("y");
    expect([...value.s]).toEqual(["x", "y"]);
  });
});
