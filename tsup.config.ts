import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli/main.ts',
    prettier: 'src/format/prettier-plugin.ts',
  },
  format: ['esm'],
  target: 'node20',
  dts: { entry: { index: 'src/index.ts', prettier: 'src/format/prettier-plugin.ts' } },
  clean: true,
  sourcemap: true,
  banner: ({ format }) => (format === 'esm' ? {} : {}),
});
