// The lab CLI's argument rules, table by table: TTLs, lab names, --seats and --config, and what create sets.
import { UsageError } from "../../../scripts/shared/cli";
import { createConfig, labStackName, parseSeats, parseTtl } from "../../../scripts/lab/args";
import { parseConfigPairs } from "../../../scripts/shared/config-pairs";

const NOW = new Date("2025-03-01T12:00:00Z");

describe("parseTtl", () => {
  it.each([
    ["8h", 8, undefined],
    ["1h", 1, undefined],
    ["2d", 48, undefined],
    ["7d", 168, undefined],
    ["168h", 168, undefined],
    ["120m", 2, undefined],
    ["90m", 2, "--ttl 90m rounded up to 2h (ttlHours is whole hours)"],
    ["1m", 1, "--ttl 1m rounded up to 1h (ttlHours is whole hours)"],
  ])("%s is %ih", (text, hours, note) => {
    expect(parseTtl(text)).toEqual(note ? { hours, note } : { hours });
  });

  it.each(["0h", "0m", "8d", "169h", "10081m", "8", "h", "-1h", "1.5h", "8H", "8 h", "", "1w"])(
    "refuses %j naming the flag and the form",
    (text) => {
      expect(() => parseTtl(text)).toThrow(UsageError);
      expect(() => parseTtl(text)).toThrow(`--ttl ${JSON.stringify(text)}: expected a duration from 1h to 7d, such as 8h, 90m or 2d`);
    },
  );

  it("requires --ttl", () => expect(() => parseTtl(undefined)).toThrow("missing --ttl"));
});

describe("names, seats and --config", () => {
  it.each([
    ["ws", "lab-ws"],
    ["workshop-1", "lab-workshop-1"],
    ["a".repeat(30), `lab-${"a".repeat(30)}`],
  ])("%s is the stack %s", (name, stack) => expect(labStackName(name)).toBe(stack));

  it.each(["", "Ws", "-ws", "ws-", "w_s", "a".repeat(31), "lab/ws", "ws!"])("refuses the name %j", (name) => {
    expect(() => labStackName(name)).toThrow(UsageError);
  });

  it.each([
    ["1", "1"],
    ["12", "12"],
    [undefined, undefined],
  ])("--seats %j", (text, expected) => expect(parseSeats(text)).toBe(expected));
  it.each(["0", "-1", "1.5", "x", "01", "99999"])("refuses --seats %j", (text) =>
    expect(() => parseSeats(text)).toThrow(`--seats "${text}"`),
  );

  it("takes bare and namespaced keys; values may hold '='", () => {
    expect(parseConfigPairs(["seats=3", "dsvm-identity-lab:owner=ada", "sshPublicKey=ssh-ed25519 AAA= c"])).toEqual({
      seats: "3",
      owner: "ada",
      sshPublicKey: "ssh-ed25519 AAA= c",
    });
  });

  it.each([
    ["ephemeral=false", "set by lab create"],
    ["createdAt=2020-01-01T00:00:00Z", "set by lab create"],
    ["ttlHours=99", "set by lab create"],
    ["=x", "expected key=value"],
    ["seats", "expected key=value"],
    ["other:key=1", "expected key=value"],
  ])("refuses --config %j", (pair, message) => expect(() => parseConfigPairs([pair])).toThrow(message));

  it("create sets ephemeral, ttlHours, createdAt (the clock, once) and an owner", () => {
    const values = createConfig({
      ttl: { hours: 8 },
      seats: "2",
      pairs: { vmSize: "Standard_D2s_v5" },
      owner: "ada",
      now: new Date("2025-03-01T12:00:00.789Z"),
    });
    expect(values).toEqual({
      vmSize: "Standard_D2s_v5",
      seats: "2",
      owner: "ada",
      ephemeral: "true",
      ttlHours: "8",
      createdAt: "2025-03-01T12:00:00Z",
    });
    expect(createConfig({ ttl: { hours: 1 }, pairs: { owner: "bob" }, owner: "ada", now: NOW }).owner).toBe("bob");
  });
});
