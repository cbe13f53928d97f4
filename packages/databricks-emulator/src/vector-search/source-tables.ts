import type { Identity } from "../auth/identity.js";
import { ApiError } from "../errors.js";
import type { RowValues } from "./filters.js";

/** One column of a Unity Catalog table, with its UC type name (`string`, `int`, `array<float>`, ...). */
export interface SourceColumn {
  name: string;
  type: string;
}

/**
 * What DELTA_SYNC indexes need from Unity Catalog: the rows of a source table, read as `principal` (the table
 * service checks SELECT). Kept as an interface so Vector Search does not depend on how tables are stored.
 */
export interface SourceTables {
  readTable(fullName: string, principal: Identity): Promise<{ columns: SourceColumn[]; rows: RowValues[] }>;
}

/** Used until a Unity Catalog table service is wired in: DELTA_SYNC indexes are refused with a clear error. */
export const UNAVAILABLE_SOURCE_TABLES: SourceTables = {
  readTable: async (fullName) => {
    throw new ApiError(
      501,
      "NOT_IMPLEMENTED",
      `Cannot read source table '${fullName}': Unity Catalog tables are not available in this emulator build, so DELTA_SYNC indexes cannot be created or synced. Use a DIRECT_ACCESS index.`,
    );
  },
};
