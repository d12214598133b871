/// Why a factorisation or solve failed: LAPACK's `info`, typed.
///
/// Raised only where the data can be at fault (a matrix that is not positive definite, a
/// design that is not of full rank, operands whose shapes come from data). Shape errors
/// in non-throwing operations (`gemm`, subscripts, `solve`) are programmer errors and trap.
public enum LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The leading minor of order `minor` (its top-left `minor` x `minor` block) is not
  /// positive definite, so the Cholesky factorisation could not be completed.
  case notPositiveDefinite(minor: Int)
  /// The triangular factor R of A = QR has an exact zero on the diagonal at `column`
  /// (0-based): that column is a linear combination of the ones before it.
  case rankDeficient(column: Int)
  /// LAPACK rejected argument number `position` (1-based) of `routine`: a bug in this module.
  case illegalArgument(routine: String, position: Int)
  /// The shapes of the operands of `operation` do not fit.
  case dimensionMismatch(operation: String, expected: String, actual: String)
  /// An iterative routine did not converge; `count` off-diagonal elements of an
  /// intermediate tridiagonal form did not reach zero (LAPACK `dsyev`).
  case noConvergence(routine: String, count: Int)

  public var description: String {
    switch self {
    case .notPositiveDefinite(let minor):
      "matrix is not positive definite: its leading minor of order \(minor) is not"
    case .rankDeficient(let column):
      "matrix does not have full column rank: column \(column) (0-based) depends on the"
        + " columns before it"
    case .illegalArgument(let routine, let position):
      "LAPACK \(routine): illegal value in argument \(position)"
    case .dimensionMismatch(let operation, let expected, let actual):
      "\(operation): expected \(expected), got \(actual)"
    case .noConvergence(let routine, let count):
      "LAPACK \(routine) did not converge (\(count) off-diagonal elements did not reach zero)"
    }
  }
}

/// The LAPACK routines this module calls, each with its meaning of a positive `info`.
enum LAPACKRoutine: String {
  case dpotrf, dpotrs, dgels, dsyev

  /// Turns the routine's `info` into a Swift error: the one place LAPACK status is read.
  ///
  /// `info < 0` always means argument `-info` was illegal; a positive `info` means
  /// something different per routine (see the LAPACK documentation of each).
  func check(info: Int32) throws(LinearAlgebraError) {
    if info == 0 { return }
    if info < 0 { throw .illegalArgument(routine: rawValue, position: Int(-info)) }
    switch self {
    case .dpotrf: throw .notPositiveDefinite(minor: Int(info))
    case .dgels: throw .rankDeficient(column: Int(info) - 1)
    case .dsyev: throw .noConvergence(routine: rawValue, count: Int(info))
    case .dpotrs: throw .illegalArgument(routine: rawValue, position: Int(info))
    }
  }

  /// `check(info:)` for calls whose only possible failure is a bug here: traps with the error.
  func expectSuccess(info: Int32) {
    do { try check(info: info) } catch { preconditionFailure(error.description) }
  }
}

/// A LAPACK character argument (`uplo`, `trans`, `jobz`), passed by pointer with length 1.
@inline(__always)
func lapackCharacter(_ character: Unicode.Scalar) -> CChar {
  CChar(UInt8(ascii: character))
}
