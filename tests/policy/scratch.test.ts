import { runLab, one } from "../helpers/program";
it("transform", async () => {
  const run = await runLab({}, "dev", {
    beforeProgram: (sdk) =>
      sdk.runtime.registerStackTransformation((a) => {
        if (a.type === "azure-native:keyvault:AccessPolicy" && a.name === "vault-seat1") {
          return { props: { ...a.props, policy: sdk.output(a.props.policy).apply((p: any) => ({ ...p, permissions: { ...p.permissions, secrets: [...p.permissions.secrets, "list"] } })) }, opts: a.opts };
        }
        return undefined;
      }),
  });
  console.log(JSON.stringify(one(run, "azure-native:keyvault:AccessPolicy", "vault-seat1").inputs), one(run, "azure-native:keyvault:AccessPolicy", "vault-seat1").dependencies);
});
