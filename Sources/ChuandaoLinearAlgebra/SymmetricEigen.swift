import CBLAS

/// The eigendecomposition A = V diag(values) V' of a symmetric matrix (LAPACK `dsyev`).
///
/// Only the lower triangle of the input is read. Eigenvalues come in ascending order;
/// column j of `vectors` is the unit eigenvector of `values[j]` (its sign is arbitrary).
public struct SymmetricEigendecomposition: Sendable {
  /// The eigenvalues, ascending.
  public let values: [Double]
  /// The orthonormal eigenvectors, one per column, in the order of `values`.
  public let vectors: Matrix

  /// Decomposes `matrix`; throws `dimensionMismatch` if it is not square and
  /// `noConvergence` in the (rare) case the QL/QR iteration fails.
  public init(_ matrix: Matrix) throws(LinearAlgebraError) {
    (values, vectors) = try symmetricEigen(matrix, vectors: true)
  }

  /// The eigenvalues of a symmetric matrix, ascending, without the eigenvectors (cheaper).
  public static func eigenvalues(_ matrix: Matrix) throws(LinearAlgebraError) -> [Double] {
    try symmetricEigen(matrix, vectors: false).values
  }
}

private func symmetricEigen(_ matrix: Matrix, vectors: Bool) throws(LinearAlgebraError) -> (
  values: [Double], vectors: Matrix
) {
  guard matrix.rows == matrix.columns else {
    throw .dimensionMismatch(
      operation: "symmetric eigendecomposition", expected: "a square matrix",
      actual: "\(matrix.rows)x\(matrix.columns)")
  }
  let n = matrix.rows
  var a = matrix
  var values = [Double](repeating: 0, count: n)
  if n == 0 { return (values, a) }
  var jobz = lapackCharacter(vectors ? "V" : "N")
  var uplo = lapackCharacter("L")
  var order = Int32(n)
  var lda = Int32(n)
  var info: Int32 = 0
  var lwork: Int32 = -1
  var optimal = 0.0
  dsyev_(&jobz, &uplo, &order, &a.storage, &lda, &values, &optimal, &lwork, &info, 1, 1)
  try LAPACKRoutine.dsyev.check(info: info)
  lwork = Int32(max(1, Int(optimal)))
  var workspace = [Double](repeating: 0, count: Int(lwork))
  dsyev_(&jobz, &uplo, &order, &a.storage, &lda, &values, &workspace, &lwork, &info, 1, 1)
  try LAPACKRoutine.dsyev.check(info: info)
  return (values, a)
}
