import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { CONFIG_KEYS } from "../lib/config";
import { ROOT } from "./helpers/program";
import { describeWithReference, REFERENCE } from "./helpers/reference";

const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));

describeWithReference("Pulumi.yaml against Pulumi's project schema", () => {
  const schema = JSON.parse(fs.readFileSync(path.join(REFERENCE!, "pulumi-schemas/project.json"), "utf8"));
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

  it("is valid against Pulumi's project schema", () => {
    expect(validate(project) ? [] : validate.errors).toEqual([]);
  });

  it("the schema check bites: a wrong runtime and a typeless config key are refused", () => {
    expect(validate({ ...project, runtime: 42 })).toBe(false);
    expect(validate({ ...project, config: { seats: { description: "no type" } } })).toBe(false);
  });
});

describe("Pulumi.yaml", () => {
  it("names the project dsvm-identity-lab on the nodejs runtime", () => {
    expect(project.name).toBe("dsvm-identity-lab");
    expect(project.runtime.name).toBe("nodejs");
  });

  it("declares exactly the keys the program validates, each with a type and a description", () => {
    expect(Object.keys(project.config).sort()).toEqual([...CONFIG_KEYS].sort());
    for (const [key, decl] of Object.entries<any>(project.config)) {
      expect({ key, type: typeof decl.type, description: (decl.description ?? "").length > 20 }).toEqual({
        key,
        type: "string",
        description: true,
      });
    }
  });

  it("gives every key a default except the SSH public key, which only the user can supply", () => {
    const withoutDefault = Object.entries<any>(project.config)
      .filter(([, d]) => !("default" in d))
      .map(([k]) => k);
    expect(withoutDefault).toEqual(["sshPublicKey"]);
  });

  it("Pulumi.dev.yaml holds no encrypted value, so the offline plan runs as shipped", () => {
    const dev = parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    const secure = Object.entries<any>(dev.config).filter(([, v]) => v && typeof v === "object" && "secure" in v);
    expect(secure).toEqual([]);
  });
});
