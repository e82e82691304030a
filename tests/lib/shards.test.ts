import { effectiveSeatsPerVault, roleAssignmentUse, shardOfSeat, vaultLogicalName, vaultShards } from "../../lib/shards";

const summary = (seats: number, per: number) =>
  vaultShards(seats, per).map((s) => [s.logicalName, s.seats[0], s.seats[s.seats.length - 1], s.seats.length]);

describe("vaultShards at the boundary (shard size 500)", () => {
  it("keeps 500 seats in the one vault named vault", () => {
    expect(summary(500, 500)).toEqual([["vault", 1, 500, 500]]);
  });

  it("opens vault2 for seat 501, and only for it", () => {
    expect(summary(501, 500)).toEqual([
      ["vault", 1, 500, 500],
      ["vault2", 501, 501, 1],
    ]);
    expect(shardOfSeat(500, 500)).toBe(0);
    expect(shardOfSeat(501, 500)).toBe(1);
  });

  it("fills two vaults exactly at 1000 and opens a third at 1001", () => {
    expect(summary(1000, 500)).toEqual([
      ["vault", 1, 500, 500],
      ["vault2", 501, 1000, 500],
    ]);
    expect(summary(1001, 500)).toEqual([
      ["vault", 1, 500, 500],
      ["vault2", 501, 1000, 500],
      ["vault3", 1001, 1001, 1],
    ]);
    expect(shardOfSeat(1000, 500)).toBe(1);
    expect(shardOfSeat(1001, 500)).toBe(2);
  });

  it("puts every seat in exactly one vault, in order, at the largest lab (4000 seats)", () => {
    const shards = vaultShards(4000, 500);
    expect(shards).toHaveLength(8);
    const all = shards.flatMap((s) => s.seats);
    expect(all).toEqual(Array.from({ length: 4000 }, (_, i) => i + 1));
    for (const s of shards) for (const seat of s.seats) expect(shardOfSeat(seat, 500)).toBe(s.index);
  });

  it("always has the first vault, even before any seat, and names vaults vault, vault2, vault3", () => {
    expect(summary(1, 500)).toEqual([["vault", 1, 1, 1]]);
    expect(vaultShards(0, 500)).toEqual([{ index: 0, logicalName: "vault", seats: [] }]);
    expect([0, 1, 2].map(vaultLogicalName)).toEqual(["vault", "vault2", "vault3"]);
  });

  it("refuses nonsense sizes", () => {
    expect(() => vaultShards(10, 0)).toThrow(/seatsPerVault/);
    expect(() => vaultShards(1.5, 500)).toThrow(/seats/);
    expect(() => shardOfSeat(0, 500)).toThrow(/count from 1/);
  });

  it("keeps one vault in the RBAC model, which has no access-policy limit", () => {
    expect(effectiveSeatsPerVault(1200, 500, true)).toBe(1200);
    expect(effectiveSeatsPerVault(1200, 500, false)).toBe(500);
  });
});

describe("roleAssignmentUse", () => {
  it("counts one listKeys assignment per seat, plus one per seat for lab users", () => {
    expect(roleAssignmentUse({ seats: 10, labUsers: false })).toEqual({
      listKeys: 10,
      labUsers: 0,
      vault: 0,
      adminLogin: 0,
      total: 10,
      perSeat: 1,
    });
    expect(roleAssignmentUse({ seats: 10, labUsers: true })).toEqual({
      listKeys: 10,
      labUsers: 10,
      vault: 0,
      adminLogin: 0,
      total: 20,
      perSeat: 2,
    });
  });

  it("adds the RBAC vault's assignments: each seat on its two secrets, each operator once", () => {
    expect(roleAssignmentUse({ seats: 10, labUsers: false, vaultRbac: true, operators: 2 })).toEqual({
      listKeys: 10,
      labUsers: 0,
      vault: 22,
      adminLogin: 0,
      total: 32,
      perSeat: 3,
    });
  });

  it("adds Windows seats' VM Administrator Login: one per seat for the deployer and each operator", () => {
    expect(roleAssignmentUse({ seats: 10, labUsers: true, operators: 3, adminLoginsPerSeat: 3 })).toEqual({
      listKeys: 10,
      labUsers: 10,
      vault: 0,
      adminLogin: 30,
      total: 50,
      perSeat: 5,
    });
    // The argument is optional: callers that do not pass it count none, as before.
    expect(roleAssignmentUse({ seats: 4, labUsers: false, adminLoginsPerSeat: 0 })).toEqual(
      roleAssignmentUse({ seats: 4, labUsers: false }),
    );
  });

  it("refuses a nonsense count of admin logins, naming it", () => {
    expect(() => roleAssignmentUse({ seats: 1, labUsers: false, adminLoginsPerSeat: -1 })).toThrow(
      /adminLoginsPerSeat must be a whole number, got -1/,
    );
    expect(() => roleAssignmentUse({ seats: 1, labUsers: false, adminLoginsPerSeat: 1.5 })).toThrow(/adminLoginsPerSeat/);
  });
});
