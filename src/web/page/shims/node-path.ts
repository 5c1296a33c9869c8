// Stands in for node:path in the page bundle (see vite.config.ts). The engine modules the page imports
// use node:path only in functions the page never calls; if one ever did, it fails loudly here.
function unavailable(): never {
  throw new Error('node:path is not available in the page');
}

export const join = unavailable;
export const resolve = unavailable;
export const dirname = unavailable;
export const basename = unavailable;
export const extname = unavailable;
export const isAbsolute = unavailable;
export const normalize = unavailable;
export const relative = unavailable;
export const sep = '/';
export const posix = { join: unavailable, resolve: unavailable, dirname: unavailable, basename: unavailable, extname: unavailable, normalize: unavailable, sep: '/' };
export default { join, resolve, dirname, basename, extname, isAbsolute, normalize, relative, sep, posix };
