import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/suite-temp.ts"],
    // test/deep runs only in `npm run test:deep` (DEEP=1): minutes of replay each, not for every run.
    exclude: process.env["DEEP"] === "1" ? configDefaults.exclude : [...configDefaults.exclude, "test/deep/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
