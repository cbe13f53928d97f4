/**
 * The workspace itself, apart from serving it over HTTP: its stores, its clock and its durable state under
 * `--data-dir` (one JSON document, see `state/persist.ts`), loaded from disk and seeded with the foundation
 * endpoints and the configured clusters.
 */
import { type AuthSnapshot, AuthStore } from "./auth/store.js";
import { TokenJournal } from "./auth/token-journal.js";
import { foundationRecord } from "./control/foundation.js";
import { EndpointStore, type EndpointsSnapshot } from "./control/store.js";
import { taskForEntity, unregisteredModelMessage } from "./data/entities.js";
import { FOUNDATION_MODELS } from "./engines/index.js";
import type { CustomModel, EmulatorOptions } from "./options.js";
import { grantClusterAccess } from "./proxy/cluster-access.js";
import type { ClusterAclEntry } from "./proxy/cluster-acl.js";
import { ClusterRegistry } from "./proxy/clusters.js";
import { type SecretsSnapshot, SecretsStore } from "./secrets/store.js";
import { createCommitter } from "./state/commit.js";
import { Persister } from "./state/persist.js";
import { Clock } from "./util/clock.js";
import { newWorkspaceId } from "./util/ids.js";

/** The state of a workspace. */
export interface Workspace {
  workspaceId: string;
  clock: Clock;
  auth: AuthStore;
  endpoints: EndpointStore;
  secrets: SecretsStore;
  /** Custom models by `entity_name`. */
  models: Map<string, CustomModel>;
  clusters: ClusterRegistry;
  /** Directory for durable state (`--data-dir`); undefined when the workspace lives in memory only. */
  dataDir: string | undefined;
  /**
   * Saves the workspace after an acknowledged mutation (a no-op in memory or while loading); when the save fails
   * the stores are rolled back to the last saved state (`state/commit.ts`) and the error propagates.
   */
  persist(): void;
  /** Releases the `--data-dir` lock (`state/lock.ts`); a no-op in memory. */
  release(): void;
}

/** The workspace document `Persister` stores. */
interface WorkspaceSnapshot {
  workspaceId: string;
  auth: AuthSnapshot;
  endpoints: EndpointsSnapshot;
  secrets: SecretsSnapshot;
  clusters: string[];
  clusterAcls?: Record<string, ClusterAclEntry[]>;
}

/** The foundation endpoints to pre-provision: all by default, none with `false`, or the named subset. */
const seededFoundationModels = (option: EmulatorOptions["foundationModels"]) => {
  if (option === undefined) return FOUNDATION_MODELS;
  if (option === false) return [];
  return FOUNDATION_MODELS.filter((f) => option.includes(f.endpointName));
};

/** Loads the workspace from `options.dataDir` (or starts an empty one) and seeds it. */
export const openWorkspace = (options: EmulatorOptions): Workspace => {
  const clock = new Clock();
  const persister = new Persister(options.dataDir);
  let saved: WorkspaceSnapshot | undefined;
  try {
    saved = persister.load<WorkspaceSnapshot>();
  } catch (err) {
    persister.release();
    throw err;
  }
  // Set once all stores exist: mutations before that are part of loading, not new state.
  let snapshot: (() => WorkspaceSnapshot) | undefined;
  const commit = createCommitter(
    persister,
    () => (snapshot as () => WorkspaceSnapshot)(),
    (s: WorkspaceSnapshot) => {
      endpoints.restore(s.endpoints);
      secrets.restore(s.secrets);
      clusters.restore(s.clusters, s.clusterAcls);
    },
  );
  const persist = () => {
    if (snapshot) commit();
  };

  // OAuth tokens go to their own append-only journal, not the workspace document (auth/token-journal.ts).
  const auth = new AuthStore(
    clock,
    options,
    saved?.auth,
    options.dataDir ? new TokenJournal(options.dataDir) : undefined,
  );
  const secrets = new SecretsStore(clock, persist, saved?.secrets, (name) => auth.identityOf(name));
  const models = new Map(Object.entries(options.models ?? {}));
  const endpoints = new EndpointStore(
    {
      clock,
      transitionMs: options.transitionMs ?? 200,
      onChange: persist,
      taskFor: (entity) => taskForEntity(entity, models),
      loadFailure: (entity) => unregisteredModelMessage(entity, models),
      requireSecretRead: (caller, scope) => secrets.requireReadForReference(caller, scope),
    },
    saved?.endpoints,
  );
  const startedAt = clock.now();
  for (const f of seededFoundationModels(options.foundationModels))
    endpoints.seed(foundationRecord(f, startedAt));
  const clusters = new ClusterRegistry(
    persist,
    [...(saved?.clusters ?? []), ...(options.clusters ?? [])],
    saved?.clusterAcls,
  );
  grantClusterAccess(clusters, auth, options.clusterAccess);
  const workspaceId = options.workspaceId ?? saved?.workspaceId ?? newWorkspaceId();
  snapshot = () => ({
    workspaceId,
    auth: auth.snapshot(),
    endpoints: endpoints.snapshot(),
    secrets: secrets.snapshot(),
    clusters: clusters.list(),
    clusterAcls: clusters.aclSnapshot(),
  });
  return {
    workspaceId,
    clock,
    auth,
    endpoints,
    secrets,
    models,
    clusters,
    dataDir: options.dataDir,
    persist,
    release: () => persister.release(),
  };
};
