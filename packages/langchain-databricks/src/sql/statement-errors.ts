/** The typed error of a statement that did not succeed, and the check that throws it. */
import { DatabricksError, type DatabricksErrorInit } from "../errors.js";
import type { StatementResponse, StatementState } from "./statement-types.js";

/**
 * A statement that failed (`FAILED`, `CANCELED` or `CLOSED`): `errorCode` is the status `error_code`, `sqlState`
 * the SQLSTATE and `errorClass` the `[ERROR_CLASS]` prefix of the message.
 */
export class DatabricksStatementError extends DatabricksError {
  override name = "DatabricksStatementError";
  readonly statementId: string;
  readonly state: StatementState;
  readonly sqlState: string | undefined;
  readonly errorClass: string | undefined;
  constructor(
    message: string,
    init: DatabricksErrorInit & { statementId: string; state: StatementState; sqlState?: string },
  ) {
    super(message, init);
    this.statementId = init.statementId;
    this.state = init.state;
    this.sqlState = init.sqlState;
    this.errorClass = /^\[([A-Z0-9_.]+)\]/.exec(message)?.[1];
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), statementId: this.statementId, state: this.state, sqlState: this.sqlState };
  }
}

/** Throws the typed error unless the statement SUCCEEDED. */
export const assertSucceeded = (r: StatementResponse): StatementResponse => {
  const { state, error, sql_state } = r.status;
  if (state === "SUCCEEDED") return r;
  const message =
    error?.message ??
    (state === "CANCELED"
      ? "The statement was canceled."
      : state === "CLOSED"
        ? "The statement's result was closed."
        : `Statement ${state}.`);
  throw new DatabricksStatementError(message, {
    statementId: r.statement_id,
    state,
    sqlState: sql_state,
    errorCode: error?.error_code ?? (state === "CANCELED" ? "CANCELLED" : undefined),
  });
};
