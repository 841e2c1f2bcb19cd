/**
 * Kept connections to the API server (client-node opens one per request), for the team store:
 * its requests are many and small, and it sends one again when the network fails it. The other
 * adapters keep client-node's connection per request: an API server that went away then answers
 * their next request with ECONNREFUSED, the cause their messages name (a kept connection would
 * fail with "socket hang up" first).
 */
import { Agent } from 'node:http';
import { type AgentOptions, Agent as HttpsAgent } from 'node:https';

/** Below the 5 s a Node server (the sandbox) keeps an idle connection: an idle socket is closed here first, never reused as the server closes it. */
const IDLE_SOCKET_MS = 4_000;
const keptAlive = new Map<string, Agent>();

/**
 * The agent to send a request with in place of `fresh`, one that keeps its connections:
 * client-node makes a new agent for every request, so each one opened a TCP connection and, over
 * https, did a TLS handshake of its own — several ms of CPU on both sides, most of a store
 * write's time against a real API server (issue 16). Agents are kept per set of TLS options
 * (one per kubeconfig user, in practice). A proxy's agent (kubeconfig proxy-url) is left as it is.
 */
export function keptAgent(fresh: Agent): Agent {
  if (fresh.constructor !== Agent && fresh.constructor !== HttpsAgent) return fresh;
  const options = (fresh as HttpsAgent).options as AgentOptions;
  const text = (value: unknown) => (Buffer.isBuffer(value) ? value.toString('base64') : String(value));
  const key = [fresh.constructor.name, options.ca, options.cert, options.key, options.pfx, options.passphrase, options.rejectUnauthorized, options.servername].map(text).join('\0');
  let agent = keptAlive.get(key);
  if (!agent) {
    const Kind = fresh.constructor as new (options: AgentOptions) => Agent;
    agent = new Kind({ ...options, keepAlive: true, timeout: IDLE_SOCKET_MS });
    keptAlive.set(key, agent);
  }
  return agent;
}
