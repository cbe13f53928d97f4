export { parseEvents, type SseEvent } from "./events.js";
export { parseJsonEvents, type SseJsonOptions } from "./json.js";
export { DEFAULT_MAX_LINE_LENGTH, decodeLines } from "./lines.js";
