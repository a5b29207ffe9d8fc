/**
 * The one error type the resolvers throw, so a checker can tell a bad Keras spec from a bug
 * and point its diagnostic at the argument that caused it.
 */

/** A Keras spec that cannot be resolved: unknown name, bad argument value or argument clash. */
export class SpecError extends Error {
  override readonly name = 'SpecError';

  /**
   * @param message what is wrong, naming the Keras class and argument as Keras's own error does
   * @param arg the Keras keyword argument to blame (snake_case), when one argument is at fault
   */
  constructor(
    message: string,
    readonly arg?: string,
  ) {
    super(message);
  }
}
