/** A fresh bearer token for `ecp serve` and the config line that admits it (by its sha256). */
import { randomBytes } from 'node:crypto';
import type { ServerRole } from '../config.js';
import { sha256Hex } from './principal.js';

export function newToken(identity: string, role: ServerRole): { token: string; configLine: string } {
  const token = `ecp_${randomBytes(32).toString('base64url')}`;
  return { token, configLine: `    - {sha256: ${sha256Hex(token)}, identity: ${JSON.stringify(identity)}, role: ${role}}` };
}
