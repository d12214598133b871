import CBLAS

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The Cholesky factorisation A = L L' of a symmetric positive definite matrix (LAPACK
/// `dpotrf`, lower triangle).
///
/// Only the lower triangle of the input is read. Solving with the factor (`dpotrs`) costs
/// two triangular solves, O(n^2) per right-hand side, against O(n^3) for the factorisation,
/// so factor once and solve many times.
public struct CholeskyFactor: Sendable {
  /// L, lower triangular with a positive diagonal; the strict upper triangle is zero.
  public let lower: Matrix

  /// Factors `matrix`; throws `notPositiveDefinite(minor:)` with the order of the first
  /// leading minor that is not positive definite, and `dimensionMismatch` if it is not square.
  public init(_ matrix: Matrix) throws(LinearAlgebraError) {
    guard matrix.rows == matrix.columns else {
      throw .dimensionMismatch(
        operation: "Cholesky factorisation", expected: "a square matrix",
        actual: "\(matrix.rows)x\(matrix.columns)")
    }
    let n = matrix.rows
    var factor = matrix
    var uplo = lapackCharacter("L")
    var order = Int32(n)
    var lda = Int32(max(1, n))
    var info: Int32 = 0
    dpotrf_(&uplo, &order, &factor.storage, &lda, &info, 1)
    try LAPACKRoutine.dpotrf.check(info: info)
    for j in 0..<n {
      for i in 0..<j { factor.storage[i + j * n] = 0 }
    }
    lower = factor
  }

  /// The order n of the factored n x n matrix.
  public var order: Int { lower.rows }

  /// log det A = 2 sum log L_ii (finite for any positive definite A, even when det A
  /// itself would overflow or underflow).
  public var logDeterminant: Double {
    2 * lower.diagonal.reduce(0) { $0 + log($1) }
  }

  /// The solution x of A x = b.
  public func solve(_ b: [Double]) -> [Double] {
    precondition(b.count == order, "CholeskyFactor.solve: \(b.count) elements for order \(order)")
    var x = b
    solveInPlace(&x, columns: 1)
    return x
  }

  /// The solution X of A X = B, one column per right-hand side.
  public func solve(_ b: Matrix) -> Matrix {
    precondition(
      b.rows == order, "CholeskyFactor.solve: \(b.rows)x\(b.columns) for order \(order)")
    var x = b
    solveInPlace(&x.storage, columns: b.columns)
    return x
  }

  /// A^-1, by solving against the identity (for covariance matrices of estimates).
  public func inverse() -> Matrix {
    solve(Matrix.identity(order))
  }

  private func solveInPlace(_ b: inout [Double], columns: Int) {
    if order == 0 || columns == 0 { return }
    var uplo = lapackCharacter("L")
    var n = Int32(order)
    var nrhs = Int32(columns)
    var lda = Int32(order)
    var ldb = Int32(order)
    var info: Int32 = 0
    dpotrs_(&uplo, &n, &nrhs, lower.storage, &lda, &b, &ldb, &info, 1)
    LAPACKRoutine.dpotrs.expectSuccess(info: info)
  }
}
