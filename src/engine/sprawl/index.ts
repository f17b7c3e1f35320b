// engine/sprawl: keeping an engine from filling up. Contract: every prune (containers, images, volumes,
// networks, build cache) reads docker's filters through one parser (until=, label=, label!=) and never removes
// what is in use; quotas from the daemon config are checked synchronously right before the step that makes a
// count grow; `--expire` deadlines live in the container records and are carried out by one timer, re-armed at
// open; `ps --filter stale=` reads the kernel's last-run time and the log's mtime when asked, with no sampler.
export { parsePruneFilters, parseUntil, labelMatches, PRUNE_FILTER_KEYS, type Filters, type PruneFilter, type PruneKind,
  type Prunable } from './prune-filters.js';
export { pruneContainersFiltered, pruneImagesFiltered, pruneVolumesFiltered, pruneNetworksFiltered, pruneBuildCache,
  buildCacheUsage, imagePrunable, type PruneResult } from './prune.js';
export { parseQuotas, checkCreateQuota, checkRunQuotas, type QuotaOptions, type QuotasConfig } from './quotas.js';
export { ExpiryScheduler, expiryDeadline } from './expiry.js';
export { isStale, lastActivity, parseStale } from './activity.js';
