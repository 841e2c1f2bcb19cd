/**
 * What the rollback dialog needs from the rollback rules: which version to offer first (the
 * target `ecp rollback` chooses, as the pipeline chose it for the history on screen) and which
 * versions cannot be chosen (the rule the pipeline applies to --to).
 */
import { rollbackChoiceProblem } from '../domain/rollback.js';
import { registryAnswer } from '../pipeline/registry-presence.js';
import { ACTIONS } from './actions.js';
import { selectedService } from './model/selectors.js';
import type { ConsoleState } from './model/state.js';
import type { RollbackSupport } from './model/ui-actions.js';

/**
 * Index of the default target in the history, or -1 when there is none (no earlier good
 * version, or the history was read while another image was live): then nothing is offered.
 */
export function defaultRollbackIndex(state: ConsoleState): number {
  const service = selectedService(state);
  const { versions, rollbackTarget } = state.history;
  if (!service || !rollbackTarget?.image || rollbackTarget.liveImage !== service.liveImage) return -1;
  return versions.findIndex((v) => v.fullImageName === rollbackTarget.image);
}

export function refuseRollbackTarget(state: ConsoleState, index: number): string | undefined {
  const version = state.history.versions[index];
  if (!version) return 'Choose a version.';
  return rollbackChoiceProblem(version, selectedService(state)?.liveImage);
}

export function rollbackSupport(): RollbackSupport | undefined {
  const action = ACTIONS.get('rollback');
  return action ? { action, defaultIndex: defaultRollbackIndex, refuse: refuseRollbackTarget, registryAnswer } : undefined;
}
