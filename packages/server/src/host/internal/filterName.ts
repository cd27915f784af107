/**
 * Schema names its filters and types in code (`maxLength(64)`, `between(1, 20)`, `int`) and uses that
 * name as a title; such a title means nothing to the people and models who read it.
 */
export const isFilterName = (title: string): boolean =>
  /^[a-z_$][\w$]*(\(.*\))?$/.test(title) || /\(.*\)$/.test(title)
