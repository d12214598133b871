extension NestedRandomIntercepts {
  /// Nelder-Mead simplex minimisation of a smooth function of a few unbounded variables,
  /// with the standard coefficients (reflection 1, expansion 2, contraction 1/2, shrink 1/2)
  /// and tie-breaking of Lagarias, Reeds, Wright & Wright (1998), "Convergence properties of
  /// the Nelder-Mead simplex method in low dimensions", SIAM J. Optim. 9(1), 112-147,
  /// doi:10.1137/S1052623496303470.
  ///
  /// A run stops when the vertices' function values are within `fTolerance` of the best and
  /// their coordinates within `xTolerance` (both, as MATLAB's fminsearch), or after
  /// `maxEvaluationsPerRun`. Nelder-Mead can stall on a degenerate simplex, so the search is
  /// restarted from the best point with a fresh simplex until a restart improves the value
  /// by no more than `fTolerance` (at most `maxRestarts` times).
  enum Simplex {
    static let relativeFTolerance = 1e-12
    static let xTolerance = 1e-8
    static let maxEvaluationsPerRun = 5000
    static let maxRestarts = 6

    static func fTolerance(_ f: Double) -> Double { relativeFTolerance * max(1, abs(f)) }

    /// Minimises `f` from `start` (replaced by the best point found); returns the minimum.
    static func minimizeWithRestarts(
      start x: inout [Double], steps: [Double], _ f: (UnsafeBufferPointer<Double>) -> Double
    ) -> Double {
      var best = minimize(&x, steps: steps, f)
      for _ in 0..<maxRestarts {
        let restartSteps = x.map { max(0.05 * abs($0), 0.01) }
        let previous = best
        best = minimize(&x, steps: restartSteps, f)
        if previous - best <= fTolerance(best) { break }
      }
      return best
    }

    /// One Nelder-Mead run from the simplex x, x + steps[j] e_j.
    static func minimize(
      _ x: inout [Double], steps: [Double], _ f: (UnsafeBufferPointer<Double>) -> Double
    ) -> Double {
      let d = x.count
      precondition(d >= 1 && steps.count == d)
      // Vertex i is vertices[i*d ..< (i+1)*d]; `order` lists vertex indices best first.
      var vertices = [Double](repeating: 0, count: (d + 1) * d)
      var values = [Double](repeating: 0, count: d + 1)
      var order = Array(0...d)
      var centroid = [Double](repeating: 0, count: d)
      var reflected = [Double](repeating: 0, count: d)
      var trial = [Double](repeating: 0, count: d)
      var worst = [Double](repeating: 0, count: d)
      var bestPoint = [Double](repeating: 0, count: d)
      var evaluations = 0

      func value(_ point: [Double]) -> Double {
        evaluations += 1
        let v = point.withUnsafeBufferPointer(f)
        return v.isNaN ? .infinity : v
      }
      func setVertex(_ i: Int, _ point: [Double], _ v: Double) {
        for j in 0..<d { vertices[i * d + j] = point[j] }
        values[i] = v
      }

      for i in 0...d {
        var p = x
        if i > 0 { p[i - 1] += steps[i - 1] }
        setVertex(i, p, value(p))
      }
      while true {
        // Stable insertion sort, so that among equal values the older vertex stays first.
        for a in 1...d {
          let v = order[a]
          var b = a - 1
          while b >= 0 && values[order[b]] > values[v] {
            order[b + 1] = order[b]
            b -= 1
          }
          order[b + 1] = v
        }
        let bestIndex = order[0]
        let worstIndex = order[d]
        let fBest = values[bestIndex]
        var fSpread = 0.0
        var xSpread = 0.0
        for i in 1...d {
          fSpread = max(fSpread, values[order[i]] - fBest)
          for j in 0..<d {
            xSpread = max(xSpread, abs(vertices[order[i] * d + j] - vertices[bestIndex * d + j]))
          }
        }
        if (fSpread <= fTolerance(fBest) && xSpread <= xTolerance)
          || evaluations >= maxEvaluationsPerRun
        {
          x = Array(vertices[(bestIndex * d)..<((bestIndex + 1) * d)])
          return fBest
        }

        for j in 0..<d {
          var s = 0.0
          for i in 0..<d { s += vertices[order[i] * d + j] }
          centroid[j] = s / Double(d)
        }
        for j in 0..<d { worst[j] = vertices[worstIndex * d + j] }
        for j in 0..<d { reflected[j] = 2 * centroid[j] - worst[j] }
        let fReflected = value(reflected)
        let fSecondWorst = values[order[d - 1]]
        let fWorst = values[worstIndex]

        if fReflected < fBest {
          for j in 0..<d { trial[j] = 3 * centroid[j] - 2 * worst[j] }
          let fExpanded = value(trial)
          if fExpanded < fReflected {
            setVertex(worstIndex, trial, fExpanded)
          } else {
            setVertex(worstIndex, reflected, fReflected)
          }
          continue
        }
        if fReflected < fSecondWorst {
          setVertex(worstIndex, reflected, fReflected)
          continue
        }
        if fReflected < fWorst {
          for j in 0..<d { trial[j] = 0.5 * (centroid[j] + reflected[j]) }
          let fContracted = value(trial)
          if fContracted <= fReflected {
            setVertex(worstIndex, trial, fContracted)
            continue
          }
        } else {
          for j in 0..<d { trial[j] = 0.5 * (centroid[j] + worst[j]) }
          let fContracted = value(trial)
          if fContracted < fWorst {
            setVertex(worstIndex, trial, fContracted)
            continue
          }
        }
        // Shrink towards the best vertex.
        for j in 0..<d { bestPoint[j] = vertices[bestIndex * d + j] }
        for i in 0...d where i != bestIndex {
          for j in 0..<d { trial[j] = bestPoint[j] + 0.5 * (vertices[i * d + j] - bestPoint[j]) }
          setVertex(i, trial, value(trial))
        }
      }
    }
  }
}
