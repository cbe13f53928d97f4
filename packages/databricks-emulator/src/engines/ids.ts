/** Response ids in the shapes real endpoints use (FMAPI chat ids are `chatcmpl_` + UUID, with an underscore). */
import { randomUUID } from "node:crypto";

export const chatId = (): string => `chatcmpl_${randomUUID()}`;
export const completionId = (): string => `cmpl_${randomUUID()}`;
/** OpenAI-style tool call ids: `call_` + 24 alphanumerics. */
export const toolCallId = (): string => `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
export const responseId = (): string => `resp_${randomUUID().replace(/-/g, "")}`;
export const itemId = (prefix: "msg" | "fc" | "rs"): string => `${prefix}_${randomUUID().replace(/-/g, "")}`;
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
