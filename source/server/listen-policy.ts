/**
 * Where `ecp serve` may listen (issue 17): tokens cross the wire, so without TLS only loopback,
 * unless the operator says --insecure-listen (and is told what that means).
 */
import { isIP } from 'node:net';

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

/** Why listening on `host` is refused, or a warning to print, or neither. */
export function listenVerdict(host: string, tls: boolean, insecureListen: boolean): { refuse?: string; warn?: string } {
  if (tls || isLoopback(host)) return {};
  if (!insecureListen) {
    return {
      refuse: `Refusing to listen on ${host} without TLS: bearer tokens would cross the network in clear. Pass --tls-cert FILE --tls-key FILE, listen on 127.0.0.1, or pass --insecure-listen.`,
    };
  }
  return { warn: `listening on ${host} without TLS (--insecure-listen): bearer tokens cross the network in clear.` };
}
