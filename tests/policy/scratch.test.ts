import { runLab, one } from "../helpers/program";
it("transform", async () => {
  const run = await runLab({}, "dev", {
    beforeProgram: (sdk) =>
      new Promise<void>((resolve) => {
        new sdk.runtime.Stack(async () => {
          sdk.runtime.registerStackTransformation((a) => {
            if (a.type === "azure-native:keyvault:AccessPolicy" && a.name === "vault-seat1") {
              return { props: { ...a.props, policy: sdk.output(a.props.policy).apply((p: any) => ({ ...p, permissions: { ...p.permissions, secrets: [...p.permissions.secrets, "list"] } })) }, opts: a.opts };
            }
            return undefined;
          });
          resolve();
          return {};
        });
      }),
  });
  const r = one(run, "azure-native:keyvault:AccessPolicy", "vault-seat1");
  console.log(JSON.stringify(r.inputs), r.dependencies, r.parent, run.resources.length, run.resources.map(r=>r.type).filter(t=>t.startsWith("pulumi")));
});
