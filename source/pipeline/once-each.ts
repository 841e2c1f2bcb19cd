/** `lookup`, asked at most once per argument list; a failure is remembered too. */
export function onceEach<A extends unknown[], R>(lookup: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const seen = new Map<string, Promise<R>>();
  return (...args) => {
    const key = JSON.stringify(args);
    let answer = seen.get(key);
    if (!answer) seen.set(key, (answer = lookup(...args)));
    return answer;
  };
}
