/// Benjamini-Hochberg adjusted p-values (q-values): the smallest false-discovery rate at
/// which each hypothesis would be rejected.
///
/// With the m p-values sorted ascending, p_(1) <= ... <= p_(m), q_(i) = min over j >= i of
/// min(1, m p_(j) / j) (Y. Benjamini and Y. Hochberg, "Controlling the false discovery
/// rate", JRSS B 57(1), 289-300, 1995, doi:10.1111/j.2517-6161.1995.tb02031.x); rejecting
/// every hypothesis with q <= Q controls the FDR at Q for independent (or positively
/// dependent) tests. Equals statsmodels' `multipletests(p, method="fdr_bh")[1]`. Returned
/// in the order given; NaN p-values are left out of m and get NaN. Traps on a p-value
/// outside [0, 1].
public func benjaminiHochberg(_ p: [Double]) -> [Double] {
  var q = [Double](repeating: .nan, count: p.count)
  let order = p.indices.filter { !p[$0].isNaN }.sorted { (p[$0], $0) < (p[$1], $1) }
  for i in order {
    precondition(p[i] >= 0 && p[i] <= 1, "benjaminiHochberg: p-value \(p[i]) outside [0, 1]")
  }
  let m = Double(order.count)
  var running = 1.0
  for rank in stride(from: order.count, through: 1, by: -1) {
    let i = order[rank - 1]
    running = min(running, m * p[i] / Double(rank))
    q[i] = running
  }
  return q
}
