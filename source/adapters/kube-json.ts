/**
 * A request to the API server as JSON in and out: the generated APIs' own request (their server,
 * the kubeconfig's authentication, the given middleware, their HTTP library) without
 * ObjectSerializer turning the answer into client-node's model classes and back. For the hot
 * paths: a list of a few hundred objects spent as long in that walk as in JSON.parse, and made a
 * second copy of every object (issues 16, 18). Fails as the generated APIs do (ApiException with
 * the status code and the server's body), so statusCodeOf and toClusterError read it the same.
 */
import { ApiException, type Configuration, HttpMethod, type ObservableMiddleware } from '@kubernetes/client-node';

export interface JsonRequest {
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Middleware of this request's own, run after the configuration's (a deadline). */
  middleware?: readonly ObservableMiddleware[];
}

export async function requestJson<T>(configuration: Configuration, method: HttpMethod, path: string, options: JsonRequest = {}): Promise<T> {
  const { baseServer, authMethods, middleware, httpApi } = configuration;
  let request = baseServer.makeRequestContext(path, method);
  request.setHeaderParam('Accept', 'application/json');
  for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) request.setQueryParam(key, value);
  if (options.body !== undefined) {
    request.setHeaderParam('Content-Type', 'application/json');
    request.setBody(JSON.stringify(options.body));
  }
  await authMethods.default?.applySecurityAuthentication(request);
  const all = [...middleware, ...(options.middleware ?? [])];
  for (const m of all) request = await m.pre(request).toPromise();
  let response = await httpApi.send(request).toPromise();
  for (const m of all) response = await m.post(response).toPromise();
  const text = await response.body.text();
  if (response.httpStatusCode < 200 || response.httpStatusCode > 299) throw new ApiException(response.httpStatusCode, 'Unknown API Status Code!', text, response.headers);
  return JSON.parse(text) as T;
}

export { HttpMethod };
