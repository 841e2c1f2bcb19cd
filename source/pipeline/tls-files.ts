/** The certificate and key `ecp serve --tls-cert F --tls-key F` serves HTTPS with, read for the entry point. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

export function readTlsPair(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new UsageError(`The TLS ${what} ${file} cannot be read: ${(error as Error).message}.`);
    }
  };
  return { cert: read(certFile, 'certificate (--tls-cert)'), key: read(keyFile, 'key (--tls-key)') };
}
