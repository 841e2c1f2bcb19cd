/**
 * What the rollback dialog needs from the rollback rules: which version to offer first (the
 * previous good one, as `ecp rollback` would choose it) and which versions cannot be chosen.
 */
import { chooseRollbackTarget } from '../domain/rollback.js';
import { isBlocked } from '../domain/types.js';
import { ACTIONS } from './actions.js';
import { selectedService } from './model/selectors.js';
import type { ConsoleState } from './model/state.js';
import type { RollbackSupport } from './model/ui-actions.js';

/** Index of the default target in the history: the image `ecp rollback` picks without --to. */
export function defaultRollbackIndex(state: ConsoleState): number {
  const service = selectedService(state);
  const { versions, deployments } = state.history;
  if (!service) return -1;
  const blocked = new Set(versions.filter(isBlocked).map((v) => v.fullImageName));
  const chosen = chooseRollbackTarget(deployments, service.tenantId, service.service, service.liveImage, (image) => blocked.has(image));
  const index = chosen ? versions.findIndex((v) => v.fullImageName === chosen.toImage) : -1;
  if (index >= 0) return index;
  // No earlier good deploy recorded: offer the newest version that could be chosen at all.
  return versions.findIndex((v) => !isBlocked(v) && v.fullImageName !== service.liveImage);
}

export function refuseRollbackTarget(state: ConsoleState, index: number): string | undefined {
  const service = selectedService(state);
  const version = state.history.versions[index];
  if (!version) return 'Choose a version.';
  if (isBlocked(version)) return `${version.imageTag} is blocked (status ${version.status}, scan ${version.securityScanResult}); choose another version.`;
  if (service && version.fullImageName === service.liveImage) return `${version.imageTag} is what runs now; choose an earlier version.`;
  return undefined;
}

export function rollbackSupport(): RollbackSupport | undefined {
  const action = ACTIONS.get('rollback');
  return action ? { action, defaultIndex: defaultRollbackIndex, refuse: refuseRollbackTarget } : undefined;
}
