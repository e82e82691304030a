import { criticalPath } from "../../scripts/lib/critical-path";

describe("criticalPath", () => {
  it("finds the longest weighted chain in a small graph whose answer is known", () => {
    // rg -> vnet -> subnet -> nic -> vm -> grant ; rg -> vault -> grant ; suffix (weight 0) -> vault
    const graph = [
      { id: "rg", weight: 1, dependsOn: [] },
      { id: "vnet", weight: 1, dependsOn: ["rg"] },
      { id: "subnet", weight: 1, dependsOn: ["vnet"] },
      { id: "nic", weight: 1, dependsOn: ["subnet"] },
      { id: "vm", weight: 1, dependsOn: ["nic"] },
      { id: "suffix", weight: 0, dependsOn: [] },
      { id: "vault", weight: 1, dependsOn: ["rg", "suffix"] },
      { id: "grant", weight: 1, dependsOn: ["vm", "vault"] },
    ];
    expect(criticalPath(graph)).toEqual({ length: 6, chain: ["rg", "vnet", "subnet", "nic", "vm", "grant"] });
  });

  it("does not count weightless steps, and an empty graph has length 0", () => {
    expect(criticalPath([{ id: "a", weight: 0, dependsOn: [] }, { id: "b", weight: 0, dependsOn: ["a"] }])).toEqual({ length: 0, chain: [] });
    expect(criticalPath([])).toEqual({ length: 0, chain: [] });
  });

  it("refuses a cycle", () => {
    expect(() => criticalPath([{ id: "a", weight: 1, dependsOn: ["b"] }, { id: "b", weight: 1, dependsOn: ["a"] }])).toThrow(/cycle/);
  });
});
