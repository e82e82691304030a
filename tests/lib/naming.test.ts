import { deterministicGuid, seatVmName, shutdownScheduleName } from "../../lib/naming";

describe("naming", () => {
  it("makes the same GUID from the same parts, and a different one from different parts", () => {
    const a = deterministicGuid("/subscriptions/x/rg", "principal", "role");
    expect(deterministicGuid("/subscriptions/x/rg", "principal", "role")).toBe(a);
    expect(deterministicGuid("/subscriptions/x/rg", "principal2", "role")).not.toBe(a);
    expect(deterministicGuid("a|b")).not.toBe(deterministicGuid("a", "b").replace(/./, "x"));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("names seats and their DevTest Labs schedule as Azure expects", () => {
    expect(seatVmName("lab", 3)).toBe("lab-vm3");
    expect(shutdownScheduleName("lab-vm3")).toBe("shutdown-computevm-lab-vm3");
  });
});
