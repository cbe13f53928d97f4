import type { ModelProfile } from "@langchain/core/language_models/profile";
import { ChatDatabricksBase, type ChatProtocol } from "./base.js";
import { ChatCompletionsProtocol } from "./chat-completions.js";
import { keepConfigProfile, profileForEndpoint } from "./profiles.js";
import { ResponsesProtocol } from "./responses.js";
import type { ChatDatabricksInput } from "./types.js";

/**
 * LangChain chat model for Databricks Model Serving: foundation models, external models, custom chat models,
 * and ChatAgent/ResponsesAgent endpoints.
 *
 * Setup: `npm install langchain-databricks @langchain/core`, then set `DATABRICKS_HOST` and
 * `DATABRICKS_TOKEN` (or any Databricks unified-auth method: profile, OAuth M2M, CLI).
 *
 * Runtime options (`tools`, `tool_choice`, `stop`, `temperature`, `customInputs`, ...) can be passed per call,
 * bound with `.withConfig(...)`, or given as the second argument of `.bindTools(...)`.
 *
 * @example
 * ```ts
 * const chat = new ChatDatabricks({ model: "databricks-meta-llama-3-3-70b-instruct", maxTokens: 256 });
 * const reply = await chat.invoke("Hello!");
 * for await (const chunk of await chat.stream("Tell me a story")) process.stdout.write(chunk.text);
 * const withTools = chat.bindTools([myTool], { tool_choice: "any" });
 * const Person = z.object({ name: z.string(), age: z.number() });
 * const person = await chat.withStructuredOutput(Person).invoke("Alice is 30");
 * ```
 */
export class ChatDatabricks extends ChatDatabricksBase {
  static override lc_name() {
    return "ChatDatabricks";
  }

  readonly #chatCompletions = new ChatCompletionsProtocol(this);
  readonly #responses = new ResponsesProtocol(this);

  constructor(model: string, fields?: Omit<ChatDatabricksInput, "model">);
  constructor(fields: ChatDatabricksInput);
  constructor(modelOrFields: string | ChatDatabricksInput, maybeFields?: Omit<ChatDatabricksInput, "model">) {
    super(
      typeof modelOrFields === "string" ? { ...maybeFields, model: modelOrFields } : { ...modelOrFields },
    );
    this.modelProfile =
      typeof modelOrFields === "string" ? maybeFields?.modelProfile : modelOrFields.modelProfile;
  }

  /** Overrides merged over the endpoint family's LangChain model profile (see `profiles.ts`). */
  modelProfile?: ModelProfile;

  /** LangChain model profile for this endpoint's model family; `createAgent` reads `structuredOutput`. */
  override get profile(): ModelProfile {
    return profileForEndpoint(this.model, this.modelProfile);
  }

  override toJSON() {
    return keepConfigProfile(super.toJSON(), this.lc_kwargs);
  }

  /** `useResponsesApi` picks the Responses protocol; chat completions otherwise. */
  protected override protocol(): ChatProtocol {
    return this.useResponsesApi ? this.#responses : this.#chatCompletions;
  }
}
