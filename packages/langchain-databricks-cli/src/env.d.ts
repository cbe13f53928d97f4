/** Replaced at build time (tsdown) and test time (vitest) with the package version. */
declare const __PKG_VERSION__: string;
