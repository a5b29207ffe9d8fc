/** The samples build.mjs builds in: each .nn source with its CSV. */
declare module 'virtual:samples' {
  const samples: { name: string; nn: string; csv: string; source: string; data: string }[];
  export default samples;
}
