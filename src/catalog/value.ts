/** Checked argument values: JSON plus calls such as `Adam(learning_rate=0.01)`. */

/** A call resolved against the catalog: its canonical name and its bound arguments. */
export interface CallValue {
  call: string;
  args: Args;
}

export type Value = number | string | boolean | null | Value[] | CallValue;

/** Arguments bound by name, defaults filled in. */
export type Args = Record<string, Value>;

export function isCallValue(v: Value | undefined): v is CallValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
