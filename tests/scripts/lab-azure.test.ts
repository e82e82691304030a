// Azure's clock for the lab CLI (conformance: arm-date-header): the Date header of an answer from the ARM endpoint,
// read without a credential.
// A local HTTP server stands in for the endpoint; only the IMF-fixdate form is accepted.
import * as http from "http";
import type { AddressInfo } from "net";
import { azureNow, dateHeaderTime } from "../../scripts/lib/lab-azure";

describe("dateHeaderTime", () => {
  it("reads an IMF-fixdate", () => {
    expect(dateHeaderTime("Sat, 01 Mar 2025 12:00:07 GMT").toISOString()).toBe("2025-03-01T12:00:07.000Z");
    expect(dateHeaderTime(["Sat, 01 Mar 2025 12:00:07 GMT"]).toISOString()).toBe("2025-03-01T12:00:07.000Z");
  });

  it.each([undefined, "", "2025-03-01T12:00:07Z", "Saturday, 01-Mar-25 12:00:07 GMT", "Sat, 01 Mar 2025 12:00:07 +0100", "Sat, 99 Mar 2025 12:00:07 GMT"])("refuses %j", (header) => {
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
