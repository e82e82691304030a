// Azure's clock for the lab CLI (conformance: arm-date-header): the Date header of an answer from the ARM endpoint,
// read without a credential.
// A local HTTP server stands in for the endpoint; only the IMF-fixdate form is accepted.
import { ARM_TYPE, resourceId } from "../../../lib/azure";
import * as http from "http";
import type { AddressInfo } from "net";
import { azureNow, azureVaultPurger, dateHeaderTime } from "../../../scripts/lab/azure";

describe("dateHeaderTime", () => {
  it("reads an IMF-fixdate", () => {
    expect(dateHeaderTime("Sat, 01 Mar 2025 12:00:07 GMT").toISOString()).toBe("2025-03-01T12:00:07.000Z");
    expect(dateHeaderTime(["Sat, 01 Mar 2025 12:00:07 GMT"]).toISOString()).toBe("2025-03-01T12:00:07.000Z");
  });

  it.each([
    undefined,
    "",
    "2025-03-01T12:00:07Z",
    "Saturday, 01-Mar-25 12:00:07 GMT",
    "Sat, 01 Mar 2025 12:00:07 +0100",
    "Sat, 99 Mar 2025 12:00:07 GMT",
  ])("refuses %j", (header) => {
    expect(() => dateHeaderTime(header)).toThrow(/no usable Date header/);
  });
});

describe("azureNow", () => {
  let server: http.Server;
  let seen: http.IncomingHttpHeaders[];
  let date: string | undefined;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.sendDate = false;
      if (date) res.setHeader("Date", date);
      // ARM answers an unauthenticated request with an error; the Date header is what is read.
      res.writeHead(req.method === "HEAD" ? 400 : 405).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen = [];
    date = undefined;
  });

  it("takes the Date of the answer, whatever its status, and sends no credential", async () => {
    date = "Sat, 01 Mar 2025 12:00:07 GMT";
    await expect(azureNow(url)).resolves.toEqual(new Date("2025-03-01T12:00:07Z"));
    expect(seen).toHaveLength(1);
    expect(seen[0].authorization).toBeUndefined();
  });

  it("fails without a Date header", async () => {
    await expect(azureNow(url)).rejects.toThrow(/no usable Date header \(null\)/);
  });

  it("fails when nothing answers", async () => {
    await expect(azureNow("http://127.0.0.1:1/", 2000)).rejects.toThrow(/ECONNREFUSED/);
  });
});

// The purger against a stand-in KeyVaultManagementClient: it passes on Azure's deleted-vault record (vaultId) and
// purges only the vault whose original id was judged, even if the name was deleted again by another vault since.
const deletedVaults = new Map<string, { name: string; properties: { vaultId: string; location: string } }>();
const purgeCalls: string[] = [];
jest.mock("@azure/arm-keyvault", () => ({
  KeyVaultManagementClient: class {
    vaults = {
      listDeleted: async function* () {
        yield* deletedVaults.values();
      },
      getDeleted: async (name: string) => {
        const v = deletedVaults.get(name);
        if (!v) throw Object.assign(new Error("not found"), { statusCode: 404 });
        return v;
      },
      purgeDeleted: async (name: string, location: string) => void purgeCalls.push(`${name}@${location}`),
    };
  },
}));

describe("azureVaultPurger", () => {
  const SUB = "00000000-0000-0000-0000-000000000501";
  const id = (rg: string, name: string) => resourceId(SUB, rg, ARM_TYPE.vault, name);
  beforeEach(() => {
    deletedVaults.clear();
    purgeCalls.length = 0;
  });

  it("lists each soft-deleted vault with its original id (DeletedVaultProperties.vaultId)", async () => {
    deletedVaults.set("kv-1", { name: "kv-1", properties: { vaultId: id("lab-rg", "kv-1"), location: "westeurope" } });
    expect(await azureVaultPurger().listDeleted(SUB)).toEqual([
      { name: "kv-1", location: "westeurope", subscriptionId: SUB, vaultId: id("lab-rg", "kv-1") },
    ]);
  });

  it("purges when the record still has the judged original id", async () => {
    deletedVaults.set("kv-1", { name: "kv-1", properties: { vaultId: id("lab-rg", "kv-1"), location: "westeurope" } });
    await expect(
      azureVaultPurger().purge({ name: "kv-1", location: "westeurope", subscriptionId: SUB, vaultId: id("LAB-RG", "kv-1") }),
    ).resolves.toBe("purged");
    expect(purgeCalls).toEqual(["kv-1@westeurope"]);
  });

  it("refuses when the name now belongs to a vault from another resource group, or no id was judged", async () => {
    deletedVaults.set("kv-1", { name: "kv-1", properties: { vaultId: id("prod-rg", "kv-1"), location: "westeurope" } });
    await expect(
      azureVaultPurger().purge({ name: "kv-1", location: "westeurope", subscriptionId: SUB, vaultId: id("lab-rg", "kv-1") }),
    ).rejects.toThrow(/now comes from .*prod-rg.*not purged/);
    await expect(azureVaultPurger().purge({ name: "kv-1", location: "westeurope", subscriptionId: SUB })).rejects.toThrow(/not purged/);
    expect(purgeCalls).toEqual([]);
  });

  it("already gone: absent, nothing purged", async () => {
    await expect(
      azureVaultPurger().purge({ name: "kv-9", location: "westeurope", subscriptionId: SUB, vaultId: id("lab-rg", "kv-9") }),
    ).resolves.toBe("absent");
    expect(purgeCalls).toEqual([]);
  });
});
