import CBLAS

/// The least-squares solution x minimising ||A x - b||_2 (LAPACK `dgels`, QR of A).
///
/// A must have full column rank when it has at least as many rows as columns; an exact
/// zero on the diagonal of R throws `rankDeficient(column:)`. `dgels` does not detect
/// near-dependence: an ill-conditioned A gives a solution with large error and no throw.
/// With fewer rows than columns (and full row rank) it is the minimum-norm solution.
/// `b.count` must equal `A.rows` (else `dimensionMismatch`).
public func leastSquares(_ a: Matrix, _ b: [Double]) throws(LinearAlgebraError) -> [Double] {
  try leastSquares(a, Matrix(rows: b.count, columns: 1, storage: b)).storage
}

/// `leastSquares(_:_:)` for several right-hand sides at once: column j of the result
/// solves for column j of `b`.
public func leastSquares(_ a: Matrix, _ b: Matrix) throws(LinearAlgebraError) -> Matrix {
  guard b.rows == a.rows else {
    throw .dimensionMismatch(
      operation: "leastSquares", expected: "right-hand side with \(a.rows) rows (those of A)",
      actual: "\(b.rows) rows")
  }
  let (m, n, nrhs) = (a.rows, a.columns, b.columns)
  if n == 0 || nrhs == 0 { return Matrix(rows: n, columns: nrhs) }
  if m == 0 { return Matrix(rows: n, columns: nrhs) }
  // dgels overwrites B (ldb = max(m, n) rows) with the solution in its first n rows.
  let ldbCount = max(m, n)
  var work = [Double](repeating: 0, count: ldbCount * nrhs)
  for j in 0..<nrhs {
    for i in 0..<m { work[i + j * ldbCount] = b.storage[i + j * m] }
  }
  var factor = a.storage
  var trans = lapackCharacter("N")
  var (mm, nn, rhs) = (Int32(m), Int32(n), Int32(nrhs))
  var lda = Int32(m)
  var ldb = Int32(ldbCount)
  var info: Int32 = 0
  // Workspace query: lwork = -1 returns the optimal size in workspace[0].
  var lwork: Int32 = -1
  var optimal = 0.0
  dgels_(&trans, &mm, &nn, &rhs, &factor, &lda, &work, &ldb, &optimal, &lwork, &info, 1)
  try LAPACKRoutine.dgels.check(info: info)
  lwork = Int32(max(1, Int(optimal)))
  var workspace = [Double](repeating: 0, count: Int(lwork))
  dgels_(&trans, &mm, &nn, &rhs, &factor, &lda, &work, &ldb, &workspace, &lwork, &info, 1)
  try LAPACKRoutine.dgels.check(info: info)
  var x = Matrix(rows: n, columns: nrhs)
  for j in 0..<nrhs {
    for i in 0..<n { x.storage[i + j * n] = work[i + j * ldbCount] }
  }
  return x
}
