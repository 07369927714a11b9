/**
 * A time budget for one project assessment. Asynchronous steps race it
 * (`race` gives the fallback when the deadline passes first, or when the
 * step gave up with `BudgetExpired`); synchronous loops poll `expired()`.
 * Steps that lose keep running in the background until their own timeouts
 * (child processes have theirs), but the caller is answered on time.
 */
class BudgetExpired extends Error {
  override readonly name = 'BudgetExpired';
}

export interface Budget {
  /** The whole budget in seconds (for messages). */
  readonly seconds: number;
  expired(): boolean;
  /** Throws BudgetExpired once the budget is spent (for loops inside async steps). */
  check(): void;
  race<T, F>(step: Promise<T>, fallback: () => F): Promise<T | F>;
}

export function createBudget(ms: number, clock: () => number = () => performance.now()): Budget {
  const end = clock() + ms;
  const expired = () => clock() >= end;
  return {
    seconds: Math.round(ms / 100) / 10,
    expired,
    check() {
      if (expired()) throw new BudgetExpired('the assessment deadline passed');
    },
    race<T, F>(step: Promise<T>, fallback: () => F): Promise<T | F> {
      return new Promise<T | F>((resolve, reject) => {
        let done = false;
        const timer = setTimeout(
          () => {
            if (done) return;
            done = true;
            resolve(fallback());
          },
          Math.max(0, end - clock()),
        );
        step.then(
          (v) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            resolve(v);
          },
          (err: unknown) => {
            if (done) return;
            done = true;
            clearTimeout(timer);
            if (err instanceof BudgetExpired) resolve(fallback());
            else reject(err);
          },
        );
      });
    },
  };
}

/** No deadline (callers that assess without one). */
export const unlimitedBudget: Budget = {
  seconds: Infinity,
  expired: () => false,
  check: () => {},
  race: (step) => step,
};
