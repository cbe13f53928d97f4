import type { CallbackManagerForToolRun } from "@langchain/core/callbacks/manager";
import { StructuredTool, type ToolRunnableConfig } from "@langchain/core/tools";
import { DatabricksConfigError } from "../errors.js";
import type { QueryType, VectorSearchFilters } from "./types.js";
import type { DatabricksVectorSearchInput } from "./vector-store.js";
import { DatabricksVectorSearch } from "./vector-store.js";

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const DEFAULT_DESCRIPTION =
  "A vector search-based retrieval tool for querying indexed embeddings. Use it to find passages relevant to the question.";

export interface VectorSearchRetrieverToolInput extends Omit<DatabricksVectorSearchInput, "includeScore"> {
  /** @default the index name with dots replaced by `__`, last 64 characters */
  toolName?: string;
  /** @default a generic sentence (plus the source table and columns with {@link VectorSearchRetrieverTool.create}) */
  toolDescription?: string;
  /** Results per call. @default 5 */
  numResults?: number;
  /** Fixed filters applied to every call (they win over model-generated ones). */
  filters?: VectorSearchFilters;
  /** Let the model pass filters (`[{key, value}]`); cannot be combined with `filters`. @default false */
  dynamicFilter?: boolean;
}

/** One model-generated filter: a `filters_json` key (column plus optional operator) and its value. */
export interface FilterItem {
  key: string;
  value: unknown;
}

interface ToolArgs {
  query: string;
  filters?: FilterItem[];
}

const querySchema = { type: "string", description: "The string used to query the index." } as const;

const filtersSchema = (columns: string[] | undefined) => ({
  type: "array",
  description:
    "Optional filters. Each item has a key, a column name optionally followed by an operator (' NOT', ' <', ' <=', ' >', ' >=', ' LIKE'; 'col1 OR col2' for OR), and a value: a string, number, boolean or a list for IN." +
    (columns && columns.length > 0 ? ` Filterable columns: ${columns.join(", ")}.` : "") +
    ' Examples: {"key": "price >", "value": 100}, {"key": "category", "value": ["books", "music"]}.',
  items: {
    type: "object",
    properties: {
      key: { type: "string", description: "Column name, optionally followed by an operator." },
      value: { description: "The value to compare with (or a list of values)." },
    },
    required: ["key", "value"],
    additionalProperties: false,
  },
});

/** Python's tool name rule: dots become `__`, keep the last 64 characters. */
export const defaultToolName = (indexName: string): string => indexName.replace(/\./g, "__").slice(-64);

/**
 * A LangChain tool over a Databricks Vector Search index (as Python's `VectorSearchRetrieverTool`): the model sends
 * `{query}` (and optionally `filters`), the tool returns the matching documents as JSON with their scores and
 * doc URIs. Use {@link VectorSearchRetrieverTool.create} to describe the tool from the index.
 *
 * @example
 * const tool = await VectorSearchRetrieverTool.create({ indexName: "main.docs.chunks_index", numResults: 3 });
 * const agent = createAgent({ model: new ChatDatabricks({ model: "databricks-claude-sonnet-4" }), tools: [tool] });
 */
export class VectorSearchRetrieverTool extends StructuredTool {
  static override lc_name() {
    return "VectorSearchRetrieverTool";
  }

  name: string;
  description: string;
  schema: Record<string, unknown>;
  readonly store: DatabricksVectorSearch;
  readonly numResults: number;
  readonly filters: VectorSearchFilters | undefined;
  readonly dynamicFilter: boolean;
  readonly queryType: QueryType;

  constructor(fields: VectorSearchRetrieverToolInput, filterColumns?: string[]) {
    super();
    const { toolName, toolDescription, numResults, filters, dynamicFilter, ...storeFields } = fields;
    if (toolName !== undefined && !TOOL_NAME.test(toolName)) {
      throw new DatabricksConfigError(
        `toolName must match ^[a-zA-Z0-9_-]{1,64}$, got ${JSON.stringify(toolName)}.`,
      );
    }
    if (dynamicFilter && filters && Object.keys(filters).length > 0) {
      throw new DatabricksConfigError("dynamicFilter cannot be combined with fixed filters: choose one.");
    }
    if (numResults !== undefined && (!Number.isInteger(numResults) || numResults < 1)) {
      throw new DatabricksConfigError(`numResults must be a positive integer, got ${numResults}.`);
    }
    this.store = new DatabricksVectorSearch({ ...storeFields, includeScore: true });
    this.name = toolName ?? defaultToolName(fields.indexName);
    this.description = toolDescription ?? DEFAULT_DESCRIPTION;
    this.numResults = numResults ?? 5;
    this.filters = filters;
    this.dynamicFilter = dynamicFilter ?? false;
    this.queryType = fields.queryType ?? "ANN";
    this.schema = {
      type: "object",
      properties: {
        query: querySchema,
        ...(this.dynamicFilter ? { filters: filtersSchema(filterColumns) } : {}),
      },
      required: ["query"],
      additionalProperties: false,
    };
  }

  /**
   * Builds the tool after reading the index: the description names the source table (delta sync) and the
   * columns, and dynamic-filter schemas list the filterable columns.
   */
  static async create(fields: VectorSearchRetrieverToolInput): Promise<VectorSearchRetrieverTool> {
    const probe = new DatabricksVectorSearch({ ...fields, includeScore: true });
    const info = await probe.describe();
    const columns = (info.schemaColumns ?? []).filter((c) => !c.startsWith("__") && c !== info.vectorColumn);
    let description = fields.toolDescription;
    if (description === undefined) {
      description = DEFAULT_DESCRIPTION;
      if (info.sourceTable) description += ` The queried index uses the source table ${info.sourceTable}.`;
      if (columns.length > 0) description += ` Columns: ${columns.join(", ")}.`;
    }
    const tool = new VectorSearchRetrieverTool(
      { ...fields, toolDescription: description, client: probe.client },
      columns,
    );
    return tool;
  }

  protected async _call(
    args: ToolArgs,
    _runManager?: CallbackManagerForToolRun,
    config?: ToolRunnableConfig,
  ): Promise<string> {
    const llmFilters: VectorSearchFilters = {};
    for (const f of args.filters ?? []) llmFilters[f.key] = f.value;
    const filter = { ...llmFilters, ...(this.filters ?? {}) };
    const results = await this.store.search(args.query, {
      k: this.numResults,
      queryType: this.queryType,
      ...(Object.keys(filter).length > 0 ? { filter } : {}),
      ...(config?.signal ? { signal: config.signal } : {}),
    });
    return JSON.stringify(
      results.map(([doc]) => ({
        page_content: doc.pageContent,
        metadata: doc.metadata,
        ...(doc.id !== undefined ? { id: doc.id } : {}),
      })),
    );
  }
}
