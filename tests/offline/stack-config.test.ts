// offline/stack-config.ts remembers decoded YAML by its text: a file changed between reads is read anew, and a file the
// CLI would refuse is refused every time, not only the first.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackConfig, StackConfigError } from "../../offline/stack-config";
import { ROOT } from "../helpers/program";

describe("readStackConfig reading the same files again", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-config-"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (text: string) => fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), text);

  it("sees a stack file's new value after it changes", () => {
    write("config:\n  dsvm-identity-lab:seats: '2'\n");
    expect(readStackConfig(dir, "dev").seats).toBe("2");
    write("config:\n  dsvm-identity-lab:seats: '3'\n");
    expect(readStackConfig(dir, "dev").seats).toBe("3");
    write("config:\n  dsvm-identity-lab:seats: '2'\n");
    expect(readStackConfig(dir, "dev").seats).toBe("2");
  });

  it("refuses a file the CLI would refuse on every read", () => {
    write("config:\n  dsvm-identity-lab:seats: '2'\n  dsvm-identity-lab:seats: '3'\n");
    for (let i = 0; i < 2; i++) expect(() => readStackConfig(dir, "dev")).toThrow(StackConfigError);
  });
});
