import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Process-level tests spawn and kill real writers; give them room on slow 2-core machines.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
