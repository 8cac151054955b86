// Module hook for main-wiring.test.ts: `electron` resolves to the test double beside it.
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: new URL('./electron-double.mjs', import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
