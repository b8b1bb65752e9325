/**
 * Lima's identifiers (its `pkg/identifiers`, from containerd): alphanumeric words joined by
 * single `.`, `_` or `-`, at most 76 characters. Names and words that go into the sudoers file
 * and into sudo's command lines must be identifiers, so that none can add a word or a line.
 */
import { quote } from "../quote.ts";

const MAX_LENGTH = 76;
const PATTERN = "^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$";
const IDENTIFIER = new RegExp(PATTERN);

/** Why S is not an identifier, in Lima's words, or undefined when it is one. */
export function identifierProblem(s: string): string | undefined {
  if (s === "") return "identifier must not be empty";
  if (s.length > MAX_LENGTH) {
    return `identifier ${
      quote(s)
    } greater than maximum length (${MAX_LENGTH} characters)`;
  }
  if (!IDENTIFIER.test(s)) {
    return `identifier ${quote(s)} must match ${PATTERN}`;
  }
  return undefined;
}
