import { isDatabricksError } from "../errors.js";

/**
 * What a client has learnt about an endpoint from its rejections. Held per HTTP client (every model sharing the
 * client, and every `bindTools` clone, shares it), so the extra round trip is paid once per endpoint and client,
 * not once per call; two clients (two workspaces, two credentials) never share what they learnt.
 */
export interface EndpointQuirks {
  /** The endpoint refused the OpenAI-compatible route; use `/invocations`. */
  invocationsOnly?: boolean;
  /** The endpoint refused `stream_options`; stream without it. */
  noStreamOptions?: boolean;
}

/** endpoint name -> what was learnt about it, for one client. */
export class RouteMemory {
  readonly #byEndpoint = new Map<string, EndpointQuirks>();

  /** The (mutable) record for `endpoint`. */
  of(endpoint: string): EndpointQuirks {
    let quirks = this.#byEndpoint.get(endpoint);
    if (!quirks) {
      quirks = {};
      this.#byEndpoint.set(endpoint, quirks);
    }
    return quirks;
  }
}

const memories = new WeakMap<object, RouteMemory>();

/** The route memory of `client` (created on first use; dropped with the client). */
export function routeMemoryOf(client: object): RouteMemory {
  let memory = memories.get(client);
  if (!memory) {
    memory = new RouteMemory();
    memories.set(client, memory);
  }
  return memory;
}

/**
 * The route-fallback policy of a model: `route` "auto" tries the OpenAI-compatible route first and switches to
 * `/invocations` on a route rejection, remembering the switch only once `/invocations` has answered.
 */
export class RoutePolicy {
  readonly #client: () => object;
  readonly #endpoint: string;
  readonly #route: string;

  /** `route` is the model's setting: "auto", "invocations" or the OpenAI-compatible route's name. */
  constructor(client: () => object, endpoint: string, route: string) {
    this.#client = client;
    this.#endpoint = endpoint;
    this.#route = route;
  }

  /** What the model's client has learnt about its endpoint. */
  get quirks(): EndpointQuirks {
    return routeMemoryOf(this.#client()).of(this.#endpoint);
  }

  /** Whether calls go to `/invocations` now (forced, or learnt). */
  useInvocations(): boolean {
    return this.#route === "invocations" || (this.#route === "auto" && this.quirks.invocationsOnly === true);
  }

  /** Whether `error`, met on the OpenAI-compatible route, calls for one more try on `/invocations`. */
  shouldFallBack(error: unknown, onInvocations = this.useInvocations()): boolean {
    return this.#route === "auto" && !onInvocations && isRouteRejection(error);
  }

  /**
   * Runs `send(viaInvocations)` on the current route, falling back to `/invocations` once on a route rejection.
   * The switch is remembered only once `/invocations` has answered: a failed switch must not stick.
   */
  async run<T>(send: (viaInvocations: boolean) => Promise<T>): Promise<T> {
    const invocations = this.useInvocations();
    try {
      return await send(invocations);
    } catch (e) {
      if (!this.shouldFallBack(e, invocations)) throw e;
      const result = await send(true);
      this.quirks.invocationsOnly = true;
      return result;
    }
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A 400 that blames `stream_options` (some Gemini-backed and custom endpoints reject the field). */
export function isStreamOptionsRejection(e: unknown): boolean {
  return isDatabricksError(e) && e.status === 400 && /stream_options/i.test(messageOf(e));
}

/**
 * Error codes that decide by themselves. Databricks answers an unknown route with 404 `ENDPOINT_NOT_FOUND`
 * ("No API found for ...") and a missing endpoint with 404 `RESOURCE_DOES_NOT_EXIST`, which `/invocations` would
 * fail the same way (`spec/serving-errors.md`).
 */
const ROUTE_VERDICT_BY_CODE: Readonly<Record<string, boolean>> = {
  ENDPOINT_NOT_FOUND: true,
  RESOURCE_DOES_NOT_EXIST: false,
};

/** The message names one of the OpenAI-compatible routes (or `/invocations`) as a route, not as a parameter. */
const NAMES_ROUTE =
  /\/serving-endpoints\/(?:chat\/completions|completions|embeddings|responses)\b|\/invocations\b|\b(?:chat[ _-]?completions?|completions|embeddings|responses|openai(?:[- ]compatible)?)\s+(?:route|api|endpoint|path|interface)\b/i;
/** ...and says it is refused. */
const REFUSES =
  /does not support|doesn't support|not supported|unsupported|only (?:supports|accepts|serves)|not available/i;
/** A 400 that blames a request parameter ("Parameter 'logprobs' is not supported") is about the body, not the route. */
const BLAMES_PARAMETER =
  /\b(?:parameters?|params?|fields?|arguments?|propert(?:y|ies)|options?|values?|keys?)\b/i;

/**
 * The endpoint does not serve the OpenAI-compatible route it was called on (custom pyfunc models, agents,
 * completion endpoints), so `/serving-endpoints/{name}/invocations` may work:
 * - an unknown-route status: 404 other than `RESOURCE_DOES_NOT_EXIST` (Databricks answers unknown routes with
 *   404 `ENDPOINT_NOT_FOUND` "No API found for ...", `spec/serving-errors.md`), 405 or 501;
 * - a 400 whose message explicitly names the route (or the endpoint's task) as unsupported, e.g. "endpoint 'x'
 *   serves task agent/v1/responses, which /serving-endpoints/chat/completions does not support".
 *
 * Anything else is the caller's problem and is not retried elsewhere: a missing endpoint (`/invocations` would
 * fail the same way), a rejected parameter ("Parameter 'logprobs' is not supported"), `stream_options`, or any
 * other 400. Callers remember a switch only once `/invocations` has actually answered.
 */
export function isRouteRejection(e: unknown): boolean {
  if (!isDatabricksError(e)) return false;
  // A 404 is decided by its error code where the server gives one (an unknown code: still an unknown route).
  if (e.status === 404) return ROUTE_VERDICT_BY_CODE[e.errorCode ?? ""] ?? true;
  if (e.status === 405 || e.status === 501) return true;
  if (e.status !== 400) return false;
  // 400s carry only BAD_REQUEST / INVALID_PARAMETER_VALUE: the message has to say what was refused.
  const msg = messageOf(e);
  // Quoted names (endpoints, models) are not evidence either way.
  const unquoted = msg.replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "''");
  if (/stream_options/i.test(msg) || BLAMES_PARAMETER.test(unquoted)) return false;
  const servesTask = /\bserves task\b/i.test(msg);
  return (NAMES_ROUTE.test(msg) || servesTask) && REFUSES.test(msg);
}
