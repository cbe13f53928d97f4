import type { Identity } from "../auth/identity.js";
import { ApiError } from "../errors.js";
import type { UnityCatalog } from "../sql/catalog.js";
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

/** DELTA_SYNC sources from the emulator's Unity Catalog tables (DuckDB); SELECT is checked for the caller. */
export const unityCatalogSourceTables = (uc: UnityCatalog): SourceTables => ({
  readTable: async (fullName, principal) => {
    const t = await uc.readTable(fullName, { principal });
    const columns = t.columns.map((c) => ({ name: c.name, type: c.type }));
    const rows = t.rows.map((r) => {
      const o: RowValues = {};
      columns.forEach((c, i) => {
        o[c.name] = r[i];
      });
      return o;
    });
    return { columns, rows };
  },
});
