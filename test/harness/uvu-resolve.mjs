// Module resolve hook (see uvu-hooks.mjs): `uvu` means the reporting wrapper, except for the wrapper itself.
const wrapper = new URL('./uvu-reporting.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'uvu' && context.parentURL !== wrapper) return { url: wrapper, shortCircuit: true };
  return nextResolve(specifier, context);
}
