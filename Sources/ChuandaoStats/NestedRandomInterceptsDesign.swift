#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension NestedRandomIntercepts {
  /// The nesting tree of a data set, reduced to what the REML deviance needs: per
  /// bottom-level group its size, mean and within sum of squares; per level the groups in an
  /// order that keeps each group's children contiguous.
  ///
  /// All levels' groups share flat arrays: level k occupies `offsets[k]..<offsets[k + 1]`,
  /// and the children of group g (level k < L-1) are `childEnd[g - 1]..<childEnd[g]` (the
  /// first group of a level starts at `offsets[k + 1]`). Built in O(n L) time plus sorting
  /// the distinct labels when they are too sparse for a direct table.
  final class Design {
    let observations: Int
    let levels: Int
    let offsets: [Int]
    /// For non-bottom groups, the flat index one past their last child.
    let childEnd: UnsafeMutableBufferPointer<Int>
    /// Bottom-level groups' sizes (as Double), indexed from offsets[L-1].
    let count: UnsafeMutableBufferPointer<Double>
    /// Scratch and constants of one evaluation: 1'D^-1 1, GLS mean and residual sum of
    /// squares of each group's block. Bottom groups' mean and residual are their sample mean
    /// and within sum of squares, fixed.
    let weight: UnsafeMutableBufferPointer<Double>
    let mean: UnsafeMutableBufferPointer<Double>
    let residual: UnsafeMutableBufferPointer<Double>

    init(y: [Double], groups: [[Int32]]) throws {
      let n = y.count
      let levels = groups.count
      observations = n
      self.levels = levels

      // Compact ids per level (in sorted-label order) and each group's parent.
      var previous = [Int32](repeating: 0, count: n)
      var current = [Int32](repeating: 0, count: n)
      var groupCounts = [Design.compact(groups[0], into: &previous)]
      var parents: [[Int32]] = [[]]
      for k in 1..<levels {
        let g = Design.compact(groups[k], into: &current)
        var parent = [Int32](repeating: -1, count: g)
        let labels = groups[k]
        try parent.withUnsafeMutableBufferPointer { parent in
          try current.withUnsafeBufferPointer { current in
            try previous.withUnsafeBufferPointer { previous in
              for i in 0..<n {
                let c = Int(current[i])
                if parent[c] < 0 {
                  parent[c] = previous[i]
                } else if parent[c] != previous[i] {
                  throw NestedRandomInterceptsError.notNested(level: k, label: labels[i])
                }
              }
            }
          }
        }
        groupCounts.append(g)
        parents.append(parent)
        swap(&previous, &current)
      }
      let bottomIds = previous
      current = []

      var offsets = [0]
      for g in groupCounts { offsets.append(offsets.last! + g) }
      self.offsets = offsets
      let total = offsets[levels]

      // Renumber top-down (counting sort by the parent's new index) so that siblings are
      // contiguous; level 0 keeps the sorted-label order.
      var newIndex: [Int] = Array(0..<groupCounts[0])
      childEnd = .allocate(capacity: total)
      childEnd.initialize(repeating: 0)
      for k in 1..<levels {
        let parent = parents[k]
        var start = [Int](repeating: 0, count: groupCounts[k - 1] + 1)
        for c in 0..<groupCounts[k] { start[newIndex[Int(parent[c])] + 1] += 1 }
        for q in 0..<groupCounts[k - 1] { start[q + 1] += start[q] }
        for q in 0..<groupCounts[k - 1] {
          childEnd[offsets[k - 1] + q] = offsets[k] + start[q + 1]
        }
        var next = [Int](repeating: 0, count: groupCounts[k])
        for c in 0..<groupCounts[k] {
          let q = newIndex[Int(parent[c])]
          next[c] = start[q]
          start[q] += 1
        }
        newIndex = next
      }

      // Bottom-level sufficient statistics in the new order: size, mean, within SS (two
      // passes, so the sum of squares is about the group's own mean).
      count = .allocate(capacity: total)
      weight = .allocate(capacity: total)
      mean = .allocate(capacity: total)
      residual = .allocate(capacity: total)
      count.initialize(repeating: 0)
      weight.initialize(repeating: 0)
      mean.initialize(repeating: 0)
      residual.initialize(repeating: 0)
      let base = offsets[levels - 1]
      var slot = [Int](repeating: 0, count: groupCounts[levels - 1])
      for c in 0..<groupCounts[levels - 1] { slot[c] = base + newIndex[c] }
      y.withUnsafeBufferPointer { y in
        bottomIds.withUnsafeBufferPointer { ids in
          for i in 0..<n {
            let s = slot[Int(ids[i])]
            count[s] += 1
            mean[s] += y[i]
          }
          for s in base..<total { mean[s] /= count[s] }
          for i in 0..<n {
            let s = slot[Int(ids[i])]
            let d = y[i] - mean[s]
            residual[s] += d * d
          }
        }
      }
    }

    deinit {
      childEnd.deallocate()
      count.deallocate()
      weight.deallocate()
      mean.deallocate()
      residual.deallocate()
    }

    /// Writes each observation's compact group id (0..<G, in increasing label order) into
    /// `ids` and returns G. A direct table when the labels' range is at most about 2n,
    /// otherwise a dictionary and a sort of the distinct labels.
    static func compact(_ labels: [Int32], into ids: inout [Int32]) -> Int {
      let n = labels.count
      var lo = Int32.max
      var hi = Int32.min
      for v in labels {
        lo = min(lo, v)
        hi = max(hi, v)
      }
      let range = Int(hi) - Int(lo) + 1
      if range <= 2 * n + 4096 {
        var table = [Int32](repeating: -1, count: range)
        let base = Int(lo)
        for v in labels { table[Int(v) - base] = 0 }
        var next: Int32 = 0
        for j in 0..<range where table[j] == 0 {
          table[j] = next
          next += 1
        }
        for i in 0..<n { ids[i] = table[Int(labels[i]) - base] }
        return Int(next)
      }
      var map = [Int32: Int32]()
      for v in labels where map[v] == nil { map[v] = 0 }
      for (j, v) in map.keys.sorted().enumerated() { map[v] = Int32(j) }
      for i in 0..<n { ids[i] = map[labels[i]]! }
      return map.count
    }

    static let maximumTheta = 1e8

    struct Evaluation {
      var deviance: Double
      /// mu^, the GLS intercept.
      var mean: Double
      /// r^2 = (y - mu^)' H^-1 (y - mu^), so that sigma^2^ = r^2 / (n - 1).
      var residualSumOfSquares: Double
    }

    /// lme4's profiled REML deviance at theta_k = |phi[k]|: one bottom-up pass over the
    /// groups, no allocation. theta_k above `maximumTheta` is infeasible (+infinity): this
    /// keeps the factors of |H| far below 2^500 and stops the search from running off to
    /// infinity on degenerate data (no variation within any bottom-level group).
    func evaluate(_ phi: UnsafeBufferPointer<Double>) -> Evaluation {
      for t in phi where !(abs(t) <= Design.maximumTheta) {
        return Evaluation(deviance: .infinity, mean: .nan, residualSumOfSquares: .nan)
      }
      var product = LogProduct()
      let bottom = levels - 1
      let t2 = phi[bottom] * phi[bottom]
      for g in offsets[bottom]..<offsets[bottom + 1] {
        let m = count[g]
        weight[g] = m / (1 + t2 * m)
        product.multiply(1 + t2 * m)
      }
      var k = bottom - 1
      while k >= 0 {
        let t2 = phi[k] * phi[k]
        var c0 = offsets[k + 1]
        for g in offsets[k]..<offsets[k + 1] {
          let c1 = childEnd[g]
          let block = Design.pool(weight, mean, residual, c0..<c1)
          weight[g] = block.weight / (1 + t2 * block.weight)
          mean[g] = block.mean
          residual[g] = block.residual
          product.multiply(1 + t2 * block.weight)
          c0 = c1
        }
        k -= 1
      }
      let top = Design.pool(weight, mean, residual, 0..<offsets[1])
      let dfResidual = Double(observations - 1)
      let logDetH = product.logarithm
      let deviance =
        logDetH + log(top.weight)
        + dfResidual * (1 + log(2 * Double.pi * top.residual / dfResidual))
      return Evaluation(deviance: deviance, mean: top.mean, residualSumOfSquares: top.residual)
    }

    /// The logarithm of a product of factors >= 1, taken once at the end: the running
    /// product is rescaled by a power of 2 whenever it passes 2^500, so factors below 2^500
    /// cannot overflow it. One log instead of one log1p per group makes an evaluation about
    /// three times faster; the rounding of 1 + x costs at most 1e-16 per group in log|H|.
    struct LogProduct {
      var mantissa = 1.0
      var exponent = 0
      @inline(__always) mutating func multiply(_ factor: Double) {
        mantissa *= factor
        if mantissa > 0x1p500 {
          exponent += Int(mantissa.exponent)
          mantissa = mantissa.significand
        }
      }
      var logarithm: Double { log(mantissa) + Double(exponent) * 0.693_147_180_559_945_309_4 }
    }

    /// Pools children blocks: W = sum w, M = sum w m / W, R = sum r + sum w (m - M)^2.
    @inline(__always)
    static func pool(
      _ weight: UnsafeMutableBufferPointer<Double>, _ mean: UnsafeMutableBufferPointer<Double>,
      _ residual: UnsafeMutableBufferPointer<Double>, _ range: Range<Int>
    ) -> (weight: Double, mean: Double, residual: Double) {
      var w = 0.0
      var wm = 0.0
      var r = 0.0
      for c in range {
        w += weight[c]
        wm += weight[c] * mean[c]
        r += residual[c]
      }
      let m = wm / w
      for c in range {
        let d = mean[c] - m
        r += weight[c] * d * d
      }
      return (w, m, r)
    }

    /// Starting theta from ANOVA-type moment estimates. For a balanced design
    /// E[MS_k] = sigma^2 + sum_{j >= k} (n / G_j) sigma_j^2, MS_k being the mean square of the
    /// level-k group means about their parents' means (grand mean for k = 0) on G_k - G_{k-1}
    /// degrees of freedom and MS_L the pooled within-group variance, so
    /// sigma_k^2 = (MS_k - MS_{k+1}) / (n / G_k). Used as is on unbalanced data (it only
    /// needs to be a start); theta is clamped to at least 0.01 so that the search can move.
    func momentStart() -> [Double] {
      let n = Double(observations)
      let total = offsets[levels]
      var size = [Double](repeating: 0, count: total)
      var average = [Double](repeating: 0, count: total)
      var within = 0.0
      for g in offsets[levels - 1]..<total {
        size[g] = count[g]
        average[g] = mean[g]
        within += residual[g]
      }
      var k = levels - 2
      while k >= 0 {
        var c0 = offsets[k + 1]
        for g in offsets[k]..<offsets[k + 1] {
          var s = 0.0
          var sum = 0.0
          for c in c0..<childEnd[g] {
            s += size[c]
            sum += size[c] * average[c]
          }
          size[g] = s
          average[g] = sum / s
          c0 = childEnd[g]
        }
        k -= 1
      }
      var grand = 0.0
      for g in 0..<offsets[1] { grand += size[g] * average[g] }
      grand /= n

      var meanSquares = [Double](repeating: 0, count: levels + 1)
      for k in 0..<levels {
        var ss = 0.0
        if k == 0 {
          for g in 0..<offsets[1] { ss += size[g] * (average[g] - grand) * (average[g] - grand) }
        } else {
          var c0 = offsets[k]
          for p in offsets[k - 1]..<offsets[k] {
            for c in c0..<childEnd[p] {
              let d = average[c] - average[p]
              ss += size[c] * d * d
            }
            c0 = childEnd[p]
          }
        }
        let df = (offsets[k + 1] - offsets[k]) - (k == 0 ? 1 : offsets[k] - offsets[k - 1])
        meanSquares[k] = df > 0 ? ss / Double(df) : .nan
      }
      let dfWithin = observations - (offsets[levels] - offsets[levels - 1])
      var sigma2 = dfWithin > 0 ? within / Double(dfWithin) : .nan
      if !(sigma2 > 0) {
        var ss = within
        for g in offsets[levels - 1]..<total {
          ss += size[g] * (average[g] - grand) * (average[g] - grand)
        }
        sigma2 = 0.5 * ss / (n - 1)
      }
      if !(sigma2 > 0) { sigma2 = 1 }
      meanSquares[levels] = sigma2

      var theta = [Double](repeating: 0.01, count: levels)
      var below = sigma2
      k = levels - 1
      while k >= 0 {
        let ms = meanSquares[k]
        if ms.isFinite {
          let groupsAtK = Double(offsets[k + 1] - offsets[k])
          let variance = (ms - below) / (n / groupsAtK)
          if variance > 0 { theta[k] = max(0.01, (variance / sigma2).squareRoot()) }
          below = ms
        }
        k -= 1
      }
      return theta
    }
  }
}
