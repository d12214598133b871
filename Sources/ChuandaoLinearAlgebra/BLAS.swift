import CBLAS

// BLAS wrappers. BLAS needs a leading dimension of at least 1 even for empty matrices.

extension Matrix {
  /// `c = alpha op(a) op(b) + beta c` (BLAS `dgemm`), op being the identity or the transpose.
  ///
  /// `c` must already have the shape of `op(a) op(b)`; with `beta = 0` its contents are
  /// ignored (BLAS does not read C then, so NaNs in it do not propagate).
  public static func gemm(
    alpha: Double = 1, _ a: Matrix, transposeA: Bool = false, _ b: Matrix,
    transposeB: Bool = false, beta: Double = 0, into c: inout Matrix
  ) {
    let (m, k) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
    let (kb, n) = transposeB ? (b.columns, b.rows) : (b.rows, b.columns)
    precondition(
      k == kb && c.rows == m && c.columns == n,
      "gemm: op(A) is \(m)x\(k), op(B) is \(kb)x\(n), C is \(c.rows)x\(c.columns)")
    if m == 0 || n == 0 { return }
    cblas_dgemm(
      CblasColMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a.storage, Int32(max(1, a.rows)), b.storage,
      Int32(max(1, b.rows)), beta, &c.storage, Int32(max(1, m)))
  }

  /// The product `op(a) op(b)` as a new matrix.
  public static func multiply(
    _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false
  ) -> Matrix {
    var c = Matrix(
      rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
    gemm(a, transposeA: transposeA, b, transposeB: transposeB, into: &c)
    return c
  }

  /// The matrix product `lhs rhs`.
  public static func * (lhs: Matrix, rhs: Matrix) -> Matrix {
    multiply(lhs, rhs)
  }

  /// `y = alpha op(a) x + beta y` (BLAS `dgemv`).
  public static func gemv(
    alpha: Double = 1, _ a: Matrix, transposeA: Bool = false, _ x: [Double], beta: Double = 0,
    into y: inout [Double]
  ) {
    let (m, n) = transposeA ? (a.columns, a.rows) : (a.rows, a.columns)
    precondition(
      x.count == n && y.count == m,
      "gemv: op(A) is \(m)x\(n), x has \(x.count) elements, y has \(y.count)")
    if m == 0 { return }
    if n == 0 {
      for i in 0..<m { y[i] = beta == 0 ? 0 : beta * y[i] }
      return
    }
    cblas_dgemv(
      CblasColMajor, transposeA ? CblasTrans : CblasNoTrans, Int32(a.rows), Int32(a.columns),
      alpha, a.storage, Int32(max(1, a.rows)), x, 1, beta, &y, 1)
  }

  /// The product `op(a) x` of a matrix and a vector.
  public static func multiply(_ a: Matrix, transposeA: Bool = false, _ x: [Double]) -> [Double] {
    var y = [Double](repeating: 0, count: transposeA ? a.columns : a.rows)
    gemv(a, transposeA: transposeA, x, into: &y)
    return y
  }

  /// The matrix-vector product `lhs rhs`.
  public static func * (lhs: Matrix, rhs: [Double]) -> [Double] {
    multiply(lhs, rhs)
  }

  /// The Gram matrix `a' a`, or `a' diag(weights) a` with row weights, full and symmetric.
  ///
  /// The weighted form scales row i by sqrt(w_i) (one copy of `a`) and calls BLAS `dsyrk`
  /// for the upper triangle, which is then mirrored. Weights must be non-negative (IRLS
  /// working weights are). This is X'WX of weighted least squares and of Fisher scoring.
  public static func syrk(_ a: Matrix, weights: [Double]? = nil) -> Matrix {
    var scratch: [Double] = []
    return syrk(a, weights: weights, scratch: &scratch)
  }

  /// `syrk(_:weights:)` with the scaled copy of `a` made in `scratch`, which keeps its
  /// storage between calls: an iterative fit on a large design (IRLS) then allocates and
  /// page-faults that copy once, not on every iteration.
  public static func syrk(_ a: Matrix, weights: [Double]?, scratch: inout [Double]) -> Matrix {
    let (m, n) = (a.rows, a.columns)
    var result = Matrix(rows: n, columns: n)
    if n == 0 { return result }
    if scratch.count == a.storage.count {
      scratch.withUnsafeMutableBufferPointer { s in
        a.storage.withUnsafeBufferPointer { s.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
      }
    } else {
      scratch = a.storage
    }
    if let weights {
      precondition(weights.count == m, "syrk: \(weights.count) weights for \(m) rows")
      let roots = weights.map { w in
        precondition(w >= 0, "syrk: negative weight \(w)")
        return w.squareRoot()
      }
      for j in 0..<n {
        let offset = j * m
        for i in 0..<m { scratch[offset + i] *= roots[i] }
      }
    }
    if m > 0 {
      cblas_dsyrk(
        CblasColMajor, CblasUpper, CblasTrans, Int32(n), Int32(m), 1, scratch, Int32(m), 0,
        &result.storage, Int32(n))
    }
    for j in 0..<n {
      for i in (j + 1)..<n { result.storage[i + j * n] = result.storage[j + i * n] }
    }
    return result
  }
}
