// typescript-eslint's recommended rules for every TypeScript file; formatting is Prettier's (npm run lint runs both).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", ".reference/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      // Pulumi's property bags and the ARM bodies the twin and the policy read are untyped JSON.
      "@typescript-eslint/no-explicit-any": "off",
      // tsc's noUnusedLocals/noUnusedParameters already refuse these, with the same names.
      "@typescript-eslint/no-unused-vars": "off",
      // require() is how tests load a fresh module registry per Pulumi run (jest.isolateModules).
      "@typescript-eslint/no-require-imports": "off",
      // The sanitizers (lib/printable.ts, policy/secrets.ts) and their tests match control characters on purpose.
      "no-control-regex": "off",
    },
  },
  { files: ["**/*.js", "**/*.cjs"], languageOptions: { sourceType: "commonjs" } },
);
