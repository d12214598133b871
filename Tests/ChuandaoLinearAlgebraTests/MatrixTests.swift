import ChuandaoLinearAlgebra
import Foundation
import Testing

/// Element-wise closeness to a hand-computed matrix (absolute, the values are O(1..100)).
func expectClose(
  _ actual: Matrix, _ expected: [[Double]], tolerance: Double = 1e-12,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let expected = Matrix(expected)
  #expect(actual.rows == expected.rows, sourceLocation: sourceLocation)
  #expect(actual.columns == expected.columns, sourceLocation: sourceLocation)
  guard actual.rows == expected.rows && actual.columns == expected.columns else { return }
  let worst = zip(actual.storage, expected.storage).map { abs($0 - $1) }.max() ?? 0
  #expect(worst <= tolerance, "\(actual) vs \(expected)", sourceLocation: sourceLocation)
}

func expectClose(
  _ actual: [Double], _ expected: [Double], tolerance: Double = 1e-12,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, sourceLocation: sourceLocation)
  let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? 0
  #expect(worst <= tolerance, "\(actual) vs \(expected)", sourceLocation: sourceLocation)
}

@Suite("Matrix")
struct MatrixTests {
  @Test func storageIsColumnMajor() {
    let a = Matrix([[1, 2, 3], [4, 5, 6]])
    #expect(a.rows == 2 && a.columns == 3)
    #expect(a.storage == [1, 4, 2, 5, 3, 6])
    #expect(a[1, 2] == 6)
    #expect(Array(a.column(1)) == [2, 5])
    #expect(a == Matrix(rows: 2, columns: 3, storage: [1, 4, 2, 5, 3, 6]))
  }

  @Test func subscriptSetsOneElement() {
    var a = Matrix(rows: 2, columns: 2, repeating: 7)
    a[0, 1] = -1
    #expect(a.storage == [7, 7, -1, 7])
  }

  @Test func identityAndTranspose() {
    #expect(Matrix.identity(3) == Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
    #expect(Matrix([[1, 2, 3], [4, 5, 6]]).transpose == Matrix([[1, 4], [2, 5], [3, 6]]))
    #expect(Matrix([[1, 2], [3, 4]]).diagonal == [1, 4])
  }
}

@Suite("BLAS")
struct BLASTests {
  let a = Matrix([[1, 2, 3], [4, 5, 6]])
  let b = Matrix([[7, 8], [9, 10], [11, 12]])

  @Test func product() {
    // [1 2 3; 4 5 6] [7 8; 9 10; 11 12]: 1*7+2*9+3*11 = 58, 1*8+2*10+3*12 = 64,
    // 4*7+5*9+6*11 = 139, 4*8+5*10+6*12 = 154.
    expectClose(a * b, [[58, 64], [139, 154]])
  }

  @Test func gemmWithAlphaBetaAndTransposes() {
    // C = 2 AB + 1 C0, C0 all ones: 2*58+1 = 117, 2*64+1 = 129, 2*139+1 = 279, 2*154+1 = 309.
    var c = Matrix(rows: 2, columns: 2, repeating: 1)
    Matrix.gemm(alpha: 2, a, b, beta: 1, into: &c)
    expectClose(c, [[117, 129], [279, 309]])
    // B'A' = (AB)'.
    expectClose(
      Matrix.multiply(b, transposeA: true, a, transposeB: true), [[58, 139], [64, 154]])
  }

  @Test func gemmWithBetaZeroIgnoresNaNInC() {
    var c = Matrix(rows: 2, columns: 2, repeating: .nan)
    Matrix.gemm(a, b, into: &c)
    expectClose(c, [[58, 64], [139, 154]])
  }

  @Test func matrixVector() {
    // A [1 1 1]' = row sums 6, 15; A' [1 1]' = column sums 5, 7, 9.
    expectClose(a * [1, 1, 1], [6, 15])
    expectClose(Matrix.multiply(a, transposeA: true, [1, 1]), [5, 7, 9])
  }

  @Test func gramMatrix() {
    // A'A, A = [1 2 3; 4 5 6]: 1+16 = 17, 2+20 = 22, 3+24 = 27, 4+25 = 29, 6+30 = 36,
    // 9+36 = 45; full symmetric, equal to the gemm product.
    let expected: [[Double]] = [[17, 22, 27], [22, 29, 36], [27, 36, 45]]
    expectClose(Matrix.syrk(a), expected)
    expectClose(Matrix.multiply(a, transposeA: true, a), expected)
  }

  @Test func weightedGramMatrix() {
    // X = [1 0; 1 1; 1 2], w = (1, 2, 3): X'WX = [sum w, sum w x; sum w x, sum w x^2]
    // = [6, 0+2+6; 8, 0+2+12] = [6 8; 8 14].
    let x = Matrix([[1, 0], [1, 1], [1, 2]])
    expectClose(Matrix.syrk(x, weights: [1, 2, 3]), [[6, 8], [8, 14]])
  }

  @Test func emptyShapes() {
    #expect(Matrix.syrk(Matrix(rows: 0, columns: 2)) == Matrix(rows: 2, columns: 2))
    let product = Matrix(rows: 2, columns: 0) * Matrix(rows: 0, columns: 3)
    #expect(product == Matrix(rows: 2, columns: 3))
  }
}

@Suite("Cholesky")
struct CholeskyTests {
  @Test func twoByTwo() throws {
    // [4 2; 2 3] = L L' with L = [2 0; 1 sqrt 2]: l11 = sqrt 4, l21 = 2/2, l22 = sqrt(3 - 1).
    // det = 4*3 - 2*2 = 8. [4 2; 2 3] (1, 1)' = (6, 5)'.
    let factor = try CholeskyFactor(Matrix([[4, 2], [2, 3]]))
    expectClose(factor.lower, [[2, 0], [1, 2.0.squareRoot()]], tolerance: 1e-15)
    #expect(abs(factor.logDeterminant - log(8.0)) < 1e-14)
    expectClose(factor.solve([6, 5]), [1, 1], tolerance: 1e-14)
  }

  @Test func threeByThree() throws {
    // The classic [4 12 -16; 12 37 -43; -16 -43 98] = L L', L = [2 0 0; 6 1 0; -8 5 3]:
    // l11 = 2, l21 = 12/2, l31 = -16/2, l22 = sqrt(37 - 36), l32 = (-43 + 48)/1,
    // l33 = sqrt(98 - 64 - 25). det = (2 * 1 * 3)^2 = 36. A (1, 2, 3)' = (-20, -43, 192)'.
    let a = Matrix([[4, 12, -16], [12, 37, -43], [-16, -43, 98]])
    let factor = try CholeskyFactor(a)
    expectClose(factor.lower, [[2, 0, 0], [6, 1, 0], [-8, 5, 3]], tolerance: 1e-13)
    #expect(abs(factor.logDeterminant - log(36.0)) < 1e-13)
    expectClose(factor.solve([-20, -43, 192]), [1, 2, 3], tolerance: 1e-11)
    // Several right-hand sides, and the inverse: A A^-1 = I.
    let solutions = factor.solve(Matrix([[-20, 4], [-43, 12], [192, -16]]))
    expectClose(solutions, [[1, 1], [2, 0], [3, 0]], tolerance: 1e-11)
    expectClose(a * factor.inverse(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], tolerance: 1e-10)
  }

  @Test func readsOnlyTheLowerTriangle() throws {
    let factor = try CholeskyFactor(Matrix([[4, 999], [2, 3]]))
    expectClose(factor.lower, [[2, 0], [1, 2.0.squareRoot()]], tolerance: 1e-15)
  }

  @Test(
    "Not positive definite: the order of the first failing leading minor",
    arguments: [
      // [1 2; 2 1]: minor 1 is 1 > 0, minor 2 has det 1 - 4 = -3.
      ([[1, 2], [2, 1]], 2),
      // diag(1, -1, 1): minor 2 has det -1.
      ([[1, 0, 0], [0, -1, 0], [0, 0, 1]], 2),
      // A zero in the corner fails at once.
      ([[0, 0], [0, 1]], 1),
      // [4 2 2; 2 2 1; 2 1 0.5]: minors 4, 4, then det = 4(1 - 1) - 2(1 - 2) + 2(2 - 4) = -2.
      ([[4, 2, 2], [2, 2, 1], [2, 1, 0.5]], 3),
    ] as [([[Double]], Int)])
  func notPositiveDefinite(rows: [[Double]], minor: Int) {
    #expect(throws: LinearAlgebraError.notPositiveDefinite(minor: minor)) {
      try CholeskyFactor(Matrix(rows))
    }
  }

  @Test func notSquare() {
    #expect(throws: LinearAlgebraError.self) { try CholeskyFactor(Matrix(rows: 2, columns: 3)) }
  }

  @Test func errorDescriptionSaysWhatFailed() {
    let error = LinearAlgebraError.notPositiveDefinite(minor: 2)
    #expect(error.description.contains("order 2"))
  }
}

@Suite("Least squares")
struct LeastSquaresTests {
  @Test func lineThroughFourPoints() throws {
    // Points (0, 1), (1, 3), (2, 4), (3, 4): xbar = 1.5, ybar = 3,
    // Sxy = (-1.5)(-2) + (-0.5)(0) + (0.5)(1) + (1.5)(1) = 5, Sxx = 2.25+0.25+0.25+2.25 = 5,
    // slope = Sxy/Sxx = 1, intercept = ybar - slope * xbar = 1.5.
    let design = Matrix([[1, 0], [1, 1], [1, 2], [1, 3]])
    expectClose(try leastSquares(design, [1, 3, 4, 4]), [1.5, 1], tolerance: 1e-13)
  }

  @Test func exactSquareSystem() throws {
    // 2x + y = 5, x + 3y = 10: x = 1, y = 3.
    expectClose(try leastSquares(Matrix([[2, 1], [1, 3]]), [5, 10]), [1, 3], tolerance: 1e-14)
  }

  @Test func severalRightHandSides() throws {
    let design = Matrix([[1, 0], [1, 1], [1, 2], [1, 3]])
    // Second column: y = 2 - x exactly.
    let fit = try leastSquares(design, Matrix([[1, 2], [3, 1], [4, 0], [4, -1]]))
    expectClose(fit, [[1.5, 2], [1, -1]], tolerance: 1e-13)
  }

  @Test func zeroColumnIsRankDeficient() {
    #expect(throws: LinearAlgebraError.rankDeficient(column: 1)) {
      try leastSquares(Matrix([[1, 0], [1, 0], [1, 0]]), [1, 2, 3])
    }
  }

  @Test func rightHandSideOfWrongLength() {
    #expect(throws: LinearAlgebraError.self) {
      try leastSquares(Matrix([[1, 0], [1, 1], [1, 2]]), [1, 2])
    }
  }
}

@Suite("Symmetric eigendecomposition")
struct SymmetricEigenTests {
  @Test func twoByTwo() throws {
    // [2 1; 1 2]: eigenvalues 2 -+ 1, eigenvectors (1, -1)/sqrt 2 and (1, 1)/sqrt 2.
    let a = Matrix([[2, 1], [1, 2]])
    let eigen = try SymmetricEigendecomposition(a)
    expectClose(eigen.values, [1, 3], tolerance: 1e-14)
    let v = eigen.vectors
    let r = 0.5.squareRoot()
    #expect(abs(abs(v[0, 0]) - r) < 1e-14 && abs(v[0, 0] + v[1, 0]) < 1e-14)
    #expect(abs(abs(v[0, 1]) - r) < 1e-14 && abs(v[0, 1] - v[1, 1]) < 1e-14)
    expectClose(try SymmetricEigendecomposition.eigenvalues(a), [1, 3], tolerance: 1e-14)
  }

  @Test func reconstructsTheMatrix() throws {
    // V diag(values) V' = A for the 3x3 Cholesky example.
    let a = Matrix([[4, 12, -16], [12, 37, -43], [-16, -43, 98]])
    let eigen = try SymmetricEigendecomposition(a)
    var scaled = eigen.vectors
    for j in 0..<3 {
      for i in 0..<3 { scaled[i, j] *= eigen.values[j] }
    }
    let rebuilt = Matrix.multiply(scaled, eigen.vectors, transposeB: true)
    expectClose(rebuilt, [[4, 12, -16], [12, 37, -43], [-16, -43, 98]], tolerance: 1e-11)
  }
}
