/** The published version of this package, injected at build time. */
export const PACKAGE_VERSION: string = __PKG_VERSION__;
/** The command's name (the bin npm links). */
export const PACKAGE_NAME = "langchain-databricks";
