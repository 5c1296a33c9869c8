// Types of prune-build-deps.mjs for the tests (test/package/deb.test.ts).
export const BUILD_ONLY: Set<string>;
export function runtimePackages(lock: { packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }> }, rootManifest: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }): Set<string>;
