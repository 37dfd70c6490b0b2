import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".bench-out/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: {
      // One call argument per element overflows the stack past ~100k elements: use src/util/array.ts.
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name=/^(min|max)$/] > SpreadElement",
          message: "Math.min/max(...xs) overflows the stack on large arrays: use minOf/maxOf/extent from src/util/array.ts",
        },
        {
          selector: "CallExpression[callee.property.name=/^(push|unshift|splice)$/] > SpreadElement",
          message: "push(...xs) overflows the stack on large arrays: use pushAll from src/util/array.ts or a loop",
        },
        {
          selector: "CallExpression[callee.object.name='String'][callee.property.name=/^fromC(harCode|odePoint)$/] > SpreadElement",
          message: "String.fromCharCode(...xs) overflows the stack on large arrays: decode with TextDecoder or in chunks",
        },
      ],
    },
  },
);
