/**
 * Decides which tool calls the stand-in model makes for the last user message, and builds their arguments.
 * Tools are matched by keywords from their name and description; the message is split into clauses ("weather
 * in Paris and in London") so several things asked at once become parallel calls, including the same tool
 * twice. A clause with a place but no keyword reuses the previous clause's tool.
 */
import { toolCallId } from "./ids.js";
import type { ToolCall } from "./messages.js";
import { valueForSchema } from "./schema-value.js";
import { extractFacts, wordStems } from "./text-facts.js";
import type { ToolChoice, ToolDef } from "./tool-defs.js";
import { isObject } from "./validate.js";

const STOP_WORDS = new Set(
  "a an the of for in on at to and or is are be get set use with from by this that it its what how tool function call return returns given".split(
    " ",
  ),
);
export const SMALL_TALK = /^\s*(hi|hello|hey|thanks|thank you|ok|okay|bye)\b[\s!.,?]*$/i;
export const NO_TOOLS = /\b(without|don't|do not|no)\s+(using\s+)?(any\s+)?tools?\b/i;
const CLAUSE_SPLIT = /\s*(?:[,;]|\band\b|\balso\b|\bthen\b)\s*/i;
const PLACE_PARAM = /(location|city|place|country|destination|origin|address|region|town)/i;

const keywordsCache = new WeakMap<ToolDef, Set<string>>();

const keywords = (tool: ToolDef): Set<string> => {
  let k = keywordsCache.get(tool);
  if (!k) {
    const name = tool.name.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[_-]/g, " ");
    k = new Set(
      wordStems(`${name} ${tool.description}`).filter((w) => !STOP_WORDS.has(w) && !/^\d+$/.test(w)),
    );
    keywordsCache.set(tool, k);
  }
  return k;
};

const score = (tool: ToolDef, text: string): number => {
  const k = keywords(tool);
  let s = 0;
  for (const w of wordStems(text)) if (k.has(w)) s++;
  return s;
};

export const best = (tools: readonly ToolDef[], text: string): ToolDef | undefined => {
  let top: ToolDef | undefined;
  let topScore = 0;
  for (const t of tools) {
    const s = score(t, text);
    if (s > topScore) {
      top = t;
      topScore = s;
    }
  }
  return top;
};

const hasPlaceParam = (tool: ToolDef): boolean => {
  const props = tool.parameters.properties;
  return isObject(props) && Object.keys(props).some((p) => PLACE_PARAM.test(p));
};

const makeCall = (tool: ToolDef, text: string): ToolCall => ({
  id: toolCallId(),
  name: tool.name,
  arguments: JSON.stringify(valueForSchema(tool.parameters, extractFacts(text))),
});

/**
 * Tool calls for `userText`, or none when the model should answer in text (tool_choice "none"; "auto" with
 * small talk or an explicit request not to use tools).
 */
export const planToolCalls = (
  tools: readonly ToolDef[],
  choice: ToolChoice,
  userText: string,
  parallel: boolean,
): ToolCall[] => {
  if (tools.length === 0 || choice.kind === "none") return [];
  if (choice.kind === "auto" && (SMALL_TALK.test(userText) || NO_TOOLS.test(userText))) return [];
  const candidates = choice.kind === "named" ? tools.filter((t) => t.name === choice.name) : tools;
  const calls = parallel ? clauseCalls(candidates, userText) : [];
  if (calls.length > 0) return calls;
  const tool = best(candidates, userText) ?? (candidates[0] as ToolDef);
  return [makeCall(tool, userText)];
};

/** One call per clause when at least two clauses ask for something; otherwise [] (single-call path). */
const clauseCalls = (tools: readonly ToolDef[], text: string): ToolCall[] => {
  const clauses = text.split(CLAUSE_SPLIT).filter((c) => c.trim().length > 0);
  if (clauses.length < 2) return [];
  const planned: { tool: ToolDef; clause: string }[] = [];
  let previous: ToolDef | undefined;
  for (const clause of clauses) {
    let tool = best(tools, clause);
    if (!tool && previous && hasPlaceParam(previous) && extractFacts(clause).places.length > 0)
      tool = previous;
    if (
      !tool &&
      tools.length === 1 &&
      hasPlaceParam(tools[0] as ToolDef) &&
      extractFacts(clause).places.length > 0
    ) {
      tool = tools[0];
    }
    if (tool) {
      planned.push({ tool, clause });
      previous = tool;
    }
  }
  if (planned.length < 2) return [];
  const calls: ToolCall[] = [];
  const seen = new Set<string>();
  for (const p of planned) {
    const call = makeCall(p.tool, p.clause);
    const key = `${call.name}\u0000${call.arguments}`;
    if (!seen.has(key)) {
      seen.add(key);
      calls.push(call);
    }
  }
  return calls.length >= 2 ? calls : [];
};
